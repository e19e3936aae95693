"""Message events in watched channels: new, edited and deleted messages."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from bot.domain.messages import is_slack_ts
from bot.listeners.events.payloads import (
    WATCHED_CHANNEL_TYPES,
    channel_message,
    event_id_of,
    in_shared_channel,
    team_of,
)
from bot.runtime.deps import Deps
from bot.services import mentions


def handle_message_event(body: dict[str, Any], event: dict[str, Any], context: BoltContext, deps: Deps) -> None:
    """Record the customers a message names; follow its edits and deletion."""
    team_id = team_of(body, event)
    if team_id is None or event.get("channel_type") not in WATCHED_CHANNEL_TYPES:
        return
    event_id, channel = event_id_of(body), event.get("channel")
    subtype = event.get("subtype")
    if subtype == "message_changed":
        edited = channel_message(team_id, channel, event.get("message") or {}, context.bot_user_id)
        if edited is not None:
            mentions.record_edit(deps, event_id=event_id, message=edited)
    elif subtype == "message_deleted":
        deleted_ts = event.get("deleted_ts")
        if isinstance(channel, str) and channel and is_slack_ts(deleted_ts):
            mentions.record_deletion(deps, event_id=event_id, team_id=team_id, channel_id=channel, ts=str(deleted_ts))
    else:
        message = channel_message(team_id, channel, event, context.bot_user_id, shared=in_shared_channel(body))
        if message is not None:
            mentions.record_message(deps, event_id=event_id, message=message)
