"""Emoji reactions: a story emoji recognises a good story; the follow-up emoji turns a message into a follow-up.

Only the team's own people act through reactions: a customer's (or a bot's) reaction records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext

from bot.domain.messages import is_slack_id, is_slack_ts
from bot.domain.people import Kind
from bot.listeners.events.authors import person_kind
from bot.listeners.events.payloads import event_id_of, team_of
from bot.runtime.deps import Deps
from bot.services import followups, stories


@dataclass(frozen=True)
class _Reaction:
    team_id: str
    event_id: str | None
    user: str
    emoji: str
    channel_id: str
    ts: str


def _reaction(body: dict[str, Any], event: dict[str, Any], bot_user_id: str | None) -> _Reaction | None:
    """A person's reaction on a message in a channel; None for files, DMs, blanks and the bot's own reactions."""
    team_id, item = team_of(body, event), event.get("item")
    if not isinstance(item, dict):  # Slack sends an object; anything else names no message
        return None
    user, emoji, channel, ts = event.get("user"), event.get("reaction"), item.get("channel"), item.get("ts")
    if team_id is None or item.get("type") != "message" or not is_slack_ts(ts) or not isinstance(emoji, str):
        return None
    if not is_slack_id(user) or user == bot_user_id:
        return None
    if not is_slack_id(channel) or channel.startswith("D"):
        return None
    return _Reaction(team_id, event_id_of(body), user, emoji, channel, str(ts))


def _by_staff(deps: Deps, body: dict[str, Any], context: BoltContext, reaction: _Reaction | None) -> _Reaction | None:
    """The reaction if one of the team's own people made it (a customer's or a bot's counts for nothing)."""
    if reaction is None:
        return None
    kind = person_kind(deps, body, context, team_id=reaction.team_id, user_id=reaction.user)
    return reaction if kind is Kind.STAFF else None


def handle_reaction_added(body: dict[str, Any], event: dict[str, Any], context: BoltContext, deps: Deps) -> None:
    """A story emoji records a recognition; the follow-up emoji makes a follow-up."""
    r = _by_staff(deps, body, context, _reaction(body, event, context.bot_user_id))
    if r is None:
        return
    if not stories.recognise_reaction(
        deps,
        context.client,
        team_id=r.team_id,
        event_id=r.event_id,
        reactor=r.user,
        emoji=r.emoji,
        channel_id=r.channel_id,
        ts=r.ts,
        bot_user_id=context.bot_user_id,
    ):
        followups.create_from_reaction(
            deps,
            context.client,
            team_id=r.team_id,
            event_id=r.event_id,
            reactor=r.user,
            emoji=r.emoji,
            channel_id=r.channel_id,
            ts=r.ts,
        )


def handle_reaction_removed(body: dict[str, Any], event: dict[str, Any], context: BoltContext, deps: Deps) -> None:
    """A story emoji taken away withdraws that recognition (a follow-up, once made, stays)."""
    r = _by_staff(deps, body, context, _reaction(body, event, context.bot_user_id))
    if r is not None:
        stories.withdraw_reaction(
            deps,
            team_id=r.team_id,
            event_id=r.event_id,
            reactor=r.user,
            emoji=r.emoji,
            channel_id=r.channel_id,
            ts=r.ts,
        )
