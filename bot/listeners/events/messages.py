"""Message events in watched channels: new, edited and deleted messages (a deleted thread parent is a tombstone)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt import BoltContext

from bot.domain.messages import ChannelMessage, is_slack_ts
from bot.domain.people import Kind
from bot.listeners.events.authors import person_kind
from bot.listeners.events.payloads import (
    WATCHED_CHANNEL_TYPES,
    channel_message,
    event_id_of,
    team_of,
    tombstone_ts,
)
from bot.runtime.deps import Deps
from bot.services import mentions


def _by_a_person(
    deps: Deps, body: dict[str, Any], context: BoltContext, message: ChannelMessage | None, raw: dict[str, Any]
) -> ChannelMessage | None:
    """The message with its author's kind read from their profile; None when the author turns out to be a bot."""
    if message is None:
        return None
    kind = person_kind(deps, body, context, team_id=message.team_id, user_id=message.user_id, message=raw)
    if kind is Kind.BOT:
        return None
    external = kind is Kind.EXTERNAL
    return message if message.is_external == external else replace(message, is_external=external)


def handle_message_event(body: dict[str, Any], event: dict[str, Any], context: BoltContext, deps: Deps) -> None:
    """Record the customers a message names; follow its edits and deletion."""
    team_id = team_of(body, event)
    if team_id is None or event.get("channel_type") not in WATCHED_CHANNEL_TYPES:
        return
    event_id, channel = event_id_of(body), event.get("channel")
    subtype = event.get("subtype")
    deleted_ts = event.get("deleted_ts") if subtype == "message_deleted" else tombstone_ts(event)
    if deleted_ts is not None:
        if isinstance(channel, str) and channel and is_slack_ts(deleted_ts):
            mentions.record_deletion(deps, event_id=event_id, team_id=team_id, channel_id=channel, ts=str(deleted_ts))
    elif subtype == "message_changed":
        changed = event.get("message") or {}
        edited = channel_message(team_id, channel, changed, context.bot_user_id)
        if (edited := _by_a_person(deps, body, context, edited, changed)) is not None:
            mentions.record_edit(deps, event_id=event_id, message=edited)
    else:
        message = channel_message(team_id, channel, event, context.bot_user_id)
        if (message := _by_a_person(deps, body, context, message, event)) is not None:
            mentions.record_message(deps, event_id=event_id, message=message)
