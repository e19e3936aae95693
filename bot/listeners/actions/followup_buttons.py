"""Buttons on reminder DMs: Done, Snooze, Reassign, and Check back in 3 days. Each updates the DM in place."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.blocks import followups as blocks
from bot.blocks.customers import build_error
from bot.domain.errors import RapportError
from bot.listeners.interactions import actor
from bot.runtime.deps import Deps
from bot.services import followups

log = logging.getLogger(__name__)


def _id(text: str) -> int:
    """The follow-up id in a button value ("12", "12:1h") or block id ("followup_12")."""
    head = text.split(":", 1)[0].rsplit("_", 1)[-1]
    if not head.isdigit():
        raise RapportError("I couldn't tell which follow-up that was.", example="/followup list")
    return int(head)


def _answer(ack: Ack, respond: Respond, body: dict[str, Any], build: Callable[[], dict[str, Any]]) -> None:
    """Update the DM in place; on the Home tab (no message to update) the service has queued a fresh tab."""
    ack()
    on_home = (body.get("container") or {}).get("type") == "view"
    try:
        reply = build()
    except RapportError as error:
        if on_home:
            log.info("home tab click changed nothing: %s", error.message)
            return
        respond(response_type="ephemeral", replace_original=False, **build_error(error))
        return
    if not on_home:
        respond(replace_original=True, **reply)


def handle_done(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """Done: close the follow-up and offer to check back in."""

    def build() -> dict[str, Any]:
        followup_id = _id(str(action.get("value") or ""))
        result = followups.mark_done(deps, team_id=actor(body)[0], followup_id=followup_id, user_id=body["user"]["id"])
        return blocks.build_done(result.view, closed_by=result.closed_by, changed=result.changed, state=result.state)

    _answer(ack, respond, body, build)


def handle_snooze(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient,
                  deps: Deps) -> None:  # fmt: skip
    """Snooze: 1 hour, tomorrow or next week."""

    def build() -> dict[str, Any]:
        value = str((action.get("selected_option") or {}).get("value") or "")
        followup_id = _id(value)
        result = followups.snooze(deps, client, team_id=actor(body)[0], followup_id=followup_id,
                                  user_id=body["user"]["id"], choice=value.split(":", 1)[-1])  # fmt: skip
        return blocks.build_snoozed(result.view, changed=result.changed)

    _answer(ack, respond, body, build)


def handle_reassign(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """Reassign: hand the follow-up to the picked user, who gets a DM."""

    def build() -> dict[str, Any]:
        followup_id = _id(str(action.get("block_id") or ""))
        new_owner = str(action.get("selected_user") or "")
        if not new_owner:
            raise RapportError("Pick someone to hand this follow-up to.", example="/followup list")
        result = followups.reassign(deps, team_id=actor(body)[0], followup_id=followup_id, user_id=body["user"]["id"],
                                    new_owner=new_owner)  # fmt: skip
        return blocks.build_reassigned(result.view, changed=result.changed)

    _answer(ack, respond, body, build)


def handle_check_back(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient,
                      deps: Deps) -> None:  # fmt: skip
    """Check back in 3 days: a check-in follow-up, once."""
    ack()
    try:
        followup_id = _id(str(action.get("value") or ""))
        view = followups.check_back(deps, client, team_id=actor(body)[0], followup_id=followup_id,
                                    user_id=body["user"]["id"])  # fmt: skip
    except RapportError as error:
        respond(response_type="ephemeral", replace_original=False, **build_error(error))
        return
    line = blocks.confirm_check_back(view, changed=True)
    respond(response_type="ephemeral", replace_original=False, text=line)
