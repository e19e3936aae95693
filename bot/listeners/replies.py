"""The one place a domain error becomes a friendly ephemeral reply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack

from bot.blocks.customers import build_error
from bot.domain.errors import RapportError


def answer_command(ack: Ack, build: Callable[[], dict[str, Any] | None]) -> None:
    """Acknowledge a slash command with an ephemeral reply: what `build` returns, or its error explained."""
    try:
        body = build()
    except RapportError as error:
        body = build_error(error)
    if body is None:
        ack()
    else:
        ack(response_type="ephemeral", **body)
