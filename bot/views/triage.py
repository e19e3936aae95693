"""What a customer's triage message shows: its waiting messages, who claimed them, whether it was escalated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class TriageWaitLine:
    """One waiting (or since answered) message of the customer."""

    author_user_id: str
    channel_id: str
    message_ts: str
    posted_at: datetime
    excerpt: str | None
    answered_by: str | None  # None while it waits
    waited: timedelta  # until its answer, or until the message was (re)drawn


@dataclass(frozen=True)
class TriageView:
    """A customer's triage message as of `as_of`."""

    triage_id: int
    customer_name: str
    owner_user_id: str
    workspace_url: str
    lines: tuple[TriageWaitLine, ...]
    claimed_by: str | None
    claimed_at: datetime | None
    escalated_at: datetime | None
    closed_by: str | None  # set once every listed message is answered (or someone clicked Answered)
    closed_after: timedelta | None  # from the first listed message to its close
    as_of: datetime


@dataclass(frozen=True)
class EscalationView:
    """The second post about a customer nobody claimed: whom it calls, and where the triage message is."""

    customer_name: str
    owner_user_id: str
    waiting: int
    oldest_waited: timedelta
    escalation_minutes: int
    triage_link: str


@dataclass(frozen=True)
class ResponseTimes:
    """First responses to customers' messages against the target, for one customer or the team."""

    name: str  # the customer's, or "" for the team
    answered: int
    settled: int  # answered, or given up on (alerted, expired) without an answer
    within_target: int
    median: timedelta | None
    target_minutes: int


@dataclass(frozen=True)
class CustomerTriage:
    """What applies to one customer's waiting messages: its own triage settings, else the workspace's."""

    name: str
    channel_id: str | None
    target_minutes: int
    escalation_minutes: int
    own_channel: bool
    own_target: bool
    own_escalation: bool
    changed: bool
