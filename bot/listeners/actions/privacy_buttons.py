"""The buttons of `/rapport forget-me`'s confirmation."""

from __future__ import annotations

from bot.blocks import privacy as blocks
from bot.listeners.adapter import Replace
from bot.listeners.payloads import Request
from bot.runtime.deps import Deps
from bot.services import privacy


def handle_forget_confirm(request: Request, deps: Deps) -> Replace:
    """Forget the person who clicked (never anyone else), then say what was removed."""
    return Replace(blocks.build_forgotten(privacy.forget_me(deps, team_id=request.team_id, user_id=request.user_id)))


def handle_forget_cancel(request: Request) -> Replace:
    """Nothing is deleted."""
    return Replace(blocks.build_forget_cancelled())
