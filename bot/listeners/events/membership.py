"""The bot joining and leaving channels: that is how a team chooses what Rapport watches."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from bot.domain.messages import is_slack_id
from bot.listeners.events.payloads import event_id_of, team_of
from bot.runtime.deps import Deps
from bot.services import mentions


def _channel(event: dict[str, Any]) -> str | None:
    channel = event.get("channel")
    if isinstance(channel, dict):  # channel_left and group_left carry an id only, but be lenient
        channel = channel.get("id")
    return channel if is_slack_id(channel) and channel[:1] in ("C", "G") else None


def handle_member_joined(body: dict[str, Any], event: dict[str, Any], context: BoltContext, deps: Deps) -> None:
    """When the bot itself is invited, start watching and post the intro note (one for both sides in a channel
    shared with another organisation: Slack says so on the envelope, `is_ext_shared_channel`)."""
    team_id, channel = team_of(body, event), _channel(event)
    if team_id and channel and context.bot_user_id and event.get("user") == context.bot_user_id:
        mentions.bot_joined_channel(
            deps,
            event_id=event_id_of(body),
            team_id=team_id,
            channel_id=channel,
            shared=body.get("is_ext_shared_channel") is True,
        )


def handle_member_left(body: dict[str, Any], event: dict[str, Any], context: BoltContext, deps: Deps) -> None:
    """When the bot itself is removed, stop watching."""
    team_id, channel = team_of(body, event), _channel(event)
    if team_id and channel and context.bot_user_id and event.get("user") == context.bot_user_id:
        mentions.bot_left_channel(deps, event_id=event_id_of(body), team_id=team_id, channel_id=channel)


def handle_channel_left(body: dict[str, Any], event: dict[str, Any], context: BoltContext, deps: Deps) -> None:
    """Slack tells the bot it was removed from a channel."""
    team_id, channel = team_of(body, event), _channel(event)
    if team_id and channel:
        mentions.bot_left_channel(deps, event_id=event_id_of(body), team_id=team_id, channel_id=channel)
