"""Events API listeners."""

import re
from functools import partial
from typing import Any

from slack_bolt import App, BoltContext

from bot.listeners.adapter import on_event
from bot.listeners.events.home import handle_app_home_opened
from bot.listeners.events.installation import handle_app_uninstalled, handle_tokens_revoked
from bot.listeners.events.membership import handle_channel_left, handle_member_joined, handle_member_left
from bot.listeners.events.messages import handle_message_event
from bot.listeners.events.reactions import handle_reaction_added, handle_reaction_removed
from bot.runtime.deps import Deps


def ignore_event(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
    """Acknowledge an event Rapport has no use for, so Slack does not retry it."""


def register(app: App, deps: Deps) -> None:
    """Register every event listener; the catch-all comes last because Bolt runs the first match."""
    on_event(app, "message", partial(handle_message_event, deps=deps))
    on_event(app, "member_joined_channel", partial(handle_member_joined, deps=deps))
    on_event(app, "member_left_channel", partial(handle_member_left, deps=deps))
    on_event(app, "channel_left", partial(handle_channel_left, deps=deps))
    on_event(app, "group_left", partial(handle_channel_left, deps=deps))
    on_event(app, "reaction_added", partial(handle_reaction_added, deps=deps))
    on_event(app, "reaction_removed", partial(handle_reaction_removed, deps=deps))
    on_event(app, "app_home_opened", partial(handle_app_home_opened, deps=deps))
    on_event(app, "app_uninstalled", partial(handle_app_uninstalled, deps=deps))
    on_event(app, "tokens_revoked", partial(handle_tokens_revoked, deps=deps))
    on_event(app, re.compile(".*"), ignore_event)
