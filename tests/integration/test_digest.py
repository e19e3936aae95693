"""The weekly digest and `/rapport stats` on a real database: the job runs at chosen `now`s, stories are seeded
with the models. The default digest moment is Friday 15:00 workspace time; 2026-11-27 is a Friday (ISO week 48)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.db.models import OutboxMessage
from bot.runtime.deps import Deps
from bot.services import stats
from bot.services.digest import queue_weekly_digest
from tests.conftest import TEAM, FakeClock
from tests.integration.stories_seed import (
    WORKSPACE_URL,
    add_customer,
    add_done_followup,
    add_mention,
    add_story,
    set_workspace,
)

FRIDAY = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # the digest moment in a UTC workspace
AUCKLAND_FRIDAY = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # Friday 15:00 in Auckland (NZDT, UTC+13)


def digests(deps: Deps) -> list[OutboxMessage]:
    with deps.session_factory.begin() as session:
        return list(
            session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest").order_by(OutboxMessage.id))
        )


def shown(row: OutboxMessage) -> str:
    return json.dumps(row.payload, ensure_ascii=False)


def story_sections(row: OutboxMessage) -> list[str]:
    return [
        b["text"]["text"]
        for b in row.payload["blocks"]
        if b["type"] == "section" and b["text"]["text"].startswith(":star2:")
    ]


def seed(deps: Deps, **story: Any) -> int:
    with deps.session_factory.begin() as session:
        return add_story(session, TEAM, **story)


def test_digest_goes_out_at_the_moment_once_into_the_stories_channel(deps: Deps, clock: FakeClock) -> None:
    set_workspace(deps, TEAM, now=clock())
    seed(deps, text="Stayed on the phone until Acme's drive was back", at=FRIDAY - timedelta(days=2))

    assert queue_weekly_digest(deps, now=FRIDAY - timedelta(minutes=1)) == 0
    assert queue_weekly_digest(deps, now=FRIDAY) == 1
    assert queue_weekly_digest(deps, now=FRIDAY + timedelta(minutes=1)) == 0
    assert queue_weekly_digest(deps, now=FRIDAY + timedelta(days=1)) == 0
    [row] = digests(deps)
    assert row.idempotency_key == f"digest:{TEAM}:2026-W48"
    assert (row.method, row.payload["channel"]) == ("chat.postMessage", "C0STORIES")
    assert "Stayed on the phone" in shown(row) and "1 good story" in shown(row)
    assert len(row.payload["blocks"]) <= 50


def test_run_from_several_threads_at_once_queues_one_digest(deps: Deps, clock: FakeClock) -> None:
    set_workspace(deps, TEAM, now=clock())
    seed(deps, text="Called back the next day", at=FRIDAY - timedelta(days=1))
    with ThreadPoolExecutor(max_workers=6) as pool:
        queued = list(pool.map(lambda m: queue_weekly_digest(deps, now=FRIDAY + timedelta(minutes=m)), range(12)))
    assert sum(queued) == 1
    assert len(digests(deps)) == 1


def test_auckland_workspace_gets_it_at_friday_15_00_auckland_time_with_that_weeks_stories(
    deps: Deps, clock: FakeClock
) -> None:
    set_workspace(deps, TEAM, now=clock(), timezone="Pacific/Auckland")
    week_start = AUCKLAND_FRIDAY - timedelta(days=7)  # the previous Friday 15:00 in Auckland
    seed(deps, text="too early, last week's", at=week_start - timedelta(seconds=1))
    seed(deps, text="first of the week", at=week_start)
    seed(deps, text="last of the week", at=AUCKLAND_FRIDAY - timedelta(seconds=1))
    seed(deps, text="too late, next week's", at=AUCKLAND_FRIDAY)

    # Friday 15:00 UTC would be Saturday 04:00 in Auckland: the moment there came thirteen hours before.
    assert queue_weekly_digest(deps, now=AUCKLAND_FRIDAY - timedelta(minutes=1)) == 0
    assert queue_weekly_digest(deps, now=AUCKLAND_FRIDAY) == 1
    [row] = digests(deps)
    text = shown(row)
    assert "first of the week" in text and "last of the week" in text
    assert "too early" not in text and "too late" not in text
    assert row.idempotency_key == f"digest:{TEAM}:2026-W48"


def test_after_downtime_the_weeks_digest_goes_out_later_that_week_but_never_a_stale_one(
    deps: Deps, clock: FakeClock
) -> None:
    set_workspace(deps, TEAM, now=clock())
    seed(deps, text="week 48 story", at=FRIDAY - timedelta(days=3))
    seed(deps, text="week 49 story", at=FRIDAY + timedelta(days=3))
    # Down from Friday morning until Monday 00:30: the week-48 digest is stale by then.
    assert queue_weekly_digest(deps, now=datetime(2026, 11, 30, 0, 30, tzinfo=UTC)) == 0
    assert queue_weekly_digest(deps, now=datetime(2026, 12, 3, 12, 0, tzinfo=UTC)) == 0  # Thursday
    assert digests(deps) == []

    # The next week, down over Friday afternoon: Sunday evening is still that week.
    assert queue_weekly_digest(deps, now=datetime(2026, 12, 6, 22, 0, tzinfo=UTC)) == 1
    [row] = digests(deps)
    assert row.idempotency_key == f"digest:{TEAM}:2026-W49"
    assert "week 49 story" in shown(row) and "week 48 story" not in shown(row)


def test_nothing_without_a_stories_channel_or_without_news(deps: Deps, clock: FakeClock) -> None:
    set_workspace(deps, TEAM, now=clock(), stories_channel=None)
    seed(deps, text="a fine story", at=FRIDAY - timedelta(days=1))
    assert queue_weekly_digest(deps, now=FRIDAY) == 0

    set_workspace(deps, TEAM, now=clock())
    with deps.session_factory.begin() as session:
        # Unrecognised (every reaction withdrawn), outside the week, or not yet done: nothing to tell.
        add_story(session, TEAM, text="withdrawn", at=FRIDAY - timedelta(days=2), recognisers=())
        add_done_followup(session, TEAM, due=FRIDAY - timedelta(days=9), closed=FRIDAY - timedelta(days=8))
        add_done_followup(session, TEAM, due=FRIDAY, closed=FRIDAY - timedelta(days=1), state="cancelled")
    assert queue_weekly_digest(deps, now=FRIDAY + timedelta(days=7)) == 0  # the next week: no news
    assert digests(deps) == []


def test_a_week_of_only_follow_ups_tells_them_and_the_check_ins(deps: Deps, clock: FakeClock) -> None:
    set_workspace(deps, TEAM, now=clock())
    with deps.session_factory.begin() as session:
        acme = add_customer(session, TEAM, "Acme", added=FRIDAY - timedelta(days=100))
        globex = add_customer(session, TEAM, "Globex", added=FRIDAY - timedelta(days=100))
        add_customer(session, TEAM, "Initech", added=FRIDAY - timedelta(days=100))  # quiet
        add_customer(session, TEAM, "Newco", added=FRIDAY - timedelta(days=3))  # too new to be quiet
        add_done_followup(
            session, TEAM, due=FRIDAY - timedelta(days=2), closed=FRIDAY - timedelta(days=3), customer_id=acme
        )
        # Late: done two days after the reminder (acting on it within a day counts as on time).
        add_done_followup(session, TEAM, due=FRIDAY - timedelta(days=3), closed=FRIDAY - timedelta(hours=1))
        add_done_followup(
            session,
            TEAM,
            due=FRIDAY - timedelta(days=1),
            closed=FRIDAY - timedelta(days=1),
            kind="checkin",
            customer_id=globex,
        )
        add_done_followup(
            session, TEAM, due=FRIDAY, closed=FRIDAY - timedelta(hours=1), kind="checkin", customer_id=globex
        )
    assert queue_weekly_digest(deps, now=FRIDAY) == 1
    [row] = digests(deps)
    text = shown(row)
    assert "*4 follow-ups done*, 3 of them on time" in text
    assert "*1 customer checked in on*" in text
    assert "1 customer has had no touch for 30 days" in text
    assert story_sections(row) == [] and "this week:" not in text  # no stories, no story section


def test_most_recognised_first_at_most_ten_with_links_tags_and_escaping(deps: Deps, clock: FakeClock) -> None:
    set_workspace(deps, TEAM, now=clock())
    monday = FRIDAY - timedelta(days=4)
    with deps.session_factory.begin() as session:
        acme = add_customer(session, TEAM, "Smith & Sons", added=FRIDAY - timedelta(days=100))
        for i in range(12):  # story i recognised by i + 1 people; the same person with two emoji counts once
            add_story(
                session,
                TEAM,
                text=f"story number {i:02d}",
                at=monday + timedelta(hours=i),
                recognisers=[f"U0R{j:03d}" for j in range(i + 1)],
                emojis=("star2", "clap"),
            )
        add_story(
            session,
            TEAM,
            text="<!channel> stayed late & fixed it <https://evil.example|click> &lt;b&gt;",
            at=monday,
            recognisers=[f"U0X{j:03d}" for j in range(20)],
            credited=("U0LEE", "U0KIRI"),
            principle="follow_up",
            customer_id=acme,
            source=("C0SUPPORT", "1764000000.000100"),
        )
    assert queue_weekly_digest(deps, now=FRIDAY) == 1
    [row] = digests(deps)
    sections = story_sections(row)
    assert len(sections) == 10
    assert "stayed late" in sections[0] and "Recognised by 20 people" in sections[0]
    assert [s.split("story number ")[1][:2] for s in sections[1:]] == [f"{i:02d}" for i in range(11, 2, -1)]
    assert "Recognised by 12 people" in sections[1]
    assert "13 good stories" in shown(row) and "…and 3 more stories" in shown(row)

    top = sections[0]
    assert "<@U0KIRI> and <@U0LEE>" in top and "*Smith &amp; Sons*" in top and "Followed up" in top
    assert f"<{WORKSPACE_URL}archives/C0SUPPORT/p1764000000000100|the message>" in top
    text = shown(row)
    assert "<!channel>" not in text and "<https://evil" not in text and "<!here>" not in text
    assert "@channel stayed late &amp; fixed it click &lt;b&gt;" in top
    for word in ("rank", "leader"):
        assert word not in text.lower()


def test_stats_stories_this_month_in_workspace_time_follow_ups_on_time_and_quiet_customers(
    deps: Deps, clock: FakeClock
) -> None:
    now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    clock.now = now
    set_workspace(deps, TEAM, now=now, timezone="Pacific/Auckland")
    with deps.session_factory.begin() as session:
        # 2026-10-31 11:30 UTC is already November 1 in Auckland; 10:30 UTC is still October 31 there.
        add_story(session, TEAM, text="november in Auckland", at=datetime(2026, 10, 31, 11, 30, tzinfo=UTC))
        add_story(session, TEAM, text="october in Auckland", at=datetime(2026, 10, 31, 10, 30, tzinfo=UTC))
        add_story(session, TEAM, text="unrecognised", at=now - timedelta(days=1), recognisers=())
        add_story(session, TEAM, text="today", at=now)
        for i in range(15):  # 12 of 15 on time, in the last 30 days; one more long ago
            due = now - timedelta(days=i + 1)
            late = i >= 12  # done two days after the reminder; the others within the day
            add_done_followup(session, TEAM, due=due, closed=due + (timedelta(days=2) if late else timedelta(hours=20)))
        add_done_followup(session, TEAM, due=now - timedelta(days=40), closed=now - timedelta(days=40))
        touched = add_customer(session, TEAM, "Touched", added=now - timedelta(days=90))
        add_mention(session, TEAM, touched, now - timedelta(days=2))
        add_customer(session, TEAM, "Quiet", added=now - timedelta(days=90))
        add_customer(session, TEAM, "Quiet since", added=now - timedelta(days=90), since=date(2020, 1, 1))
        add_customer(session, TEAM, "Future since", added=now - timedelta(days=90), since=now.date())
    numbers = stats.workspace_stats(deps, team_id=TEAM)
    assert numbers.stories_this_month == 2 and numbers.month_name == "November"
    assert (numbers.followups_on_time, numbers.followups_done) == (12, 15)
    assert (numbers.quiet_customers, numbers.customers) == (2, 4)


def test_quiet_customers_count_every_kind_of_touch(deps: Deps, clock: FakeClock) -> None:
    now = FRIDAY
    clock.now = now
    set_workspace(deps, TEAM, now=now)
    long_ago = now - timedelta(days=200)
    with deps.session_factory.begin() as session:
        mentioned = add_customer(session, TEAM, "Mentioned", added=long_ago)
        followed = add_customer(session, TEAM, "Followed", added=long_ago)
        storied = add_customer(session, TEAM, "Storied", added=long_ago)
        quiet = add_customer(session, TEAM, "Quiet", added=long_ago)
        old = add_customer(session, TEAM, "Old touch", added=long_ago)
        add_mention(session, TEAM, mentioned, now - timedelta(days=29))
        add_done_followup(session, TEAM, due=now, closed=now - timedelta(days=10), customer_id=followed)
        add_story(session, TEAM, text="x", at=now - timedelta(days=5), customer_id=storied)
        add_story(session, TEAM, text="x", at=now - timedelta(days=31), customer_id=quiet)
        add_mention(session, TEAM, old, now - timedelta(days=31))
    numbers = stats.workspace_stats(deps, team_id=TEAM)
    assert numbers.quiet_customers == 2  # Quiet and Old touch
