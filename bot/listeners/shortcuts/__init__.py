"""Message and global shortcuts."""

from functools import partial

from slack_bolt import App

from bot.blocks.followups import FOLLOWUP_SHORTCUT_CALLBACK
from bot.blocks.story_modal import STORY_SHORTCUT_CALLBACK
from bot.listeners.adapter import on_shortcut
from bot.listeners.shortcuts.followup import handle_followup_shortcut
from bot.listeners.shortcuts.story import handle_story_shortcut
from bot.runtime.deps import Deps


def register(app: App, deps: Deps) -> None:
    """Register every shortcut."""
    on_shortcut(app, FOLLOWUP_SHORTCUT_CALLBACK, partial(handle_followup_shortcut, deps=deps), title="Follow up")
    on_shortcut(app, STORY_SHORTCUT_CALLBACK, partial(handle_story_shortcut, deps=deps), title="Share a good story")
