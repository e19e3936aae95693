"""Reading Events API payloads into plain values; blank or partial shapes read as None."""

from __future__ import annotations

from typing import Any

from bot.domain.messages import ChannelMessage, is_from_bot, is_slack_id, is_slack_ts

WATCHED_CHANNEL_TYPES = frozenset({"channel", "group"})
# Message subtypes that are a person speaking; joins, topic changes and the like are not.
SPOKEN_SUBTYPES = frozenset({None, "", "thread_broadcast", "file_share", "me_message"})


def team_of(body: dict[str, Any], event: dict[str, Any]) -> str | None:
    """The workspace an event belongs to."""
    team = body.get("team_id") or event.get("team")
    return team if is_slack_id(team) else None


def in_shared_channel(body: dict[str, Any]) -> bool:
    """False only when the envelope says the channel is not shared with another organisation."""
    return body.get("is_ext_shared_channel") is not False


# Slack's event ids are a dozen characters; the column that keeps them holds 64.
MAX_EVENT_ID_LENGTH = 64


def event_id_of(body: dict[str, Any]) -> str | None:
    """The Events API event id, the dedupe key (None for none, or one no event id can be)."""
    event_id = body.get("event_id")
    return event_id if isinstance(event_id, str) and 0 < len(event_id) <= MAX_EVENT_ID_LENGTH else None


def is_external_author(team_id: str, message: dict[str, Any]) -> bool:
    """Whether a message's author belongs to another team (a Slack Connect guest), by the author's team fields.

    `user_team` (and `source_team`) name the author's home team on messages in shared channels; a message
    event's `team` is the author's team too. None of them, or blanks, read as one of the workspace's own.
    """
    for field in ("user_team", "source_team", "team"):
        author_team = message.get(field)
        if isinstance(author_team, str) and author_team:
            return author_team != team_id
    return False


def channel_message(
    team_id: str, channel: Any, message: dict[str, Any], bot_user_id: str | None, *, shared: bool = True
) -> ChannelMessage | None:
    """A person's message in a channel, or None for anything else (bots, blanks, system messages).

    `shared` is False when the envelope says the channel is not shared with another organisation
    (`is_ext_shared_channel`): then nobody in it is external, whatever team an Enterprise Grid user belongs to.
    """
    if not is_slack_id(channel) or not isinstance(message, dict):
        return None
    if message.get("subtype") not in SPOKEN_SUBTYPES or is_from_bot(message, bot_user_id):
        return None
    user, ts, text = message.get("user"), message.get("ts"), message.get("text")
    if not is_slack_id(user) or not is_slack_ts(ts) or not isinstance(text, str):
        return None
    thread_ts = message.get("thread_ts")
    return ChannelMessage(
        team_id=team_id,
        channel_id=channel,
        ts=str(ts),
        thread_ts=thread_ts if is_slack_ts(thread_ts) else None,
        user_id=user,
        text=text,
        is_external=shared and is_external_author(team_id, message),
    )
