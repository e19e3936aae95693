"""`/rapport`: help, the workspace's stats, and an honest word about what is not there yet."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.blocks import stats as blocks
from bot.domain import rapport_commands as cmd
from bot.listeners.replies import answer_command
from bot.services import stats
from bot.services.deps import Deps


def handle_rapport_command(ack: Ack, command: dict[str, Any], deps: Deps) -> None:
    """Answer `/rapport …` within Slack's three seconds."""
    team_id = command.get("team_id", "")

    def reply() -> dict[str, Any]:
        parsed = cmd.parse_rapport_command(command.get("text") or "")
        match parsed:
            case cmd.Help():
                return blocks.build_rapport_help()
            case cmd.Stats():
                return blocks.build_stats(stats.workspace_stats(deps, team_id=team_id))
            case cmd.NotYet(name=name):
                return blocks.build_not_yet(name)
        raise AssertionError(f"unhandled command {parsed!r}")

    answer_command(ack, reply)
