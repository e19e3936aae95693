"""The "Follow up on this" message shortcut: a follow-up modal prefilled with the customer the message names."""

from __future__ import annotations

from typing import Any

from bot.blocks.followups import build_followup_modal
from bot.listeners.payloads import Request
from bot.runtime.deps import Deps
from bot.services import followups


def handle_followup_shortcut(request: Request, deps: Deps) -> dict[str, Any]:
    """The modal to open while the trigger id is fresh; the message it came from is kept in its metadata."""
    text = request.message.get("text")
    customer, owner = followups.prefill_from_message(
        deps, team_id=request.team_id, user_id=request.user_id, text=text if isinstance(text, str) else ""
    )
    source = {"channel": request.channel_id, "ts": str(request.message.get("ts") or "")}
    return build_followup_modal(owner_user_id=owner, customer_name=customer, source=source)
