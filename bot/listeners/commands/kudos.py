"""`/kudos @someone what they did`: record the story, post the shout-out, confirm to the giver."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.blocks import stories as blocks
from bot.domain import stories as domain
from bot.listeners.replies import answer_command
from bot.runtime.deps import Deps
from bot.services import stories


def handle_kudos_command(ack: Ack, command: dict[str, Any], deps: Deps) -> None:
    """Answer `/kudos …` within Slack's three seconds."""
    team_id, user_id = command.get("team_id", ""), command.get("user_id", "")

    def reply() -> dict[str, Any] | None:
        parsed = domain.parse_kudos(command.get("text") or "", giver=user_id)
        if isinstance(parsed, domain.KudosHelp):
            return blocks.build_kudos_help()
        view, where = stories.give_kudos(deps, team_id=team_id, giver=user_id,
                                         channel_id=command.get("channel_id", ""), kudos=parsed)  # fmt: skip
        return blocks.confirm_kudos(view, shoutout_channel=where)

    answer_command(ack, reply)
