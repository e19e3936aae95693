"""The Home tab: my follow-ups (overdue first), my customers (quietest first), the workspace's recent stories,
the stories about me and my tone-tip setting, published through the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.blocks.home import build_home
from bot.db.queries import customers as customer_rows
from bot.db.queries import followups as followup_rows
from bot.db.queries import history as history_rows
from bot.db.queries import outbox as outbox_rows
from bot.db.queries import promises as promise_rows
from bot.db.queries import settings as settings_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain.history import median_response
from bot.runtime.deps import Deps
from bot.services import stats
from bot.services.followup_views import followup_view
from bot.views.customers import CustomerSummary
from bot.views.home import HomeView

HOME_FOLLOWUPS = 20
HOME_CUSTOMERS = 10
HOME_STORIES = 5
FIRST_RESPONSE_DAYS = 30  # in each of "Recent stories" and "Stories about you"


def home_for(session: Session, *, team_id: str, user_id: str, now: datetime) -> HomeView:
    """A person's open follow-ups and the customers they own, as of `now`."""
    rows = followup_rows.open_of_owner(session, team_id=team_id, owner_user_id=user_id, limit=HOME_FOLLOWUPS)
    names = customer_rows.names_by_id(session, team_id=team_id, ids=[r.customer_id for r in rows if r.customer_id])
    workspace = workspace_rows.get(session, team_id=team_id)
    url = workspace.url if workspace is not None else ""
    views = [
        followup_view(r, customer_name=names.get(r.customer_id) if r.customer_id else None, workspace_url=url)
        for r in rows
    ]
    customers = customer_rows.quietest_first(session, team_id=team_id, owner_user_id=user_id, limit=HOME_CUSTOMERS)
    recent = stats.recent_stories(session, team_id=team_id, limit=HOME_STORIES)
    mine = stats.stories_about(session, team_id=team_id, user_id=user_id, limit=HOME_STORIES)
    settings = settings_rows.of_workspace(session, team_id=team_id, now=now)
    ids = [c.customer.id for c in customers]
    open_counts = history_rows.open_followups(session, team_id=team_id, customer_ids=ids)
    medians = _median_first_responses(session, team_id=team_id, customer_ids=ids, now=now)
    owned = [
        CustomerSummary(
            name=c.customer.name,
            owner_user_id=c.customer.owner_user_id,
            last_touch=c.last_touch,
            mention_count=c.mention_count,
            open_followups=open_counts.get(c.customer.id, 0),
            median_first_response=medians.get(c.customer.id),
        )
        for c in customers
    ]
    return HomeView(
        user_id=user_id,
        followups=views,
        customers=owned,
        now=now,
        recent_stories=recent,
        my_stories=mine,
        workspace_nudges=settings.nudges_enabled,
        nudges_enabled=settings_rows.user_nudges_enabled(session, team_id=team_id, user_id=user_id),
        workspace_promises=settings.promise_offers_enabled,
        promises_enabled=promise_rows.user_promises_enabled(session, team_id=team_id, user_id=user_id),
    )


def _median_first_responses(
    session: Session, *, team_id: str, customer_ids: list[int], now: datetime
) -> dict[int, timedelta]:
    """Each customer's median first response over the last FIRST_RESPONSE_DAYS days (none without an answer)."""
    times: dict[int, list[timedelta]] = {}
    since = now - timedelta(days=FIRST_RESPONSE_DAYS)
    for customer_id, posted_at, answered_at in history_rows.answered_waits(
        session, team_id=team_id, customer_ids=customer_ids, since=since
    ):
        times.setdefault(customer_id, []).append(answered_at - posted_at)
    found = {customer_id: median_response(spans) for customer_id, spans in times.items()}
    return {customer_id: span for customer_id, span in found.items() if span is not None}


def refresh(session: Session, *, team_id: str, user_ids: Iterable[str], now: datetime) -> None:
    """Queue a fresh Home tab for each person, in the caller's transaction (so it shows what was just stored)."""
    for user_id in sorted(set(user_ids)):
        view = build_home(home_for(session, team_id=team_id, user_id=user_id, now=now))
        outbox_rows.enqueue(
            session,
            team_id=team_id,
            kind="home",
            # Every refresh is its own row: a later change must never be dropped as a duplicate of an earlier one.
            idempotency_key=f"home:{user_id}:{now.isoformat()}:{uuid.uuid4().hex[:8]}",
            method="views.publish",
            payload={"user_id": user_id, "view": view},
            not_before=now,
            now=now,
            lane=outbox_rows.INTERACTIVE,  # shows what the person just did
        )


def publish_on_open(deps: Deps, *, team_id: str, user_id: str) -> None:
    """The person opened their Home tab: queue it, fresh."""
    now = deps.clock()
    with deps.session_factory.begin() as session:
        workspace_rows.ensure(session, team_id=team_id, now=now)
        refresh(session, team_id=team_id, user_ids=[user_id], now=now)
    deps.wake_sender()
