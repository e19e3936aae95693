"""A customer's history: every kind of event about one customer, merged newest first, one page at a time."""

from __future__ import annotations

from datetime import datetime
from heapq import merge
from itertools import islice

from sqlalchemy.orm import Session

from bot.db.models import Customer, CustomerWait, FollowUp, Mention
from bot.db.queries import customers as customer_rows
from bot.db.queries import history as history_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain.errors import RapportError
from bot.domain.followups import is_on_time
from bot.domain.history import HISTORY_PAGE_SIZE, anniversaries, clamp_page, page_count
from bot.runtime.deps import Deps
from bot.services.directory import resolve_customer
from bot.views.history import CustomerHistory, HistoryEvent


def history_by_name(deps: Deps, *, team_id: str, query: str) -> CustomerHistory:
    """The newest page of the history of the customer a person names (`/customer Acme history`)."""
    with deps.session_factory.begin() as session:
        customer = resolve_customer(session, team_id=team_id, query=query, command="/customer")
        return _history(session, customer, page=0, now=deps.clock())


def history_page(deps: Deps, *, team_id: str, customer_id: int, page: int) -> CustomerHistory:
    """One page of a customer's history (the History button, Newer and Older)."""
    with deps.session_factory.begin() as session:
        customer = customer_rows.get(session, team_id=team_id, customer_id=customer_id)
        if customer is None:
            raise RapportError("That customer is no longer in the directory.", example="/customer list")
        return _history(session, customer, page=page, now=deps.clock())


def _history(session: Session, customer: Customer, *, page: int, now: datetime) -> CustomerHistory:
    team_id, customer_id = customer.team_id, customer.id
    years = anniversaries(customer.since, now=now)
    total = history_rows.counts(session, team_id=team_id, customer_id=customer_id) + len(years)
    page = clamp_page(page, total=total)
    # Each kind's newest rows down to the end of this page are enough to know the page exactly.
    needed = (page + 1) * HISTORY_PAGE_SIZE
    kinds = [
        [_mention(m) for m in history_rows.mentions(session, team_id=team_id, customer_id=customer_id, limit=needed)],
        [
            _created(f)
            for f in history_rows.followups_created(session, team_id=team_id, customer_id=customer_id, limit=needed)
        ],
        [
            _closed(f)
            for f in history_rows.followups_closed(session, team_id=team_id, customer_id=customer_id, limit=needed)
        ],
        _stories(session, team_id=team_id, customer_id=customer_id, limit=needed),
        [_wait(w) for w in history_rows.waits(session, team_id=team_id, customer_id=customer_id, limit=needed)],
        [HistoryEvent(at=at, kind="anniversary" if n else "since", years=n) for at, n in years],
    ]
    newest_first = merge(*kinds, key=lambda e: e.at, reverse=True)
    start = page * HISTORY_PAGE_SIZE
    workspace = workspace_rows.get(session, team_id=team_id)
    return CustomerHistory(
        customer_id=customer_id,
        name=customer.name,
        owner_user_id=customer.owner_user_id,
        since=customer.since,
        events=tuple(islice(newest_first, start, start + HISTORY_PAGE_SIZE)),
        page=page,
        pages=page_count(total),
        total=total,
        workspace_url=workspace.url if workspace is not None else "",
    )


def _mention(m: Mention) -> HistoryEvent:
    return HistoryEvent(
        at=m.mentioned_at,
        kind="mention",
        user_id=m.user_id,
        text=m.excerpt or "",
        channel_id=m.channel_id,
        message_ts=m.message_ts,
        thread_ts=m.thread_ts,
    )


def _prefix(f: FollowUp) -> str:
    return "checkin" if f.kind == "checkin" else "followup"


def _created(f: FollowUp) -> HistoryEvent:
    return HistoryEvent(
        at=f.created_at,
        kind=_prefix(f),
        user_id=f.owner_user_id,
        text=f.note,
        channel_id=f.source_channel_id,
        message_ts=f.source_ts,
    )


def _closed(f: FollowUp) -> HistoryEvent:
    assert f.closed_at is not None  # the query reads closed ones only
    if f.state == "cancelled":
        how = "cancelled"
    else:
        how = "done" if is_on_time(closed_at=f.closed_at, due_at=f.due_at) else "late"
    return HistoryEvent(
        at=f.closed_at,
        kind=f"{_prefix(f)}_{how}",
        user_id=f.closed_by or f.owner_user_id,
        text=f.note,
        channel_id=f.source_channel_id,
        message_ts=f.source_ts,
    )


def _stories(session: Session, *, team_id: str, customer_id: int, limit: int) -> list[HistoryEvent]:
    rows = history_rows.stories(session, team_id=team_id, customer_id=customer_id, limit=limit)
    credited = history_rows.credits_of(session, team_id=team_id, story_ids=[s.id for s in rows])
    return [
        HistoryEvent(
            at=s.created_at,
            kind="story",
            user_id=s.created_by,
            text=s.text,
            channel_id=s.source_channel_id,
            message_ts=s.source_ts,
            thread_ts=s.source_thread_ts,
            credited=credited.get(s.id, ()),
        )
        for s in rows
    ]


def _wait(w: CustomerWait) -> HistoryEvent:
    answered = w.state == "answered" and w.closed_at is not None
    return HistoryEvent(
        at=w.posted_at,
        kind="wait",
        user_id=w.user_id,
        channel_id=w.channel_id,
        message_ts=w.message_ts,
        wait_state=w.state,
        response=(w.closed_at - w.posted_at) if answered and w.closed_at is not None else None,
    )
