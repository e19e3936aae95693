"""What a customer's history shows: the relationship's events, newest first, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class HistoryEvent:
    """One moment of a relationship.

    `kind` is one of: mention, followup, followup_done, followup_late, followup_cancelled, checkin, checkin_done,
    checkin_late, checkin_cancelled, story, wait, anniversary, since.
    """

    at: datetime
    kind: str
    user_id: str = ""
    text: str = ""  # Slack text: an excerpt, a note, a story (rendered with `readable`)
    channel_id: str | None = None
    message_ts: str | None = None
    thread_ts: str | None = None
    credited: tuple[str, ...] = ()  # a story's people
    wait_state: str = ""  # a wait's state: waiting, answered, alerted, expired
    response: timedelta | None = None  # a wait's first response time
    years: int = 0  # an anniversary's


@dataclass(frozen=True)
class CustomerHistory:
    """One page of a customer's history."""

    customer_id: int
    name: str
    owner_user_id: str
    since: date | None
    events: tuple[HistoryEvent, ...]
    page: int  # 0 is the newest
    pages: int
    total: int
    workspace_url: str
