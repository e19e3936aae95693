"""A customer's history, paged on a real database: every page together is the whole history, newest first, each
event once, the anniversaries in their places (also where several fall between two stored events, and at the
same instant as one), however the events fall across page boundaries."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select

from bot.db.models import Customer, CustomerWait, FollowUp, Mention
from bot.domain.customer_commands import AddCustomer
from bot.domain.history import HISTORY_PAGE_SIZE
from bot.runtime.deps import Deps
from bot.services import directory, history
from tests.conftest import TEAM, FakeClock


def test_all_pages_together_are_the_whole_history_in_order(deps: Deps, clock: FakeClock) -> None:
    clock.now = datetime(2026, 11, 23, 14, tzinfo=UTC)
    directory.add_customer(
        deps,
        team_id=TEAM,
        command=AddCustomer(name="Acme Corp", owner_user_id="U0LEE", since=date(1990, 6, 1)),
        created_by="U0LEE",
    )
    rng = random.Random(15)
    with deps.session_factory.begin() as session:
        acme = session.scalars(select(Customer.id)).one()
        # Mentions in bursts (some years empty, so anniversaries pile up between two events), one at the very
        # instant of an anniversary.
        times = [datetime(2020 + rng.randrange(7), 1 + rng.randrange(12), 1 + rng.randrange(28), tzinfo=UTC)
                 for _ in range(150)] + [datetime(2005, 6, 1, tzinfo=UTC)]  # fmt: skip
        times = [t for t in times if t < clock.now]
        session.execute(
            insert(Mention),
            [dict(team_id=TEAM, customer_id=acme, channel_id="C0SUPPORT", message_ts=f"{1_700_000_000 + n}.000100",
                  user_id="U0DANA", mentioned_at=at, excerpt=f"m{n}") for n, at in enumerate(times)],
        )  # fmt: skip
        session.add_all(
            FollowUp(team_id=TEAM, owner_user_id="U0LEE", customer_id=acme, note=f"f{n}", due_at=at,
                     created_by="U0LEE", created_at=at - timedelta(days=1), state="done", closed_at=at)
            for n, at in enumerate(times[:30])
        )  # fmt: skip
        session.add_all(
            CustomerWait(team_id=TEAM, channel_id="C0ACME", message_ts=f"{1_600_000_000 + n}.000100",
                         customer_id=acme, user_id="W0EXTBOB", posted_at=at, state="waiting")
            for n, at in enumerate(times[:20])
        )  # fmt: skip
    expected_total = len(times) + 2 * 30 + 20 + 37  # 1990 .. 2026: 36 anniversaries and the start

    first = history.history_page(deps, team_id=TEAM, customer_id=acme, page=0)
    assert first.total == expected_total and first.pages == -(-expected_total // HISTORY_PAGE_SIZE)
    shown = [e for page in range(first.pages) for e in history.history_page(deps, team_id=TEAM, customer_id=acme,
                                                                              page=page).events]  # fmt: skip
    assert len(shown) == expected_total
    assert [e.at for e in shown] == sorted((e.at for e in shown), reverse=True)
    assert sorted(e.text for e in shown if e.kind == "mention") == sorted(f"m{n}" for n in range(len(times)))
    assert [e.years for e in shown if e.kind == "anniversary"] == list(range(36, 0, -1))
    same_instant = [e.kind for e in shown if e.at == datetime(2005, 6, 1, tzinfo=UTC)]
    assert same_instant == ["mention", "anniversary"]  # a stored event first, at the same instant
    assert shown[-1].kind == "since"
    # A page past the end (a stale button) shows the last page.
    assert history.history_page(deps, team_id=TEAM, customer_id=acme, page=999).page == first.pages - 1
