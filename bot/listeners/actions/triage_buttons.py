"""Claim and Answered on a customer's triage message. The message itself is updated by the outbox (chat.update),
so every process and every reader sees the same."""

from __future__ import annotations

from bot.domain.errors import RapportError
from bot.listeners.payloads import Request, row_id
from bot.runtime.deps import Deps
from bot.services import triage


def _triage_id(request: Request) -> int:
    triage_id = row_id(request.action_value)
    if triage_id is None:
        raise RapportError("I couldn't tell which triage message that was.")
    return triage_id


def handle_claim(request: Request, deps: Deps) -> None:
    """Claim: the clicker becomes responsible; the message shows who."""
    triage.claim(deps, team_id=request.team_id, triage_id=_triage_id(request), user_id=request.user_id)


def handle_answered(request: Request, deps: Deps) -> None:
    """Answered: the customer's listed messages count as answered, by the clicker, now."""
    triage.mark_answered(deps, team_id=request.team_id, triage_id=_triage_id(request), user_id=request.user_id)
