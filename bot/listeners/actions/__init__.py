"""Block actions: buttons and menus on the bot's messages."""

import re
from functools import partial

from slack_bolt import App

from bot.blocks import customers as customer_blocks
from bot.blocks import followups as blocks
from bot.blocks import history as history_blocks
from bot.blocks import home as home_blocks
from bot.blocks import nudges as nudge_blocks
from bot.blocks import privacy as privacy_blocks
from bot.blocks import promises as promise_blocks
from bot.blocks import relationships as relationship_blocks
from bot.blocks import triage as triage_blocks
from bot.blocks.stories import TAG_ACTION_PREFIX
from bot.listeners.actions.customer_buttons import handle_remove_confirm, handle_remove_keep
from bot.listeners.actions.followup_buttons import (
    handle_check_back,
    handle_done,
    handle_menu,
    handle_reassign,
    handle_snooze,
    handle_stop_repeating,
)
from bot.listeners.actions.history_buttons import handle_history_open, handle_history_page
from bot.listeners.actions.home_buttons import handle_new_followup, handle_share_good_story
from bot.listeners.actions.nudge_buttons import handle_nudge_optout, handle_nudge_thanks, handle_nudges_toggle
from bot.listeners.actions.privacy_buttons import handle_forget_cancel, handle_forget_confirm
from bot.listeners.actions.promise_buttons import (
    handle_accept,
    handle_change,
    handle_dismiss,
    handle_promises_toggle,
)
from bot.listeners.actions.relationship_buttons import handle_plan_checkin, handle_snooze_quiet
from bot.listeners.actions.story_buttons import handle_share_story, handle_story_tag
from bot.listeners.actions.triage_buttons import handle_answered, handle_claim
from bot.listeners.adapter import on_action
from bot.runtime.deps import Deps


def register(app: App, deps: Deps) -> None:
    """Register every block action."""
    on_action(app, blocks.DONE_ACTION, partial(handle_done, deps=deps))
    on_action(app, blocks.SNOOZE_ACTION, partial(handle_snooze, deps=deps))
    on_action(app, blocks.REASSIGN_ACTION, partial(handle_reassign, deps=deps))
    on_action(app, blocks.MENU_ACTION, partial(handle_menu, deps=deps))
    on_action(app, blocks.STOP_REPEATING_ACTION, partial(handle_stop_repeating, deps=deps))
    on_action(app, home_blocks.NEW_FOLLOWUP_ACTION, partial(handle_new_followup, deps=deps))
    on_action(app, home_blocks.SHARE_STORY_ACTION, partial(handle_share_good_story, deps=deps))
    on_action(app, blocks.CHECK_BACK_ACTION, partial(handle_check_back, deps=deps))
    on_action(app, blocks.SHARE_STORY_ACTION, partial(handle_share_story, deps=deps))
    on_action(app, relationship_blocks.PLAN_CHECKIN_ACTION, partial(handle_plan_checkin, deps=deps))
    on_action(app, relationship_blocks.SNOOZE_QUIET_ACTION, partial(handle_snooze_quiet, deps=deps))
    on_action(app, re.compile(f"^{TAG_ACTION_PREFIX}"), partial(handle_story_tag, deps=deps))
    on_action(app, nudge_blocks.NUDGE_THANKS_ACTION, partial(handle_nudge_thanks, deps=deps))
    on_action(app, nudge_blocks.NUDGE_OPTOUT_ACTION, partial(handle_nudge_optout, deps=deps))
    on_action(app, nudge_blocks.NUDGES_TOGGLE_ACTION, partial(handle_nudges_toggle, deps=deps))
    on_action(app, promise_blocks.PROMISE_ACCEPT_ACTION, partial(handle_accept, deps=deps))
    on_action(app, promise_blocks.PROMISE_CHANGE_ACTION, partial(handle_change, deps=deps))
    on_action(app, promise_blocks.PROMISE_DISMISS_ACTION, partial(handle_dismiss, deps=deps))
    on_action(app, promise_blocks.PROMISES_TOGGLE_ACTION, partial(handle_promises_toggle, deps=deps))
    on_action(app, privacy_blocks.FORGET_CONFIRM_ACTION, partial(handle_forget_confirm, deps=deps))
    on_action(app, privacy_blocks.FORGET_CANCEL_ACTION, handle_forget_cancel)
    on_action(app, customer_blocks.REMOVE_CONFIRM_ACTION, partial(handle_remove_confirm, deps=deps))
    on_action(app, customer_blocks.REMOVE_KEEP_ACTION, partial(handle_remove_keep, deps=deps))
    on_action(app, history_blocks.HISTORY_ACTION, partial(handle_history_open, deps=deps))
    on_action(app, history_blocks.NEWER_ACTION, partial(handle_history_page, deps=deps))
    on_action(app, history_blocks.OLDER_ACTION, partial(handle_history_page, deps=deps))
    on_action(app, triage_blocks.CLAIM_ACTION, partial(handle_claim, deps=deps))
    on_action(app, triage_blocks.ANSWERED_ACTION, partial(handle_answered, deps=deps))
