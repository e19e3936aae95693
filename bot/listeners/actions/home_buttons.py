"""The Home tab's buttons at the top: New follow-up (the follow-up form) and Share a good story (the story form,
as the message shortcut opens it but about no message)."""

from __future__ import annotations

from bot.blocks.followups import build_followup_modal
from bot.blocks.story_modal import build_story_modal
from bot.listeners.adapter import Modal
from bot.listeners.payloads import Request
from bot.runtime.deps import Deps
from bot.services import stories
from bot.views.stories import StoryDraft, StorySource


def handle_new_followup(request: Request, deps: Deps) -> Modal:
    """The follow-up form, for the person who clicked (they can pick someone else in it)."""
    del deps  # the form needs nothing stored
    return Modal(build_followup_modal(owner_user_id=request.user_id, customer_name=None, source={}))


def handle_share_good_story(request: Request, deps: Deps) -> Modal:
    """The story form with nobody credited yet and no message: the line about what they did is the story."""
    tags = stories.offered_tags(deps, team_id=request.team_id)
    draft = StoryDraft(credited=(), about="", customer_name=None, source=StorySource(), principles=tags)
    return Modal(build_story_modal(draft))
