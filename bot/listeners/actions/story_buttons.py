"""The principle tags on a shout-out (the chosen one is shown on it, and can be changed), and "Share as a story"
after Done. Both act only for the people the story or follow-up belongs to, or an admin (services)."""

from __future__ import annotations

from bot.blocks.story_modal import build_story_modal
from bot.domain.errors import RapportError
from bot.listeners.adapter import Modal
from bot.listeners.payloads import Request, row_id
from bot.runtime.deps import Deps
from bot.services import stories


def handle_story_tag(request: Request, deps: Deps) -> None:
    """Tag the story (or change its tag); the shout-out is updated through the outbox, like every other change."""
    value, _, principle = request.action_value.partition(":")
    story_id = row_id(value)
    if story_id is not None:
        stories.choose_principle(
            deps,
            request.client,
            team_id=request.team_id,
            story_id=story_id,
            user_id=request.user_id,
            principle=principle,
        )


def handle_share_story(request: Request, deps: Deps) -> Modal:
    """Share as a story: the story modal, prefilled from the follow-up, opened with this click's trigger id."""
    followup_id = row_id(request.action_value)
    if followup_id is None:
        raise RapportError("I couldn't tell which follow-up that was.", example="/followup list")
    draft = stories.draft_from_followup(
        deps, request.client, team_id=request.team_id, followup_id=followup_id, user_id=request.user_id
    )
    return Modal(build_story_modal(draft))
