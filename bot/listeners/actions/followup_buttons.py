"""Buttons and menus on follow-ups (reminder DMs, `/followup list`, the Home tab): Done, Snooze (presets, or Pick a
time…), Reassign, the menu (Edit…, Cancel, and Done in the list), and Check back in 3 days. A reminder DM is
updated in place; a click in the list is answered privately; the Home tab is refreshed by the service.

Each acts only for the follow-up's owner, its creator or an admin; anyone else gets a polite line (services)."""

from __future__ import annotations

from bot.blocks import followups as blocks
from bot.domain.errors import RapportError
from bot.listeners.adapter import Modal, Replace, Reply
from bot.listeners.payloads import Request, row_id
from bot.runtime.deps import Deps
from bot.services import followups


def _id(text: str) -> int:
    """The follow-up id in a button value ("12", "12:1h") or block id ("followup_12")."""
    followup_id = row_id(text.split(":", 1)[0].rsplit("_", 1)[-1])
    if followup_id is None:
        raise RapportError("I couldn't tell which follow-up that was.", example="/followup list")
    return followup_id


def handle_done(request: Request, deps: Deps) -> Replace:
    """Done: close the follow-up and offer to check back in."""
    result = followups.mark_done(
        deps, request.client, team_id=request.team_id, followup_id=_id(request.action_value), user_id=request.user_id
    )
    return Replace(
        blocks.build_done(result.view, closed_by=result.closed_by, changed=result.changed, state=result.state)
    )


def _selected(request: Request) -> str:
    """The value of the option picked in a select or overflow menu ("12:1h", "12:cancel")."""
    option = request.action.get("selected_option")
    return str(option.get("value") or "") if isinstance(option, dict) else ""


def _in_list(request: Request) -> bool:
    """Whether the click came from a `/followup list` answer (answered privately, the list left as it is)."""
    return str(request.action.get("block_id") or "").startswith(blocks.LIST_BLOCK_PREFIX)


def handle_snooze(request: Request, deps: Deps) -> Replace | Modal:
    """Snooze: 20 minutes, 1 hour, 3 hours, tomorrow or next week; or Pick a time… (a form)."""
    value = _selected(request)
    choice = value.split(":", 1)[-1]
    if choice == blocks.PICK_CHOICE:
        return _pick_time(request, deps, _id(value))
    result = followups.snooze(
        deps, request.client, team_id=request.team_id, followup_id=_id(value), user_id=request.user_id, choice=choice
    )
    return Replace(blocks.build_snoozed(result.view, changed=result.changed))


def _pick_time(request: Request, deps: Deps, followup_id: int) -> Modal:
    view, timezone, tomorrow = followups.pick_time_prefill(
        deps, request.client, team_id=request.team_id, followup_id=followup_id, user_id=request.user_id
    )
    return Modal(
        blocks.build_pick_time_modal(view, timezone=timezone, initial_day=tomorrow, reminder=_reminder(request))
    )


def _reminder(request: Request) -> tuple[str, str] | None:
    """The reminder DM a click came from, for the form it opens to update once submitted (not the list, not the
    Home tab)."""
    return None if _in_list(request) else request.clicked_message


def handle_menu(request: Request, deps: Deps) -> Replace | Reply | Modal:
    """The menu: Edit… (the follow-up form, prefilled), Cancel, or Done (in the list)."""
    value = _selected(request)
    followup_id, verb = _id(value), value.split(":", 1)[-1]
    team_id, user_id = request.team_id, request.user_id
    if verb == blocks.EDIT:
        editing = followups.edit_prefill(
            deps, request.client, team_id=team_id, followup_id=followup_id, user_id=user_id
        )
        return Modal(
            blocks.build_followup_modal(
                owner_user_id=editing.owner_user_id,
                customer_name=editing.customer_name,
                source={},
                editing=editing,
                reminder=_reminder(request),
            )
        )
    if verb == blocks.CANCEL:
        result = followups.cancel(deps, request.client, team_id=team_id, followup_id=followup_id, user_id=user_id)
        body = blocks.build_cancelled(
            result.view, closed_by=result.closed_by, changed=result.changed, state=result.state
        )
    elif verb == blocks.DONE:
        result = followups.mark_done(deps, request.client, team_id=team_id, followup_id=followup_id, user_id=user_id)
        body = blocks.build_done(result.view, closed_by=result.closed_by, changed=result.changed, state=result.state)
    else:
        raise RapportError("I don't know that choice. Try the menu again.", example="/followup list")
    return Reply(body) if _in_list(request) else Replace(body)


def handle_reassign(request: Request, deps: Deps) -> Replace:
    """Reassign: hand the follow-up to the picked user, who gets a DM."""
    followup_id = _id(str(request.action.get("block_id") or ""))
    new_owner = str(request.action.get("selected_user") or "")
    if not new_owner:
        raise RapportError("Pick someone to hand this follow-up to.", example="/followup list")
    result = followups.reassign(
        deps,
        request.client,
        team_id=request.team_id,
        followup_id=followup_id,
        user_id=request.user_id,
        new_owner=new_owner,
    )
    return Replace(blocks.build_reassigned(result.view, changed=result.changed))


def handle_check_back(request: Request, deps: Deps) -> Reply:
    """Check back in 3 days: a check-in follow-up, once."""
    view = followups.check_back(
        deps, request.client, team_id=request.team_id, followup_id=_id(request.action_value), user_id=request.user_id
    )
    return Reply({"text": blocks.confirm_check_back(view, changed=True)})


def handle_stop_repeating(request: Request, deps: Deps) -> Replace:
    """Stop repeating: no more occurrences after this one (which stays open, with its buttons)."""
    result = followups.stop_repeating(
        deps, request.client, team_id=request.team_id, followup_id=_id(request.action_value), user_id=request.user_id
    )
    return Replace(blocks.build_stopped(result.view, changed=result.changed, by=request.user_id))
