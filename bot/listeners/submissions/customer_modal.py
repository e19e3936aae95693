"""The add-customer modal: validate inside the modal, then show the result in it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.blocks import customers as blocks
from bot.blocks.results import build_result_view
from bot.domain.customer_commands import AddCustomer, parse_date
from bot.domain.errors import BadDate, DuplicateName, RapportError
from bot.domain.matcher import normalize_name
from bot.runtime.deps import Deps
from bot.services import directory


def _value(state: dict[str, Any], block: str, action: str, key: str) -> Any:
    return (state.get(block) or {}).get(action, {}).get(key)


def handle_add_customer_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    """Add the customer from the modal; errors appear next to the field they concern."""
    state = (view.get("state") or {}).get("values") or {}
    user_id = (body.get("user") or {}).get("id", "")
    team_id = view.get("team_id") or (body.get("team") or {}).get("id") or ""
    name = _value(state, blocks.NAME_BLOCK, blocks.NAME_ACTION, "value") or ""
    aliases = _value(state, blocks.ALIASES_BLOCK, blocks.ALIASES_ACTION, "value") or ""
    owner = _value(state, blocks.OWNER_BLOCK, blocks.OWNER_ACTION, "selected_user") or user_id
    since_text = _value(state, blocks.SINCE_BLOCK, blocks.SINCE_ACTION, "selected_date")
    try:
        since = parse_date(since_text) if since_text else None
        command = AddCustomer(name=name, aliases=tuple(a.strip() for a in aliases.split(",") if a.strip()),
                              owner_user_id=owner, since=since)  # fmt: skip
        added = directory.add_customer(deps, team_id=team_id, command=command, created_by=user_id)
    except BadDate as error:
        ack(response_action="errors", errors={blocks.SINCE_BLOCK: error.message})
        return
    except DuplicateName as error:
        field = blocks.NAME_BLOCK if normalize_name(error.name) == normalize_name(name) else blocks.ALIASES_BLOCK
        ack(response_action="errors", errors={field: error.message})
        return
    except RapportError as error:
        ack(response_action="errors", errors={blocks.NAME_BLOCK: error.message})
        return
    ack(response_action="update", view=build_result_view("Customer added", blocks.confirm_added(added, owner)))
