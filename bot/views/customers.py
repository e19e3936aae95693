"""What the customer directory shows: a customer's card and the list of customers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class MentionView:
    """One mention as a card shows it."""

    channel_id: str
    message_ts: str
    thread_ts: str | None
    user_id: str
    at: datetime
    excerpt: str | None


@dataclass(frozen=True)
class CustomerCard:
    """Everything `/customer NAME` shows."""

    name: str
    aliases: tuple[str, ...]
    owner_user_id: str
    since: date | None
    last_touch: datetime | None
    mentions: tuple[MentionView, ...]
    linked_channels: tuple[str, ...]
    workspace_url: str
    # The written forms of the names that count only as written ("Target").
    as_written: tuple[str, ...] = ()
    # Its repeating follow-ups: "every 2 weeks on Tuesday, next Tue 15 Dec (<@U…>)".
    rhythms: tuple[str, ...] = ()
    customer_id: int = 0  # for the History button; 0 shows none
    backup_user_id: str | None = None  # alerted too while the owner is away


@dataclass(frozen=True)
class NameMatching:
    """How one customer name or alias is matched: only as written (`written`), or in any letter case."""

    name: str
    customer: str
    exact: bool
    written: str
    # Why: "chosen" (a person's `/customer exact`), "everyday word" or "tool" (the shipped lists), or "" (neither).
    reason: str


@dataclass(frozen=True)
class AddedCustomer:
    """A customer just added, and which of its names count only as written."""

    name: str
    owner_user_id: str
    names: tuple[NameMatching, ...]


@dataclass(frozen=True)
class CustomerSummary:
    """One line of `/customer list` (and of the Home tab's customers)."""

    name: str
    owner_user_id: str
    last_touch: datetime | None
    mention_count: int
    open_followups: int = 0
    # The median time to a first answer of the customer's messages in their channel, over the last 30 days.
    median_first_response: timedelta | None = None


@dataclass(frozen=True)
class CustomerList:
    """`/customer list`: the quietest customers first, and how many there are in all."""

    customers: tuple[CustomerSummary, ...]
    total: int


@dataclass(frozen=True)
class CustomerRemoval:
    """What removing a customer deletes and keeps: asked before, reported after."""

    customer_id: int
    name: str
    mentions: int  # deleted, with their excerpts
    open_followups: int  # kept, with their owners, no longer about the customer
    stories: int  # kept, no longer about the customer
    channel_ids: tuple[str, ...]  # unlinked (still watched)
