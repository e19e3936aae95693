"""Buttons on the gone-quiet DM: Plan a check-in and Snooze 30 days. Each updates its customer's line in place.

Both act only for the customer's owner or an admin; anyone else gets a polite line (services)."""

from __future__ import annotations

from bot.blocks import relationships as blocks
from bot.domain.errors import RapportError
from bot.listeners.adapter import Replace
from bot.listeners.payloads import Request, row_id
from bot.runtime.deps import Deps
from bot.services import relationships


def _customer_id(request: Request) -> int:
    customer_id = row_id(request.action_value)
    if customer_id is None:
        raise RapportError("I couldn't tell which customer that was.", example="/customer list")
    return customer_id


def _answered(request: Request, customer_id: int, line: str) -> Replace:
    """The DM with the clicked customer's buttons replaced by `line`."""
    return Replace(blocks.build_quiet_answered(request.message, customer_id=customer_id, line=line))


def handle_plan_checkin(request: Request, deps: Deps) -> Replace:
    """Plan a check-in: a check-in follow-up for the clicker, due at the workspace default."""
    customer_id = _customer_id(request)
    result = relationships.plan_checkin(
        deps, request.client, team_id=request.team_id, customer_id=customer_id, user_id=request.user_id
    )
    return _answered(request, customer_id, blocks.checkin_line(result))


def handle_snooze_quiet(request: Request, deps: Deps) -> Replace:
    """Snooze 30 days: the customer is not listed as quiet again before then."""
    customer_id = _customer_id(request)
    result = relationships.snooze_quiet(
        deps, request.client, team_id=request.team_id, customer_id=customer_id, user_id=request.user_id
    )
    return _answered(request, customer_id, blocks.snooze_line(result))
