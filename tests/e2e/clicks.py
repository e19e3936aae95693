"""Clicking the bot's buttons the way Slack delivers the click (block_actions), and reading what the clicker saw."""

from __future__ import annotations

import json
import time
from typing import Any

from bot.slacksim import SlackSimulator
from tests.e2e.conftest import eventually


def button(message: dict[str, Any], action_id: str, value: str | None = None) -> dict[str, Any]:
    """The button (or menu) with this action id on a message, with its block id, as Slack puts it in a click."""
    for block in message.get("blocks") or ():
        for element in block.get("elements") or ():
            if element.get("action_id") == action_id and (value is None or element.get("value") == value):
                return {**element, "block_id": block.get("block_id"), "action_ts": str(time.time())}
    raise AssertionError(f"no {action_id} on {json.dumps(message)[:300]}")


def click(
    sim: SlackSimulator,
    *,
    user: str,
    channel: str,
    message: dict[str, Any],
    action: dict[str, Any],
    ephemeral: bool = False,
) -> int:
    """One person clicks one of the message's buttons; the HTTP status of the delivery."""
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "channel": {"id": channel},
        "container": {
            "type": "message",
            "message_ts": message.get("ts") or "1700000000.000100",
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "message": message,
        "actions": [action],
    }
    return sim.send_interactive(payload).status


def answers_to(sim: SlackSimulator, user: str) -> list[dict[str, Any]]:
    """What the bot answered through the response_urls of `user`'s clicks and commands (bodies, oldest first)."""
    return [r["body"] for r in sim.responses() if r.get("user") == user]


def polite_refusal(sim: SlackSimulator, user: str, words: str) -> dict[str, Any]:
    """Wait for a private answer to `user` containing `words` (the latest); each such answer is ephemeral and never
    replaces the message clicked."""
    found = eventually(lambda: [b for b in answers_to(sim, user) if words in json.dumps(b)])
    for body in found:
        assert body.get("response_type") == "ephemeral" and body.get("replace_original") is False, body
    return found[-1]
