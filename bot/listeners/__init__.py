"""Thin Slack adapters, one package per surface."""

from slack_bolt import App

from bot.listeners import actions, commands, events, shortcuts, submissions
from bot.services.deps import Deps


def register(app: App, deps: Deps) -> None:
    """Register every listener on the app; each gets `deps` bound to its last parameter."""
    commands.register(app, deps)
    submissions.register(app, deps)
    actions.register(app, deps)
    shortcuts.register(app, deps)
    events.register(app, deps)
