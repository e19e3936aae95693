"""`/followup`: parse, call the follow-up service, reply ephemerally."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.blocks import followups as blocks
from bot.domain import followup_commands as cmd
from bot.listeners.replies import answer_command
from bot.runtime.deps import Deps
from bot.services import followups


def handle_followup_command(ack: Ack, command: dict[str, Any], client: WebClient, deps: Deps) -> None:
    """Answer `/followup …` within Slack's three seconds."""
    team_id, user_id = command.get("team_id", ""), command.get("user_id", "")

    def reply() -> dict[str, Any] | None:
        parsed = cmd.parse_followup_command(command.get("text") or "")
        match parsed:
            case cmd.Help():
                return blocks.build_followup_help()
            case cmd.OpenModal():
                view = blocks.build_followup_modal(owner_user_id=user_id, customer_name=None,
                                                   source={"channel": command.get("channel_id", "")})  # fmt: skip
                client.views_open(trigger_id=command["trigger_id"], view=view)
                return None
            case cmd.ListFollowUps():
                views = followups.list_open(deps, team_id=team_id, user_id=user_id)
                return blocks.build_followup_list(views, now=deps.clock())
            case cmd.NewFollowUp(owners=owners, text=text):
                views = followups.create_followups(deps, client, team_id=team_id, created_by=user_id,
                                                   owners=owners, text=text)  # fmt: skip
                return blocks.confirm_created(views, creator=user_id)
        raise AssertionError(f"unhandled command {parsed!r}")

    answer_command(ack, reply)
