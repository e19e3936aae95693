"""Plain values for what Slack tells Rapport about messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeGuard

from bot.domain.people import SLACKBOT_ID


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


# Slack's IDs (U0123ABCD, C0123ABCD, T0123ABCD) are about a dozen characters; the columns that keep one hold 32.
MAX_ID_LENGTH = 32


def is_slack_id(value: object) -> TypeGuard[str]:
    """Whether a value can be a Slack ID (a user, channel or workspace): a string, not blank, not over-long."""
    return isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH


def is_slack_ts(value: object) -> bool:
    """Whether a value looks like a real Slack ts: seconds since 1970 (not zero, up to ten ASCII digits), a dot, and
    up to nine digits more ("1712345678.000100")."""
    if not isinstance(value, str) or "." not in value or not value.isascii():
        return False
    seconds, _, micros = value.partition(".")
    return (
        0 < len(seconds) <= 10 and 0 < len(micros) <= 9 and seconds.isdigit() and micros.isdigit() and int(seconds) > 0
    )


def is_from_bot(message: dict[str, Any], bot_user_id: str | None) -> bool:
    """Bots' messages (ours included, and Slackbot's, which carry no bot_id) are never mentions, and never stories."""
    return bool(
        message.get("user") == SLACKBOT_ID
        or message.get("bot_id")
        or message.get("subtype") == "bot_message"
        or message.get("bot_profile")
        or (bot_user_id and message.get("user") == bot_user_id)
    )
