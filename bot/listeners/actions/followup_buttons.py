"""Buttons on reminder DMs: Done, Snooze, Reassign, and Check back in 3 days. Each updates the DM in place.

Each acts only for the follow-up's owner, its creator or an admin; anyone else gets a polite line (services)."""

from __future__ import annotations

from bot.blocks import followups as blocks
from bot.domain.errors import RapportError
from bot.listeners.adapter import Replace, Reply
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


def handle_snooze(request: Request, deps: Deps) -> Replace:
    """Snooze: 1 hour, tomorrow or next week."""
    option = request.action.get("selected_option")
    value = str(option.get("value") or "") if isinstance(option, dict) else ""
    result = followups.snooze(
        deps,
        request.client,
        team_id=request.team_id,
        followup_id=_id(value),
        user_id=request.user_id,
        choice=value.split(":", 1)[-1],
    )
    return Replace(blocks.build_snoozed(result.view, changed=result.changed))


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
