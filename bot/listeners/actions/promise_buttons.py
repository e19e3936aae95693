"""Buttons on a promise offer: Remind me (the follow-up, no form), Change… (the follow-up form, prefilled) and Not
this time. The offer is shown to its author alone, so each acts only for them."""

from __future__ import annotations

from bot.blocks import followups as followup_blocks
from bot.blocks import promises as blocks
from bot.domain.errors import RapportError
from bot.listeners.adapter import Modal, Replace
from bot.listeners.payloads import Request
from bot.runtime.deps import Deps
from bot.services import promises


def _offer_id(request: Request) -> int:
    offer_id = blocks.read_offer_value(request.action_value)
    if offer_id is None:
        raise RapportError("I couldn't tell which promise that was.", example="/followup list")
    return offer_id


def handle_accept(request: Request, deps: Deps) -> Replace:
    """Remind me: the follow-up is created and the offer becomes its confirmation (a second click adds nothing)."""
    confirmation = promises.accept(deps, team_id=request.team_id, offer_id=_offer_id(request), user_id=request.user_id)
    return Replace(confirmation if confirmation is not None else blocks.build_already_answered())


def handle_change(request: Request, deps: Deps) -> Modal:
    """Change…: the follow-up form, prefilled with the offer; saving it answers the offer."""
    form = promises.change_prefill(deps, team_id=request.team_id, offer_id=_offer_id(request), user_id=request.user_id)
    return Modal(
        followup_blocks.build_followup_modal(
            owner_user_id=form.owner_user_id,
            customer_name=form.customer_name,
            source={"channel": form.channel_id, "ts": form.message_ts},
            promise=(form.offer_id, form.when_text, form.note),
        )
    )


def handle_promises_toggle(request: Request, deps: Deps) -> None:
    """The Home tab's switch; the refreshed Home tab shows the new setting."""
    promises.switch(deps, team_id=request.team_id, user_id=request.user_id, enabled=request.action_value == "on")


def handle_dismiss(request: Request, deps: Deps) -> Replace:
    """Not this time: nothing is created; the offer folds away."""
    promises.dismiss(deps, team_id=request.team_id, offer_id=_offer_id(request), user_id=request.user_id)
    return Replace(blocks.build_dismissed())
