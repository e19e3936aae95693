"""Events API listeners."""

import re

from slack_bolt import App

from bot.listeners.events.membership import handle_channel_left, handle_member_joined, handle_member_left
from bot.listeners.events.messages import handle_message_event


def ignore_event() -> None:
    """Acknowledge an event Rapport has no use for, so Slack does not retry it."""


def register(app: App) -> None:
    """Register every event listener; the catch-all comes last because Bolt runs the first match."""
    app.event("message")(handle_message_event)
    app.event("member_joined_channel")(handle_member_joined)
    app.event("member_left_channel")(handle_member_left)
    app.event("channel_left")(handle_channel_left)
    app.event("group_left")(handle_channel_left)
    app.event(re.compile(".*"))(ignore_event)
