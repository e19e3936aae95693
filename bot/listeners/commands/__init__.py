"""Slash commands."""

from functools import partial

from slack_bolt import App

from bot.listeners.adapter import on_command
from bot.listeners.commands.customer import handle_customer_command
from bot.listeners.commands.followup import handle_followup_command
from bot.listeners.commands.kudos import handle_kudos_command
from bot.listeners.commands.rapport import handle_rapport_command
from bot.runtime.deps import Deps


def register(app: App, deps: Deps) -> None:
    """Register every slash command."""
    on_command(app, "/customer", partial(handle_customer_command, deps=deps))
    on_command(app, "/followup", partial(handle_followup_command, deps=deps))
    on_command(app, "/kudos", partial(handle_kudos_command, deps=deps))
    on_command(app, "/rapport", partial(handle_rapport_command, deps=deps))
