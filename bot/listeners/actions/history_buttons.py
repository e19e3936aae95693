"""A customer's history: the History button on the card opens it; Newer and Older page it in place."""

from __future__ import annotations

from bot.blocks import history as blocks
from bot.domain.errors import RapportError
from bot.listeners.adapter import Modal, UpdateView
from bot.listeners.payloads import Request, row_id
from bot.runtime.deps import Deps
from bot.services import history


def _page_of(request: Request) -> tuple[int, int]:
    """The (customer id, page) a history button names, or a RapportError."""
    customer, page = blocks.read_history_value(request.action_value)
    customer_id = row_id(customer)
    if customer_id is None or not (page.isascii() and page.isdigit() and len(page) <= 6):
        raise RapportError("I couldn't tell which customer's history that was.", example="/customer Acme history")
    return customer_id, int(page)


def handle_history_open(request: Request, deps: Deps) -> Modal:
    """The History button on a customer card: open the newest page."""
    customer_id, page = _page_of(request)
    shown = history.history_page(deps, team_id=request.team_id, customer_id=customer_id, page=page)
    return Modal(blocks.build_history_modal(shown))


def handle_history_page(request: Request, deps: Deps) -> UpdateView:
    """Newer or Older in the history modal: show that page in the same modal."""
    customer_id, page = _page_of(request)
    shown = history.history_page(deps, team_id=request.team_id, customer_id=customer_id, page=page)
    return UpdateView(blocks.build_history_modal(shown))
