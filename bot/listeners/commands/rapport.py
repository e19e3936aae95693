"""`/rapport`: help, stats, the admins' settings modal, a person's tone tips and promise offers, and forget-me."""

from __future__ import annotations

from typing import Any

from bot.blocks import nudges as nudge_blocks
from bot.blocks import privacy as privacy_blocks
from bot.blocks import promises as promise_blocks
from bot.blocks import settings_modal as settings_blocks
from bot.blocks import stats as blocks
from bot.domain import rapport_commands as cmd
from bot.listeners.adapter import Modal
from bot.listeners.payloads import Request
from bot.runtime.deps import Deps
from bot.services import nudges, promises, settings, stats


def handle_rapport_command(request: Request, deps: Deps) -> dict[str, Any] | Modal:
    """Answer `/rapport …` within Slack's three seconds."""
    team_id, user_id = request.team_id, request.user_id
    parsed = cmd.parse_rapport_command(request.text)
    match parsed:
        case cmd.Help():
            return blocks.build_rapport_help()
        case cmd.Stats():
            return blocks.build_stats(stats.workspace_stats(deps, team_id=team_id))
        case cmd.OpenSettings(asked=asked):
            if not settings.is_admin(deps, request.client, team_id=team_id, user_id=user_id):
                return settings_blocks.build_not_admin() if asked else blocks.build_rapport_help()
            current = settings.current(deps, team_id=team_id)
            return Modal(
                settings_blocks.build_settings_modal(
                    current.values, rules=current.rules, last_change=current.last_change, timezone=current.timezone
                )
            )
        case cmd.SwitchNudges(enabled=enabled):
            result = nudges.switch(deps, team_id=team_id, user_id=user_id, enabled=enabled)
            return nudge_blocks.build_nudges_switched(
                enabled=result.enabled, workspace_enabled=result.workspace_enabled
            )
        case cmd.SwitchPromises(enabled=enabled):
            return promise_blocks.confirm_switch(
                promises.switch(deps, team_id=team_id, user_id=user_id, enabled=enabled)
            )
        case cmd.ForgetMe():
            return privacy_blocks.build_forget_me_question()
    raise AssertionError(f"unhandled command {parsed!r}")
