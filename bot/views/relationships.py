"""What relationship nudges show: the weekly gone-quiet DM, anniversaries, and what the quiet DM's buttons did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class QuietCustomer:
    """A customer listed in a gone-quiet DM."""

    id: int
    name: str
    since: date | None
    last_touch: datetime | None  # None: no touch since it was added
    added_at: datetime


@dataclass(frozen=True)
class QuietNudge:
    """One owner's gone-quiet DM for one week."""

    owner_user_id: str
    week_of: date
    quiet_days: int
    customers: tuple[QuietCustomer, ...]
    more: int  # quiet customers beyond those listed


@dataclass(frozen=True)
class Anniversary:
    """A customer-since anniversary, for the owner's DM."""

    customer_id: int
    customer_name: str
    owner_user_id: str
    since: date
    years: int


@dataclass(frozen=True)
class CheckIn:
    """The check-in a click planned (or had already planned)."""

    customer_name: str
    owner_user_id: str
    due_at: datetime
    changed: bool


@dataclass(frozen=True)
class QuietSnooze:
    """A customer's quiet snooze after a click."""

    customer_name: str
    until: datetime
    changed: bool
