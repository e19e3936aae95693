"""Filling in the settings modal the way Slack does: each input's current value, then the changes a person makes."""

from __future__ import annotations

import json
from typing import Any

from bot.slacksim import SlackSimulator
from bot.slacksim.views import view_state

TEAM = "T0SIM0001"


def view_of(call_args: dict[str, Any]) -> dict[str, Any]:
    """The view a views.open call carried."""
    view = call_args["view"]
    return view if isinstance(view, dict) else json.loads(view)


def settings_state(view: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The settings modal's state.values: every field as opened, except the ones given (by setting key)."""
    return view_state(view, changes)


def open_settings(sim: SlackSimulator, *, user: str = "U0DANA") -> dict[str, Any]:
    """Type `/rapport settings` as an admin; the modal that opened."""
    before = len(sim.calls_to("views.open"))
    delivery = sim.slash_command(user, "C0SUPPORT", "/rapport", "settings")
    assert delivery.status == 200, delivery
    calls = sim.wait_for_calls("views.open", before + 1)
    return view_of(calls[-1].args)


def submit_settings(
    sim: SlackSimulator, view: dict[str, Any], *, user: str = "U0DANA", **changes: Any
) -> dict[str, Any]:
    """Press Save with these changes; what the app answered (errors, or the updated view)."""
    submitted = {
        **view,
        "id": view.get("id") or "V0SETTINGS",
        "team_id": TEAM,
        "state": {"values": settings_state(view, **changes)},
    }
    payload = {"type": "view_submission", "user": {"id": user}, "team": {"id": TEAM}, "view": submitted}
    result = sim.send_interactive(payload)
    assert result.status == 200, result
    return result.body if isinstance(result.body, dict) else {}
