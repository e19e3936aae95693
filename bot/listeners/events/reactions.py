"""Emoji reactions: the follow-up emoji turns a message into a follow-up."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.domain.messages import is_slack_ts
from bot.listeners.events.payloads import event_id_of, team_of
from bot.services import followups
from bot.services.deps import Deps


def handle_reaction_added(body: dict[str, Any], event: dict[str, Any], context: BoltContext, client: WebClient,
                          deps: Deps) -> None:  # fmt: skip
    """A reaction on a message in a channel; the bot's own reactions never count."""
    team_id, item = team_of(body, event), event.get("item") or {}
    user, reaction = event.get("user"), event.get("reaction")
    channel, ts = item.get("channel"), item.get("ts")
    if team_id is None or item.get("type") != "message" or not is_slack_ts(ts):
        return
    if not isinstance(user, str) or not user or user == context.bot_user_id or not isinstance(reaction, str):
        return
    if not isinstance(channel, str) or not channel or channel.startswith("D"):
        return
    followups.create_from_reaction(deps, client, team_id=team_id, event_id=event_id_of(body), reactor=user,
                                   emoji=reaction, channel_id=channel, ts=str(ts))  # fmt: skip
