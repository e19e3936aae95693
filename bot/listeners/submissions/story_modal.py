"""The story modal: validate inside the modal, then show the confirmation in it."""

from __future__ import annotations

from typing import Any

from bot.blocks import story_modal as blocks
from bot.blocks.results import build_result_view
from bot.listeners.payloads import Request
from bot.runtime.deps import Deps
from bot.services import stories


def handle_story_submission(request: Request, deps: Deps) -> dict[str, Any]:
    """Record the story; no one credited (or only yourself) is explained next to its field, and nothing is kept."""
    credited = request.value(blocks.CREDITED_BLOCK, blocks.CREDITED_ACTION, "selected_users")
    principle = request.value(blocks.PRINCIPLE_BLOCK, blocks.PRINCIPLE_ACTION, "selected_option")
    form = stories.StoryForm(
        credited=tuple(u for u in credited if isinstance(u, str)) if isinstance(credited, list) else (),
        thanks=str(request.value(blocks.THANKS_BLOCK, blocks.THANKS_ACTION) or ""),
        principle=(principle.get("value") or None) if isinstance(principle, dict) else None,
        source=blocks.read_story_metadata(request.metadata),
        submission_id=request.view.get("id") or None,
    )
    shared = stories.share_story(deps, team_id=request.team_id, sharer=request.user_id, form=form)
    reply = blocks.confirm_shared(shared) if shared is not None else blocks.confirm_already_shared()
    return build_result_view("Story shared", reply)
