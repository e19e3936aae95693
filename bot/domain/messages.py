"""Plain values for what Slack tells Rapport about messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class ChannelMessage:
    """A person's message (or its edited version) in a channel."""

    team_id: str
    channel_id: str
    ts: str
    thread_ts: str | None
    user_id: str
    text: str
    # Written by someone of another team (Slack Connect): a customer, in a channel shared with them.
    is_external: bool = False

    @property
    def is_top_level(self) -> bool:
        """Not a reply in a thread (a thread's parent is top level)."""
        return self.thread_ts is None or self.thread_ts == self.ts


def ts_to_datetime(ts: str) -> datetime:
    """A Slack message ts ("1712345678.000100") as a UTC datetime."""
    return datetime.fromtimestamp(float(ts), tz=UTC)


def is_slack_ts(value: object) -> bool:
    """Whether a value looks like a real Slack ts (digits, a dot, digits; not zero)."""
    if not isinstance(value, str) or "." not in value:
        return False
    seconds, _, micros = value.partition(".")
    return seconds.isdigit() and micros.isdigit() and int(seconds) > 0


def is_from_bot(message: dict[str, Any], bot_user_id: str | None) -> bool:
    """Bots' messages (ours included) are never mentions, and never stories."""
    return bool(
        message.get("bot_id")
        or message.get("subtype") == "bot_message"
        or message.get("bot_profile")
        or (bot_user_id and message.get("user") == bot_user_id)
    )
