"""Slash commands."""

from slack_bolt import App

from bot.listeners.commands.customer import handle_customer_command


def register(app: App) -> None:
    """Register every slash command."""
    app.command("/customer")(handle_customer_command)
