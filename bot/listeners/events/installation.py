"""The app uninstalled, or its bot token revoked: the workspace's sending stops at once (its messages wait) and, with
OAuth installs, its installation is deleted from the store."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from bot.listeners.events.payloads import team_of
from bot.runtime.deps import Deps
from bot.services import installs, sending_holds


def handle_app_uninstalled(body: dict[str, Any], event: dict[str, Any], context: BoltContext, deps: Deps) -> None:
    """Hold the workspace's sending; its data is kept until retention or `rapport purge`."""
    team_id = team_of(body, event)
    if team_id is not None:
        sending_holds.stop_sending(deps, team_id=team_id, event="app_uninstalled", now=deps.clock())
        _forget(body, deps, team_id=team_id)


def handle_tokens_revoked(body: dict[str, Any], event: dict[str, Any], context: BoltContext, deps: Deps) -> None:
    """Hold the workspace's sending when the bot's token is among the revoked (user tokens are not Rapport's)."""
    team_id, tokens = team_of(body, event), event.get("tokens")
    bots = tokens.get("bot") if isinstance(tokens, dict) else None
    if team_id is not None and isinstance(bots, list) and bots:
        sending_holds.stop_sending(deps, team_id=team_id, event="tokens_revoked", now=deps.clock())
        _forget(body, deps, team_id=team_id)


def _forget(body: dict[str, Any], deps: Deps, *, team_id: str) -> None:
    enterprise = body.get("enterprise_id")
    installs.forget_installation(
        deps,
        team_id=team_id,
        enterprise_id=enterprise if isinstance(enterprise, str) else None,
        org_wide=body.get("is_enterprise_install") is True,
    )
