"""Modal submissions."""

from functools import partial

from slack_bolt import App

from bot.blocks.customers import ADD_CUSTOMER_CALLBACK
from bot.blocks.followups import FOLLOWUP_EDIT_CALLBACK, FOLLOWUP_MODAL_CALLBACK, PICK_TIME_CALLBACK
from bot.blocks.settings_modal import SETTINGS_MODAL_CALLBACK
from bot.blocks.story_modal import STORY_MODAL_CALLBACK
from bot.listeners.adapter import on_submission
from bot.listeners.submissions.customer_modal import handle_add_customer_submission
from bot.listeners.submissions.followup_modal import (
    handle_followup_edit_submission,
    handle_followup_submission,
    handle_pick_time_submission,
)
from bot.listeners.submissions.settings_modal import handle_settings_submission
from bot.listeners.submissions.story_modal import handle_story_submission
from bot.runtime.deps import Deps


def register(app: App, deps: Deps) -> None:
    """Register every view submission."""
    on_submission(app, ADD_CUSTOMER_CALLBACK, partial(handle_add_customer_submission, deps=deps))
    on_submission(app, FOLLOWUP_MODAL_CALLBACK, partial(handle_followup_submission, deps=deps))
    on_submission(app, FOLLOWUP_EDIT_CALLBACK, partial(handle_followup_edit_submission, deps=deps))
    on_submission(app, PICK_TIME_CALLBACK, partial(handle_pick_time_submission, deps=deps))
    on_submission(app, STORY_MODAL_CALLBACK, partial(handle_story_submission, deps=deps))
    on_submission(app, SETTINGS_MODAL_CALLBACK, partial(handle_settings_submission, deps=deps))
