"""The "Follow up on this" message shortcut: a follow-up modal prefilled with the customer the message names."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.blocks.followups import build_followup_modal
from bot.runtime.deps import Deps
from bot.services import followups


def handle_followup_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient, deps: Deps) -> None:
    """Open the modal while the trigger id is fresh; the message it came from is kept in the modal's metadata."""
    ack()
    team_id = str((shortcut.get("team") or {}).get("id") or "")
    user_id = str((shortcut.get("user") or {}).get("id") or "")
    message = shortcut.get("message") or {}
    channel_id = str((shortcut.get("channel") or {}).get("id") or "")
    text = message.get("text")
    customer, owner = followups.prefill_from_message(
        deps, team_id=team_id, user_id=user_id, text=text if isinstance(text, str) else ""
    )
    source = {"channel": channel_id, "ts": str(message.get("ts") or "")}
    view = build_followup_modal(owner_user_id=owner, customer_name=customer, source=source)
    client.views_open(trigger_id=shortcut["trigger_id"], view=view)
