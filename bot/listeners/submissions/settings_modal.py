"""The settings modal: admins only, every problem shown next to its field, the saved changes shown in it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.blocks import settings_modal as blocks
from bot.blocks.results import build_result_view
from bot.domain.workspace_settings import SettingsInvalid
from bot.runtime.deps import Deps
from bot.services import settings


def handle_settings_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                               deps: Deps) -> None:  # fmt: skip
    """Save the settings (admins only, checked again: someone may have lost the role since opening it)."""
    user_id = (body.get("user") or {}).get("id", "")
    team_id = view.get("team_id") or (body.get("team") or {}).get("id") or ""
    if not settings.is_admin(deps, client, team_id=team_id, user_id=user_id):
        ack(response_action="update", view=build_result_view("Rapport settings", blocks.build_not_admin()))
        return
    try:
        changes = settings.save(deps, client, team_id=team_id, user_id=user_id, form=blocks.read_settings_form(view))
    except SettingsInvalid as invalid:
        ack(response_action="errors", errors={key: text[:1900] for key, text in invalid.errors.items()})
        return
    ack(response_action="update", view=build_result_view("Rapport settings", blocks.build_settings_saved(changes)))
