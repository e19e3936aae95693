"""The buttons of `/rapport forget-me`'s confirmation."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond

from bot.blocks import privacy as blocks
from bot.listeners.interactions import actor
from bot.runtime.deps import Deps
from bot.services import privacy


def handle_forget_confirm(ack: Ack, body: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """Forget the person who clicked (never anyone else), then say what was removed."""
    team_id, user_id = actor(body)
    forgotten = privacy.forget_me(deps, team_id=team_id, user_id=user_id)
    ack()
    respond(replace_original=True, **blocks.build_forgotten(forgotten))


def handle_forget_cancel(ack: Ack, respond: Respond) -> None:
    """Nothing is deleted."""
    ack()
    respond(replace_original=True, **blocks.build_forget_cancelled())
