"""The follow-up forms: a new follow-up, an edited one, and "Pick a time…"; each validates inside the form, then
shows its confirmation in it."""

from __future__ import annotations

from typing import Any

from bot.blocks import followups as blocks
from bot.blocks.results import build_result_view
from bot.domain.errors import RapportError
from bot.listeners.payloads import Request
from bot.runtime.deps import Deps
from bot.services import followups, promises


def _form(request: Request, *, source: tuple[str | None, str | None] = (None, None)) -> followups.FollowUpForm:
    """The follow-up form's fields as submitted."""
    return followups.FollowUpForm(
        owner=str(
            request.value(blocks.MODAL_OWNER_BLOCK, blocks.MODAL_OWNER_ACTION, "selected_user") or request.user_id
        ),
        customer=str(request.value(blocks.MODAL_CUSTOMER_BLOCK, blocks.MODAL_CUSTOMER_ACTION) or ""),
        when=str(request.value(blocks.MODAL_WHEN_BLOCK, blocks.MODAL_WHEN_ACTION) or ""),
        note=str(request.value(blocks.MODAL_NOTE_BLOCK, blocks.MODAL_NOTE_ACTION) or ""),
        source_channel_id=source[0],
        source_ts=source[1],
    )


def handle_followup_submission(request: Request, deps: Deps) -> dict[str, Any]:
    """Create the follow-up; a bad customer or *when* is explained next to its field, and nothing is created."""
    form = _form(request, source=blocks.read_followup_source(request.metadata))
    views = followups.create_from_form(
        deps, request.client, team_id=request.team_id, created_by=request.user_id, form=form
    )
    offer_id = blocks.read_offer_of_form(request.metadata)
    if offer_id is not None and views:  # opened by a promise offer's Change…: the offer is answered
        promises.mark_changed(
            deps, team_id=request.team_id, offer_id=offer_id, user_id=request.user_id, followup_id=views[0].id
        )
    return build_result_view("Follow-up created", blocks.confirm_created(views, creator=request.user_id))


def _followup_id(followup_id: int | None) -> int:
    if followup_id is None:
        raise RapportError("I couldn't tell which follow-up this form was for.", example="/followup list")
    return followup_id


def handle_followup_edit_submission(request: Request, deps: Deps) -> dict[str, Any]:
    """Save the edited follow-up; a bad customer or *when* is explained next to its field, and nothing changes."""
    meta = blocks.read_steer_metadata(request.metadata)
    view = followups.save_edit(
        deps,
        request.client,
        team_id=request.team_id,
        user_id=request.user_id,
        followup_id=_followup_id(meta.followup_id),
        form=_form(request),
        kept_when=meta.when,
        reminder=meta.reminder,
    )
    return build_result_view("Follow-up saved", blocks.confirm_saved(view, editor=request.user_id))


def handle_pick_time_submission(request: Request, deps: Deps) -> dict[str, Any]:
    """Snooze to the picked day and time (the owner's zone); a past one is refused under the time field. The
    reminder DM it was opened from says until when."""
    meta = blocks.read_steer_metadata(request.metadata)
    result = followups.snooze_until(
        deps,
        request.client,
        team_id=request.team_id,
        followup_id=_followup_id(meta.followup_id),
        reminder=meta.reminder,
        user_id=request.user_id,
        day=str(request.value(blocks.PICK_DATE_BLOCK, blocks.PICK_DATE_ACTION, "selected_date") or ""),
        at=str(request.value(blocks.PICK_TIME_BLOCK, blocks.PICK_TIME_ACTION, "selected_time") or ""),
    )
    return build_result_view("Follow-up snoozed", blocks.build_snoozed_line(result.view, changed=result.changed))
