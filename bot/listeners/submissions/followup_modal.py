"""The follow-up modal: validate inside the modal, then show the confirmation in it."""

from __future__ import annotations

from typing import Any

from bot.blocks import followups as blocks
from bot.blocks.results import build_result_view
from bot.listeners.payloads import Request
from bot.runtime.deps import Deps
from bot.services import followups


def handle_followup_submission(request: Request, deps: Deps) -> dict[str, Any]:
    """Create the follow-up; a bad customer or *when* is explained next to its field, and nothing is created."""
    channel, ts = blocks.read_followup_source(request.metadata)
    form = followups.FollowUpForm(
        owner=str(
            request.value(blocks.MODAL_OWNER_BLOCK, blocks.MODAL_OWNER_ACTION, "selected_user") or request.user_id
        ),
        customer=str(request.value(blocks.MODAL_CUSTOMER_BLOCK, blocks.MODAL_CUSTOMER_ACTION) or ""),
        when=str(request.value(blocks.MODAL_WHEN_BLOCK, blocks.MODAL_WHEN_ACTION) or ""),
        note=str(request.value(blocks.MODAL_NOTE_BLOCK, blocks.MODAL_NOTE_ACTION) or ""),
        source_channel_id=channel,
        source_ts=ts,
    )
    views = followups.create_from_form(
        deps, request.client, team_id=request.team_id, created_by=request.user_id, form=form
    )
    return build_result_view("Follow-up created", blocks.confirm_created(views, creator=request.user_id))
