"""What the author of a promise sees of its offer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OfferView:
    """A promise offered as a follow-up: who, the customer, when (in the author's words and zone) and the note."""

    id: int
    user_id: str
    customer_name: str | None
    note: str
    when_text: str
    due_day: str  # "Friday 4 Dec at 09:00", the author's time
    due_assumptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class PromiseSwitch:
    """A person's promise offers after `/rapport promises on|off`, and whether the workspace offers any."""

    enabled: bool
    workspace_enabled: bool
