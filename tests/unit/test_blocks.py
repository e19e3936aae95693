"""Block Kit builders: user text escaped, Slack's limits kept."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from bot.blocks.customers import build_customer_card, build_customer_list
from bot.blocks.errors import build_error
from bot.blocks.intro import build_intro_note
from bot.blocks.text import escape, permalink
from bot.domain.errors import UnknownCustomer
from bot.views.customers import CustomerCard, CustomerList, CustomerSummary, MentionView

EVIL = "<!here> & <https://evil.example|click> <@U123>"
# Those words typed into Slack: how Slack sends them, and so how an excerpt of them is stored.
TYPED_EVIL = "&lt;!here&gt; &amp; &lt;https://evil.example|click&gt; &lt;@U123&gt;"


def texts(blocks: object) -> str:
    return json.dumps(blocks)


def mrkdwn(blocks: list[dict]) -> str:  # type: ignore[type-arg]
    """Every mrkdwn text Slack will parse (plain_text, as in headers, is shown literally)."""
    found = []
    for block in blocks:
        for part in [block.get("text"), *block.get("elements", [])]:
            if isinstance(part, dict) and part.get("type") == "mrkdwn":
                found.append(part["text"])
    return "\n".join(found)


def test_escape_only_the_three_characters() -> None:
    assert escape(EVIL) == "&lt;!here&gt; &amp; &lt;https://evil.example|click&gt; &lt;@U123&gt;"


def test_permalink_is_composed_not_fetched() -> None:
    assert (
        permalink("https://x.slack.com/", "C1", "1712345678.000100")
        == "https://x.slack.com/archives/C1/p1712345678000100"
    )
    assert permalink("https://x.slack.com", "C1", "2.000200", "1.000100").endswith("p2000200?thread_ts=1.000100&cid=C1")


def card(**overrides: object) -> CustomerCard:
    values: dict[str, object] = dict(
        name=EVIL,
        aliases=(EVIL,),
        owner_user_id="U0DANA",
        since=date(2019, 4, 1),
        last_touch=datetime(2026, 11, 1, tzinfo=UTC),
        mentions=tuple(
            MentionView(
                "C0SUPPORT", f"1764000000.00010{i}", None, "U0LEE", datetime(2026, 11, 1, tzinfo=UTC), TYPED_EVIL * 10
            )
            for i in range(5)
        ),
        linked_channels=("C0ACME",),
        workspace_url="https://rapport-sim.slack.com/",
    )
    values.update(overrides)
    return CustomerCard(**values)  # type: ignore[arg-type]


def test_card_escapes_user_text_and_keeps_limits() -> None:
    body = build_customer_card(card())
    rendered = mrkdwn(body["blocks"])
    assert any(b["type"] == "header" and b["text"]["type"] == "plain_text" for b in body["blocks"])
    assert "<!here>" not in rendered and "<https://evil" not in rendered and "<@U123>" not in rendered
    assert "<@U0DANA>" in rendered  # IDs the bot composes stay live
    assert "<" not in body["text"]  # the notification fallback is escaped too
    assert "https://rapport-sim.slack.com/archives/C0SUPPORT/p1764000000000100" in rendered
    assert len(body["blocks"]) <= 50
    for block in body["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150


def test_card_shows_expired_excerpt_and_no_mentions() -> None:
    expired = card(mentions=(MentionView("C1", "1.000100", None, "U1", datetime(2026, 1, 1, tzinfo=UTC), None),))
    assert "excerpt expired" in texts(build_customer_card(expired))
    assert "No mentions yet" in texts(build_customer_card(card(mentions=())))


def test_list_of_a_hundred_stays_within_limits() -> None:
    customers = tuple(CustomerSummary(f"{EVIL} {i}" * 3, "U0DANA", None, 0) for i in range(100))
    body = build_customer_list(CustomerList(customers=customers, total=250))
    assert len(body["blocks"]) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in body["blocks"] if b["type"] == "section")
    assert "<!here>" not in mrkdwn(body["blocks"]) and "250" in texts(body)


def test_error_reply_has_an_example() -> None:
    body = build_error(UnknownCustomer("No customer “<!channel>”.", example="/customer add <!channel>"))
    assert "For example" in texts(body) and "<!channel>" not in mrkdwn(body["blocks"])


def test_intro_note_says_what_is_stored_and_how_to_stop() -> None:
    rendered = texts(build_intro_note())
    assert "280" in rendered and "retention" in rendered and "/kick @Rapport" in rendered
