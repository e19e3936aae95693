"""`/followup`: parse, call the follow-up service, reply ephemerally."""

from __future__ import annotations

from typing import Any

from bot.blocks import followups as blocks
from bot.domain import followup_commands as cmd
from bot.listeners.adapter import Modal
from bot.listeners.payloads import Request
from bot.runtime.deps import Deps
from bot.services import followups


def handle_followup_command(request: Request, deps: Deps) -> dict[str, Any] | Modal:
    """Answer `/followup …` within Slack's three seconds; no text opens the follow-up modal."""
    team_id, user_id = request.team_id, request.user_id
    parsed = cmd.parse_followup_command(request.text)
    match parsed:
        case cmd.Help():
            return blocks.build_followup_help(date_order=followups.date_order(deps, team_id=team_id))
        case cmd.OpenModal():
            return Modal(
                blocks.build_followup_modal(
                    owner_user_id=user_id, customer_name=None, source={"channel": request.channel_id}
                )
            )
        case cmd.ListFollowUps():
            listing = followups.list_filtered(deps, team_id=team_id, user_id=user_id, command=parsed)
            return blocks.build_followup_list(listing, now=deps.clock())
        case cmd.NewFollowUp(owners=owners, text=text):
            views = followups.create_followups(
                deps, request.client, team_id=team_id, created_by=user_id, owners=owners, text=text
            )
            return blocks.confirm_created(views, creator=user_id)
    raise AssertionError(f"unhandled command {parsed!r}")
