"""Who clicked: the workspace and the person of a block action, read the same way by every button listener."""

from __future__ import annotations

from typing import Any


def actor(body: dict[str, Any]) -> tuple[str, str]:
    """(team id, user id) of an interaction payload; blanks when Slack left them out."""
    user = body.get("user") or {}
    return str((body.get("team") or {}).get("id") or user.get("team_id") or ""), str(user.get("id") or "")
