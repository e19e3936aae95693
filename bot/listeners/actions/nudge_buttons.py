"""Buttons on a tone nudge (Thanks, Don't show me these) and the Home tab's tone-tips switch."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond

from bot.blocks import nudges as blocks
from bot.listeners.interactions import actor
from bot.runtime.deps import Deps
from bot.services import nudges


def handle_nudge_thanks(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """Thanks: noted, and the tip folds away."""
    team_id, user_id = actor(body)
    source = blocks.read_nudge_value(str(action.get("value") or ""))
    if source is not None:
        nudges.thank(deps, team_id=team_id, user_id=user_id, channel_id=source[0], ts=source[1])
    ack()
    respond(replace_original=True, **blocks.build_nudge_thanked())


def handle_nudge_optout(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """Don't show me these: the person's tips are off from now on (stored before Slack hears back)."""
    team_id, user_id = actor(body)
    channel_id, ts = blocks.read_nudge_value(str(action.get("value") or "")) or ("", "")
    nudges.opt_out(deps, team_id=team_id, user_id=user_id, channel_id=channel_id, ts=ts)
    ack()
    respond(replace_original=True, **blocks.build_nudge_opted_out())


def handle_nudges_toggle(ack: Ack, body: dict[str, Any], action: dict[str, Any], deps: Deps) -> None:
    """The Home tab's switch; the refreshed Home tab shows the new setting."""
    team_id, user_id = actor(body)
    nudges.switch(deps, team_id=team_id, user_id=user_id, enabled=action.get("value") == "on")
    ack()
