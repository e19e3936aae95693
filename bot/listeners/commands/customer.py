"""`/customer`: parse, call the directory service, reply ephemerally."""

from __future__ import annotations

from typing import Any

from bot.blocks import customers as blocks
from bot.blocks import history as history_blocks
from bot.blocks import triage as triage_blocks
from bot.domain import customer_commands as cmd
from bot.listeners.adapter import Modal
from bot.listeners.payloads import Request
from bot.runtime.deps import Deps
from bot.services import directory, history, triage


def handle_customer_command(request: Request, deps: Deps) -> dict[str, Any] | Modal:
    """Answer `/customer …` within Slack's three seconds; no text opens the add-customer modal."""
    team_id, user_id, channel_id = request.team_id, request.user_id, request.channel_id
    parsed = cmd.parse_customer_command(request.text)
    match parsed:
        case cmd.Help():
            return blocks.build_customer_help()
        case cmd.OpenModal():
            return Modal(blocks.build_add_customer_modal(channel_id=channel_id, owner_user_id=user_id))
        case cmd.ListCustomers():
            return blocks.build_customer_list(directory.list_customers(deps, team_id=team_id))
        case cmd.AddCustomer():
            added = directory.add_customer(deps, team_id=team_id, command=parsed, created_by=user_id)
            return blocks.confirm_added(added)
        case cmd.ShowCustomer(query=query):
            return blocks.build_customer_card(directory.customer_card(deps, team_id=team_id, query=query))
        case cmd.ShowHistory(query=query):
            shown = history.history_by_name(deps, team_id=team_id, query=query)
            return Modal(history_blocks.build_history_modal(shown))
        case cmd.SetOwner(query=query, owner_user_id=owner):
            name = directory.set_owner(
                deps, request.client, team_id=team_id, query=query, owner_user_id=owner, user_id=user_id
            )
            return blocks.confirm_owner(name, owner)
        case cmd.SetBackup(query=query, backup_user_id=backup):
            name, backup = directory.set_backup(
                deps, request.client, team_id=team_id, query=query, backup_user_id=backup, user_id=user_id
            )
            return blocks.confirm_backup(name, backup)
        case cmd.AddAlias(text=text):
            return blocks.confirm_alias(directory.add_alias(deps, team_id=team_id, text=text))
        case cmd.SetExact(query=query, exact=exact):
            matching = directory.set_exact(deps, team_id=team_id, query=query, exact=exact)
            return blocks.confirm_exact(matching, changed=exact is not None)
        case cmd.RemoveCustomer(query=query):
            removal = directory.removal_question(deps, request.client, team_id=team_id, query=query, user_id=user_id)
            return blocks.build_removal_question(removal)
        case cmd.SetTriage():
            settled = triage.customer_triage(deps, request.client, team_id=team_id, command=parsed, user_id=user_id)
            return triage_blocks.confirm_customer_triage(settled)
        case cmd.LinkChannel(query=query):
            name = directory.link_channel(deps, team_id=team_id, query=query, channel_id=channel_id)
            return blocks.confirm_linked(name, channel_id)
    raise AssertionError(f"unhandled command {parsed!r}")
