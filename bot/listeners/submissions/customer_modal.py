"""The add-customer modal: validate inside the modal, then show the result in it."""

from __future__ import annotations

from typing import Any

from bot.blocks import customers as blocks
from bot.blocks.results import build_result_view
from bot.domain.customer_commands import AddCustomer, parse_date
from bot.listeners.payloads import Request
from bot.runtime.deps import Deps
from bot.services import directory

# The form's letter-case choice, as `/customer exact` stores it.
_EXACT = {blocks.EXACT_ON: True, blocks.EXACT_OFF: False}


def handle_add_customer_submission(request: Request, deps: Deps) -> dict[str, Any]:
    """Add the customer from the modal; an error names its field and appears next to it."""
    name = str(request.value(blocks.NAME_BLOCK, blocks.NAME_ACTION) or "")
    aliases = str(request.value(blocks.ALIASES_BLOCK, blocks.ALIASES_ACTION) or "")
    owner = str(request.value(blocks.OWNER_BLOCK, blocks.OWNER_ACTION, "selected_user") or request.user_id)
    backup = request.value(blocks.BACKUP_BLOCK, blocks.BACKUP_ACTION, "selected_user")
    since_text = request.value(blocks.SINCE_BLOCK, blocks.SINCE_ACTION, "selected_date")
    choice = request.value(blocks.EXACT_BLOCK, blocks.EXACT_ACTION, "selected_option")
    command = AddCustomer(
        name=name,
        aliases=tuple(a.strip() for a in aliases.split(",") if a.strip()),
        owner_user_id=owner,
        since=parse_date(str(since_text)) if since_text else None,
        exact=_EXACT.get(str(choice.get("value"))) if isinstance(choice, dict) else None,
        backup_user_id=str(backup) if backup else None,
    )
    added = directory.add_customer(deps, team_id=request.team_id, command=command, created_by=request.user_id)
    return build_result_view("Customer added", blocks.confirm_added(added))
