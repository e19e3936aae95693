"""Buttons on the gone-quiet DM: Plan a check-in and Snooze 30 days. Each updates its customer's line in place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.blocks import relationships as blocks
from bot.blocks.customers import build_error
from bot.domain.errors import RapportError
from bot.listeners.interactions import actor
from bot.runtime.deps import Deps
from bot.services import relationships


def _customer_id(action: dict[str, Any]) -> int:
    value = str(action.get("value") or "")
    if not value.isdigit():
        raise RapportError("I couldn't tell which customer that was.", example="/customer list")
    return int(value)


def _answer(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
            line_for: Callable[[int], str]) -> None:  # fmt: skip
    ack()
    try:
        customer_id = _customer_id(action)
        line = line_for(customer_id)
    except RapportError as error:
        respond(response_type="ephemeral", replace_original=False, **build_error(error))
        return
    respond(replace_original=True, **blocks.build_quiet_answered(body.get("message"), customer_id=customer_id,
                                                                 line=line))  # fmt: skip


def handle_plan_checkin(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient,
                        deps: Deps) -> None:  # fmt: skip
    """Plan a check-in: a check-in follow-up for the clicker, due at the workspace default."""

    def line_for(customer_id: int) -> str:
        result = relationships.plan_checkin(deps, client, team_id=actor(body)[0], customer_id=customer_id,
                                            user_id=body["user"]["id"])  # fmt: skip
        return blocks.checkin_line(result)

    _answer(ack, body, action, respond, line_for)


def handle_snooze_quiet(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """Snooze 30 days: the customer is not listed as quiet again before then."""

    def line_for(customer_id: int) -> str:
        return blocks.snooze_line(relationships.snooze_quiet(deps, team_id=actor(body)[0], customer_id=customer_id))

    _answer(ack, body, action, respond, line_for)
