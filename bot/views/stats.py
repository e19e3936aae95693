"""What `/rapport stats`, the Home tab's story lists and the weekly digest show: story lines and the workspace's
numbers (never anyone's ranking)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.views.triage import ResponseTimes


@dataclass(frozen=True)
class StoryLine:
    """One story as a list shows it: who is credited, its words, how many recognised it, where it happened."""

    id: int
    credited: tuple[str, ...]
    text: str
    recognisers: int
    principle: str | None
    customer_name: str | None
    source_channel_id: str | None
    source_ts: str | None
    workspace_url: str
    created_at: datetime
    principle_label: str | None = None  # the workspace's label for the tag (renamed or retired ones too)


@dataclass(frozen=True)
class WorkspaceStats:
    """The workspace's numbers for `/rapport stats`."""

    stories_this_month: int
    month_name: str  # "November", in the workspace's timezone
    followups_done: int
    followups_on_time: int
    on_time_days: int
    quiet_customers: int
    customers: int
    quiet_days: int
    timezone: str
    # First responses to customers' messages of the last on_time_days days against the target: the team's, and
    # each customer's (alphabetical).
    first_responses: ResponseTimes | None = None
    customer_responses: tuple[ResponseTimes, ...] = ()
