"""The "Share as a good story" message shortcut: a story modal prefilled with the people the message credits."""

from __future__ import annotations

from typing import Any

from bot.blocks.story_modal import build_story_modal
from bot.listeners.payloads import Request
from bot.runtime.deps import Deps
from bot.services import stories


def handle_story_shortcut(request: Request, deps: Deps) -> dict[str, Any]:
    """The modal to open while the trigger id is fresh; the message's words travel in its metadata."""
    draft = stories.draft_from_message(
        deps,
        team_id=request.team_id,
        channel_id=request.channel_id,
        message=request.message,
        bot_user_id=request.bot_user_id,
    )
    return build_story_modal(draft)
