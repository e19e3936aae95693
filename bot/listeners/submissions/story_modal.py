"""The story modal: validate inside the modal, then show the confirmation in it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.blocks import story_modal as blocks
from bot.blocks.results import build_result_view
from bot.domain.errors import RapportError
from bot.domain.stories import BadStory
from bot.runtime.deps import Deps
from bot.services import stories


def _field(state: dict[str, Any], block: str, action: str) -> dict[str, Any]:
    found = (state.get(block) or {}).get(action)
    return found if isinstance(found, dict) else {}


def handle_story_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    """Record the story; no one credited (or only yourself) is explained next to its field, and nothing is kept."""
    state = (view.get("state") or {}).get("values") or {}
    principle = _field(state, blocks.PRINCIPLE_BLOCK, blocks.PRINCIPLE_ACTION).get("selected_option") or {}
    form = stories.StoryForm(
        credited=tuple(_field(state, blocks.CREDITED_BLOCK, blocks.CREDITED_ACTION).get("selected_users") or ()),
        thanks=str(_field(state, blocks.THANKS_BLOCK, blocks.THANKS_ACTION).get("value") or ""),
        principle=principle.get("value") or None,
        source=blocks.read_story_metadata(view.get("private_metadata")),
        submission_id=view.get("id") or None,
    )
    team_id = view.get("team_id") or (body.get("team") or {}).get("id") or ""
    try:
        shared = stories.share_story(deps, team_id=team_id, sharer=(body.get("user") or {}).get("id", ""), form=form)
    except RapportError as error:
        field = blocks.FIELD_BLOCKS.get(error.field) if isinstance(error, BadStory) else None
        ack(response_action="errors", errors={field or blocks.CREDITED_BLOCK: error.message[:1900]})
        return
    reply = blocks.confirm_shared(shared) if shared is not None else blocks.confirm_already_shared()
    ack(response_action="update", view=build_result_view("Story shared", reply))
