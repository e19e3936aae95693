"""What a person sees of follow-ups: one follow-up, and one after a button click."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FollowUpView:
    """What a person sees of a follow-up."""

    id: int
    owner_user_id: str
    customer_name: str | None
    note: str
    due_at: datetime
    kind: str
    created_by: str
    source_channel_id: str | None
    source_ts: str | None
    workspace_url: str
    # Only for a follow-up just created: its due day and time in the owner's zone ("Thursday 3 Dec at 15:00")
    # and how its *when* was read ("“at 3” as 15:00"); empty for a stored one.
    due_day: str = ""
    due_assumptions: tuple[str, ...] = ()
    # An occurrence of a repeating follow-up: its rhythm in words ("every 2 weeks on Tuesday"), when the one after
    # it is due, the rhythm's zone, and whether it was stopped (this occurrence is then the last).
    rhythm: str = ""
    rhythm_next: datetime | None = None
    rhythm_tz: str = ""
    rhythm_stopped: bool = False
    # Only for a repeating follow-up just created: the rule in words, with its time ("every 2 weeks on Tuesday at
    # 09:00").
    rule_words: str = ""


@dataclass(frozen=True)
class ButtonResult:
    """A follow-up after a click, and whether the click changed it (a second click, or one on a closed follow-up,
    changes nothing)."""

    view: FollowUpView
    changed: bool
    state: str
    closed_by: str | None


@dataclass(frozen=True)
class FollowUpListing:
    """`/followup list` with its filters: whose (None: anyone's, for a customer), which customer, overdue only."""

    viewer: str
    owner_user_id: str | None
    customer_name: str | None
    overdue: bool
    followups: list[FollowUpView]


@dataclass(frozen=True)
class FollowUpEdit:
    """What the edit form is prefilled with: the owner, customer, due time (as a *when* the parser reads back, in
    the owner's zone) and note."""

    id: int
    owner_user_id: str
    customer_name: str | None
    when_text: str
    note: str
