"""`/kudos @someone what they did`: record the story, post the shout-out, confirm to the giver."""

from __future__ import annotations

from typing import Any

from bot.blocks import stories as blocks
from bot.domain import stories as domain
from bot.listeners.payloads import Request
from bot.runtime.deps import Deps
from bot.services import stories


def handle_kudos_command(request: Request, deps: Deps) -> dict[str, Any]:
    """Answer `/kudos …` within Slack's three seconds."""
    parsed = domain.parse_kudos(request.text, giver=request.user_id)
    if isinstance(parsed, domain.KudosHelp):
        return blocks.build_kudos_help()
    kudos = stories.with_group_members(
        deps, request.client, team_id=request.team_id, giver=request.user_id, kudos=parsed
    )
    view, where = stories.give_kudos(
        deps, team_id=request.team_id, giver=request.user_id, channel_id=request.channel_id, kudos=kudos
    )
    return blocks.confirm_kudos(view, shoutout_channel=where)
