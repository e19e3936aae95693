"""The settings modal: admins only, every problem shown next to its field, the saved changes shown in it."""

from __future__ import annotations

from typing import Any

from bot.blocks import settings_modal as blocks
from bot.blocks.results import build_result_view
from bot.listeners.payloads import Request
from bot.runtime.deps import Deps
from bot.services import settings


def handle_settings_submission(request: Request, deps: Deps) -> dict[str, Any]:
    """Save the settings (admins only, checked again: someone may have lost the role since opening it)."""
    team_id, user_id = request.team_id, request.user_id
    if not settings.is_admin(deps, request.client, team_id=team_id, user_id=user_id):
        return build_result_view("Rapport settings", blocks.build_not_admin())
    changes = settings.save(
        deps, request.client, team_id=team_id, user_id=user_id, form=blocks.read_settings_form(request.view)
    )
    return build_result_view("Rapport settings", blocks.build_settings_saved(changes))
