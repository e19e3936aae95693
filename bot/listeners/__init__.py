"""Thin Slack adapters, one package per surface."""

from slack_bolt import App

from bot.listeners import commands, events, submissions


def register(app: App) -> None:
    """Register every listener on the app."""
    commands.register(app)
    submissions.register(app)
    events.register(app)
