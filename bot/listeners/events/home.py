"""The Home tab, refreshed whenever a person opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from bot.listeners.events.payloads import team_of
from bot.runtime.deps import Deps
from bot.services import home


def handle_app_home_opened(body: dict[str, Any], event: dict[str, Any], context: BoltContext, deps: Deps) -> None:
    """Queue a fresh Home tab (the Messages tab needs nothing)."""
    team_id, user = team_of(body, event), event.get("user")
    if team_id is None or event.get("tab", "home") != "home" or not isinstance(user, str) or not user:
        return
    home.publish_on_open(deps, team_id=team_id, user_id=user)
