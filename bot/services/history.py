"""A customer's history: every kind of event about one customer, merged newest first, one page at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.db.models import Customer, CustomerWait, FollowUp, Mention, Story
from bot.db.queries import customers as customer_rows
from bot.db.queries import history as history_rows
from bot.db.queries import workspaces as workspace_rows
from bot.db.queries.history import EventKey
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
    stored = history_rows.count(session, team_id=team_id, customer_id=customer_id)
    total = stored + len(years)
    page = clamp_page(page, total=total)
    first = page * HISTORY_PAGE_SIZE
    # The page is a window of the stored stream merged with the anniversaries (a few, computed here): the stored
    # events it can hold start at most len(years) before `first`.
    skipped = max(0, first - len(years))
    keys = history_rows.page_keys(
        session, team_id=team_id, customer_id=customer_id, offset=skipped, limit=HISTORY_PAGE_SIZE + len(years)
    )
    window = _window(keys, years, skipped=skipped, stored=stored, first=first)
    workspace = workspace_rows.get(session, team_id=team_id)
    return CustomerHistory(
        customer_id=customer_id,
        name=customer.name,
        owner_user_id=customer.owner_user_id,
        since=customer.since,
        events=tuple(_events(session, team_id=team_id, window=window)),
        page=page,
        pages=page_count(total),
        total=total,
        workspace_url=workspace.url if workspace is not None else "",
    )


Placed = EventKey | tuple[datetime, int]  # a stored event's key, or an anniversary (when, years)


def _window(
    keys: list[EventKey], years: list[tuple[datetime, int]], *, skipped: int, stored: int, first: int
) -> list[Placed]:
    """The page's items, newest first: each stored event and anniversary at its place in the merged history (at the
    same instant, stored events first), kept when that place falls on this page."""
    placed: list[tuple[int, Placed]] = []
    for index, key in enumerate(keys):
        newer_years = sum(1 for at, _ in years if at > key.at)
        placed.append((skipped + index + newer_years, key))
    for index, (at, n) in enumerate(years):
        if keys and at > keys[0].at and skipped > 0:
            continue  # newer than every stored event read: it comes before this page
        if not keys or at < keys[-1].at:
            if skipped + len(keys) < stored:
                continue  # older stored events were not read: it comes after this page
            newer_stored = skipped + len(keys)
        else:
            newer_stored = skipped + sum(1 for key in keys if key.at >= at)
        placed.append((index + newer_stored, (at, n)))
    return [item for place, item in sorted(placed, key=lambda p: p[0]) if first <= place < first + HISTORY_PAGE_SIZE]


def _events(session: Session, *, team_id: str, window: list[Placed]) -> list[HistoryEvent]:
    """The events of a page, read by key, in the page's order."""
    keys = [item for item in window if isinstance(item, EventKey)]

    def ids(*kinds: str) -> list[int]:
        return [k.id for k in keys if k.kind in kinds]

    mentions = history_rows.mentions(session, team_id=team_id, ids=ids(history_rows.MENTION))
    followups = history_rows.followups(session, team_id=team_id, ids=ids(history_rows.CREATED, history_rows.CLOSED))
    stories = history_rows.stories(session, team_id=team_id, ids=ids(history_rows.STORY))
    credited = history_rows.credits_of(session, team_id=team_id, story_ids=list(stories))
    waits = history_rows.waits(
        session, team_id=team_id, keys=[(k.channel_id or "", k.ts or "") for k in keys if k.kind == history_rows.WAIT]
    )
    events: list[HistoryEvent] = []
    for item in window:
        if not isinstance(item, EventKey):
            at, n = item
            events.append(HistoryEvent(at=at, kind="anniversary" if n else "since", years=n))
        elif item.kind == history_rows.MENTION and item.id in mentions:
            events.append(_mention(mentions[item.id]))
        elif item.kind == history_rows.CREATED and item.id in followups:
            events.append(_created(followups[item.id]))
        elif item.kind == history_rows.CLOSED and item.id in followups:
            events.append(_closed(followups[item.id]))
        elif item.kind == history_rows.STORY and item.id in stories:
            events.append(_story(stories[item.id], credited.get(item.id, ())))
        elif item.kind == history_rows.WAIT and (found := waits.get((item.channel_id or "", item.ts or ""))):
            events.append(_wait(found))
    return events


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


def _story(s: Story, credited: tuple[str, ...]) -> HistoryEvent:
    return HistoryEvent(
        at=s.created_at,
        kind="story",
        user_id=s.created_by,
        text=s.text,
        channel_id=s.source_channel_id,
        message_ts=s.source_ts,
        thread_ts=s.source_thread_ts,
        credited=credited,
    )


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
