"""The buttons of `/customer remove`'s confirmation: Remove (its owner or an admin, checked again) and Keep."""

from __future__ import annotations

from bot.blocks import customers as blocks
from bot.domain.errors import RapportError
from bot.listeners.adapter import Replace
from bot.listeners.payloads import Request, row_id
from bot.runtime.deps import Deps
from bot.services import directory


def _customer_id(request: Request) -> int:
    customer_id = row_id(request.action_value)
    if customer_id is None:
        raise RapportError("I couldn't tell which customer that was.", example="/customer list")
    return customer_id


def handle_remove_confirm(request: Request, deps: Deps) -> Replace:
    """Remove the customer, then say what was deleted and what was kept."""
    removal = directory.remove_customer(
        deps, request.client, team_id=request.team_id, customer_id=_customer_id(request), user_id=request.user_id
    )
    return Replace(blocks.confirm_removed(removal))


def handle_remove_keep(request: Request, deps: Deps) -> Replace:
    """Keep: nothing is removed."""
    name = directory.name_of(deps, team_id=request.team_id, customer_id=_customer_id(request))
    return Replace(blocks.build_removal_kept(name))
