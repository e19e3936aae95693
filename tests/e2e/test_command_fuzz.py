"""Any text typed after /customer gets an ephemeral reply: never an error status, never a stack trace."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.slack_text import strip_controls
from bot.listeners.payloads import storable
from tests.e2e.conftest import RunningApp

WORDS = st.sampled_from(
    [
        "add",
        "list",
        "owner",
        "alias",
        "remove",
        "link",
        "help",
        "aka",
        "since",
        "show",
        "Acme",
        "Acme Corp",
        "<@U0LEE|lee>",
        "<!here>",
        "2019-04-01",
        "2019-02-30",
        ",",
        '"',
        "<#C0SUPPORT|support>",
        "&amp;",
        "%",
        "_",
        "Müller",
        "🙂",
        "delete",
        "\x00",
        "\x1b",
    ]
)
TEXTS = st.one_of(st.text(max_size=300), st.lists(WORDS, max_size=8).map(" ".join))


@pytest.mark.usefixtures("no_errors_logged")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_any_text_gets_a_reply(http_app: RunningApp, text: str) -> None:
    opened_before = len(http_app.sim.calls_to("views.open"))
    delivery = http_app.sim.slash_command("U0DANA", "C0SUPPORT", "/customer", text)
    assert delivery.status == 200, (text, delivery)
    # What the app reads: a NUL (or a lone surrogate) arrives as U+FFFD, something typed, not nothing.
    if not strip_controls(storable(text)).strip():
        # nothing a person typed: like `/customer` alone, it opens the add-customer modal
        assert len(http_app.sim.calls_to("views.open")) == opened_before + 1, text
    else:
        body = delivery.body
        assert isinstance(body, dict) and body.get("response_type") == "ephemeral", (text, body)
        rendered = json.dumps(body)
        assert "Traceback" not in rendered and body.get("text")
