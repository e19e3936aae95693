"""Buttons on a tone nudge (Thanks, Don't show me these) and the Home tab's tone-tips switch."""

from __future__ import annotations

from bot.blocks import nudges as blocks
from bot.listeners.adapter import Replace
from bot.listeners.payloads import Request
from bot.runtime.deps import Deps
from bot.services import nudges


def handle_nudge_thanks(request: Request, deps: Deps) -> Replace:
    """Thanks: noted, and the tip folds away."""
    source = blocks.read_nudge_value(request.action_value)
    if source is not None:
        nudges.thank(deps, team_id=request.team_id, user_id=request.user_id, channel_id=source[0], ts=source[1])
    return Replace(blocks.build_nudge_thanked())


def handle_nudge_optout(request: Request, deps: Deps) -> Replace:
    """Don't show me these: the person's tips are off from now on (stored before Slack hears back)."""
    channel_id, ts = blocks.read_nudge_value(request.action_value) or ("", "")
    nudges.opt_out(deps, team_id=request.team_id, user_id=request.user_id, channel_id=channel_id, ts=ts)
    return Replace(blocks.build_nudge_opted_out())


def handle_nudges_toggle(request: Request, deps: Deps) -> None:
    """The Home tab's switch; the refreshed Home tab shows the new setting."""
    nudges.switch(deps, team_id=request.team_id, user_id=request.user_id, enabled=request.action_value == "on")
