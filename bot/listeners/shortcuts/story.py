"""The "Share as a good story" message shortcut: a story modal prefilled with the people the message credits."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.customers import build_error
from bot.blocks.results import build_result_view
from bot.blocks.story_modal import build_story_modal
from bot.domain.errors import RapportError
from bot.runtime.deps import Deps
from bot.services import stories


def handle_story_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient, context: BoltContext,
                          deps: Deps) -> None:  # fmt: skip
    """Open the modal while the trigger id is fresh; the message's words travel in the modal's metadata."""
    ack()
    team_id = str((shortcut.get("team") or {}).get("id") or "")
    channel_id = str((shortcut.get("channel") or {}).get("id") or "")
    try:
        draft = stories.draft_from_message(deps, team_id=team_id, channel_id=channel_id,
                                           message=shortcut.get("message") or {},
                                           bot_user_id=context.bot_user_id)  # fmt: skip
        view = build_story_modal(draft)
    except RapportError as error:
        view = build_result_view("Share a good story", build_error(error))
    client.views_open(trigger_id=shortcut["trigger_id"], view=view)
