"""Reading Events API payloads into plain values; blank or partial shapes read as None."""

from __future__ import annotations

from typing import Any

from bot.domain.messages import ChannelMessage, is_from_bot, is_slack_id, is_slack_ts

WATCHED_CHANNEL_TYPES = frozenset({"channel", "group"})
# Message subtypes that are a person speaking; joins, topic changes and the like are not.
SPOKEN_SUBTYPES = frozenset({None, "", "thread_broadcast", "file_share", "me_message"})


def _first_authorization(body: dict[str, Any]) -> dict[str, Any]:
    authorizations = body.get("authorizations")
    first = authorizations[0] if isinstance(authorizations, list) and authorizations else None
    return first if isinstance(first, dict) else {}


def team_of(body: dict[str, Any], event: dict[str, Any]) -> str | None:
    """The installed workspace an event belongs to: `authorizations[0].team_id`, as Bolt reads it.

    Not the envelope's `team_id`: in a Slack Connect channel that names the organisation that created the channel,
    which may be the customer's. Only an envelope without authorizations falls back to it (and then to the event's
    `team`), as Bolt's `extract_team_id` does.
    """
    team = _first_authorization(body).get("team_id") or body.get("team_id") or event.get("team")
    return team if is_slack_id(team) else None


def enterprise_of(body: dict[str, Any]) -> str | None:
    """The Enterprise Grid organisation of the installed workspace, if the envelope names one."""
    enterprise = _first_authorization(body).get("enterprise_id") or body.get("enterprise_id")
    return enterprise if is_slack_id(enterprise) else None


def in_shared_channel(body: dict[str, Any]) -> bool:
    """False only when the envelope says the channel is not shared with another organisation."""
    return body.get("is_ext_shared_channel") is not False


# Slack's event ids are a dozen characters; the column that keeps them holds 64.
MAX_EVENT_ID_LENGTH = 64


def event_id_of(body: dict[str, Any]) -> str | None:
    """The Events API event id, the dedupe key (None for none, or one no event id can be)."""
    event_id = body.get("event_id")
    return event_id if isinstance(event_id, str) and 0 < len(event_id) <= MAX_EVENT_ID_LENGTH else None


def tombstone_ts(event: dict[str, Any]) -> str | None:
    """The ts of a thread parent deleted while it had replies: Slack sends `message_changed` whose message is a
    `tombstone` ("This message was deleted.") instead of `message_deleted`. None for any other event."""
    changed = event.get("message")
    if event.get("subtype") != "message_changed" or not isinstance(changed, dict):
        return None
    ts = changed.get("ts")
    return str(ts) if changed.get("subtype") == "tombstone" and is_slack_ts(ts) else None


def channel_message(
    team_id: str, channel: Any, message: dict[str, Any], bot_user_id: str | None
) -> ChannelMessage | None:
    """A person's message in a channel, or None for anything else (bots, Slackbot, blanks, system messages).

    Whether its author is external is left False: who a person is comes from their profile (see
    `bot.listeners.events.authors`), not from the message.
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
    )
