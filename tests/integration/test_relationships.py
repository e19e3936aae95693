"""Gone-quiet and anniversary DMs on a real database: jobs run at a chosen `now`, owners' timezones come from
the simulator's users.info (Lee: Berlin, Steph: Honolulu UTC-10, Kiri: Auckland UTC+13 in summer)."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import event, select

from bot.db.models import Customer, OutboxMessage, WorkspaceSettings
from bot.domain.customer_commands import AddCustomer
from bot.domain.errors import BadCommand
from bot.domain.messages import ChannelMessage
from bot.runtime.deps import Deps
from bot.services import directory, followups, mentions, relationships
from bot.slacksim import SlackSimulator
from tests.conftest import TEAM, FakeClock

MONDAY = date(2026, 11, 30)
ADDED = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)  # long enough ago to be quiet by MONDAY


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def add(deps: Deps, clock: FakeClock, name: str, owner: str, *, at: datetime = ADDED, since: date | None = None) -> int:
    clock.now = at
    directory.add_customer(
        deps, team_id=TEAM, command=AddCustomer(name=name, owner_user_id=owner, since=since), created_by="U0DANA"
    )
    with deps.session_factory.begin() as session:
        return int(session.scalar(select(Customer.id).where(Customer.name == name)) or 0)


def mention(deps: Deps, clock: FakeClock, name: str, at: datetime) -> None:
    clock.now = at
    message = ChannelMessage(
        team_id=TEAM,
        channel_id="C0SUPPORT",
        ts=f"{at.timestamp():.6f}",
        thread_ts=None,
        user_id="U0DANA",
        text=f"talked to {name} today",
    )
    assert mentions.record_message(deps, event_id=None, message=message) == 1


def finish_followup(deps: Deps, client: WebClient, clock: FakeClock, name: str, at: datetime) -> None:
    clock.now = at - timedelta(days=1)
    [view] = followups.create_followups(
        deps, client, team_id=TEAM, created_by="U0DANA", owners=(), text=f"{name} in 2 hours call back"
    )
    clock.now = at
    assert followups.mark_done(deps, client, team_id=TEAM, followup_id=view.id, user_id="U0DANA").changed


def outbox(deps: Deps, kind: str) -> list[OutboxMessage]:
    with deps.session_factory.begin() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id))
        return list(rows)


def listed(row: OutboxMessage) -> list[str]:
    """The customer names of a quiet DM, in order (from the section above each row of buttons)."""
    blocks = row.payload["blocks"]
    return [blocks[i - 1]["text"]["text"].split("*")[1] for i, b in enumerate(blocks) if b["type"] == "actions"]


def quiet(deps: Deps, client: WebClient, now: datetime) -> int:
    return relationships.queue_quiet_nudges(deps, now=now, client=client)


# --- gone quiet -----------------------------------------------------------------------------------------


def test_monday_nine_in_each_owners_own_timezone_once_a_week(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    add(deps, clock, "Kiwi Fruit Co", "U0KIRI")  # Auckland: Monday 09:00 is Sunday 20:00 UTC
    add(deps, clock, "Aloha Surf", "U0STEPH")  # Honolulu: Monday 09:00 is Monday 19:00 UTC
    assert quiet(deps, client, utc(2026, 11, 29, 19, 59)) == 0
    assert quiet(deps, client, utc(2026, 11, 29, 20, 0)) == 1
    [kiri] = outbox(deps, "quiet")
    assert kiri.payload["channel"] == "U0KIRI" and kiri.idempotency_key == f"quiet:U0KIRI:{MONDAY}"
    assert listed(kiri) == ["Kiwi Fruit Co"]
    # Early Monday in Honolulu: last week's DM is stale and this week's not yet due.
    assert quiet(deps, client, utc(2026, 11, 30, 18, 59)) == 0
    assert quiet(deps, client, utc(2026, 11, 30, 19, 0)) == 1
    assert quiet(deps, client, utc(2026, 11, 30, 19, 0)) == 0  # run twice: still once
    assert quiet(deps, client, utc(2026, 12, 3, 12, 0)) == 0  # later that week: still once
    assert [r.idempotency_key for r in outbox(deps, "quiet")] == [f"quiet:U0KIRI:{MONDAY}", f"quiet:U0STEPH:{MONDAY}"]
    # The next Monday, still quiet: one more each.
    assert quiet(deps, client, utc(2026, 12, 7, 19, 0)) == 2
    assert len(outbox(deps, "quiet")) == 4


def test_several_processes_at_once_queue_one_dm(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    add(deps, clock, "Acme Corp", "U0LEE")
    now = utc(2026, 11, 30, 9, 0)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: quiet(deps, client, now), range(4)))
    assert sum(results) == 1 and len(outbox(deps, "quiet")) == 1


def test_threshold_touches_and_snoozes(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    start = utc(2026, 11, 30, 8, 0)  # Monday 09:00 in Berlin
    for name in (
        "Never Touched",
        "Mentioned Lately",
        "Mentioned Long Ago",
        "Done Lately",
        "Done Long Ago",
        "Exactly Thirty Days",
        "Thirty Days Less A Minute",
        "Snoozed",
        "Snooze Ran Out",
    ):
        add(deps, clock, name, "U0LEE")
    add(deps, clock, "Added Lately", "U0LEE", at=utc(2026, 11, 10, 12, 0))
    mention(deps, clock, "Mentioned Lately", utc(2026, 11, 20, 10, 0))
    mention(deps, clock, "Mentioned Long Ago", utc(2026, 10, 1, 10, 0))
    finish_followup(deps, client, clock, "Done Lately", utc(2026, 11, 25, 10, 0))
    finish_followup(deps, client, clock, "Done Long Ago", utc(2026, 10, 2, 10, 0))
    mention(deps, clock, "Exactly Thirty Days", start - timedelta(days=30))
    mention(deps, clock, "Thirty Days Less A Minute", start - timedelta(days=30) + timedelta(minutes=1))
    with deps.session_factory.begin() as session:
        for name, until in (("Snoozed", utc(2026, 12, 15)), ("Snooze Ran Out", utc(2026, 11, 29))):
            session.scalars(select(Customer).where(Customer.name == name)).one().quiet_snoozed_until = until
    assert quiet(deps, client, start) == 1
    [row] = outbox(deps, "quiet")
    assert sorted(listed(row)) == sorted(
        ["Never Touched", "Mentioned Long Ago", "Done Long Ago", "Exactly Thirty Days", "Snooze Ran Out"]
    )


def test_threshold_is_the_workspace_setting(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    add(deps, clock, "Acme Corp", "U0LEE")
    mention(deps, clock, "Acme Corp", utc(2026, 11, 1, 10, 0))  # 29 days before Monday 09:00 Berlin
    with deps.session_factory.begin() as session:
        session.get_one(WorkspaceSettings, TEAM).quiet_days = 14
    assert quiet(deps, client, utc(2026, 11, 30, 8, 0)) == 1
    assert "14 days or more" in json.dumps(outbox(deps, "quiet")[0].payload)


def test_at_most_five_longest_relationship_first(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    add(deps, clock, "No Since Later", "U0LEE", at=ADDED + timedelta(days=2))
    add(deps, clock, "No Since Earlier", "U0LEE", at=ADDED + timedelta(days=1))
    for name, since in (
        ("Since 2021", date(2021, 5, 1)),
        ("Since 2015", date(2015, 1, 2)),
        ("Since 2019", date(2019, 4, 1)),
        ("Since 2024", date(2024, 2, 29)),
    ):
        add(deps, clock, name, "U0LEE", since=since)
    add(deps, clock, "Elsewhere", "U0KIRI", since=date(2010, 1, 1))  # another owner's customer
    assert quiet(deps, client, utc(2026, 11, 30, 8, 0)) == 2
    [lee] = [r for r in outbox(deps, "quiet") if r.payload["channel"] == "U0LEE"]
    assert listed(lee) == ["Since 2015", "Since 2019", "Since 2021", "Since 2024", "No Since Earlier"]
    shown = json.dumps(lee.payload)
    assert "6 of your customers have gone quiet" in shown and "and 1 more" in shown and "Elsewhere" not in shown
    assert len(lee.payload["blocks"]) <= 50
    for block in lee.payload["blocks"]:
        assert len(block.get("block_id", "")) <= 255
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75 and len(element["action_id"]) <= 255


def test_no_dm_when_nothing_is_quiet(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    add(deps, clock, "Acme Corp", "U0LEE")
    mention(deps, clock, "Acme Corp", utc(2026, 11, 27, 10, 0))
    add(deps, clock, "Brand New", "U0STEPH", at=utc(2026, 11, 20, 10, 0))
    assert quiet(deps, client, utc(2026, 11, 30, 20, 0)) == 0
    assert outbox(deps, "quiet") == []


def test_downtime_sends_the_weeks_dm_late_but_never_a_stale_one(
    deps: Deps, client: WebClient, clock: FakeClock
) -> None:
    add(deps, clock, "Acme Corp", "U0LEE", since=date(2018, 1, 1))
    add(deps, clock, "Globex", "U0LEE", since=date(2019, 1, 1))
    # Down all Monday; on Tuesday morning someone talks about Globex; the bot starts on Tuesday at noon.
    mention(deps, clock, "Globex", utc(2026, 12, 1, 8, 0))
    assert quiet(deps, client, utc(2026, 12, 1, 11, 0)) == 1
    [row] = outbox(deps, "quiet")
    assert row.idempotency_key == f"quiet:U0LEE:{MONDAY}" and listed(row) == ["Acme Corp"]
    # Down from Sunday until the next Monday 08:59 Berlin: last week's is done, this week's not yet due.
    assert quiet(deps, client, utc(2026, 12, 7, 7, 59)) == 0
    assert quiet(deps, client, utc(2026, 12, 7, 8, 0)) == 1


def test_a_dm_is_never_sent_for_a_previous_week(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    add(deps, clock, "Acme Corp", "U0LEE")
    # Down for two weeks; back on a Monday before 09:00 Berlin: nothing, then this week's at 09:00.
    assert quiet(deps, client, utc(2026, 12, 14, 7, 30)) == 0
    assert quiet(deps, client, utc(2026, 12, 14, 8, 0)) == 1
    assert [r.idempotency_key for r in outbox(deps, "quiet")] == ["quiet:U0LEE:2026-12-14"]


def test_customer_names_are_escaped(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    add(deps, clock, "<!here> & <https://evil.example|Corp>", "U0LEE", since=date(2020, 11, 30))
    quiet(deps, client, utc(2026, 11, 30, 8, 0))
    relationships.queue_anniversaries(deps, now=utc(2026, 11, 30, 8, 0), client=client)
    for row in outbox(deps, "quiet") + outbox(deps, "anniversary"):
        shown = json.dumps(row.payload)
        assert "<!here>" not in shown and "<https://evil" not in shown
        assert "&lt;!here&gt; &amp; &lt;https://evil.example|Corp&gt;" in shown


def test_plan_a_check_in_once_due_at_the_workspace_default(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    acme = add(deps, clock, "Acme Corp", "U0STEPH")
    clock.now = utc(2026, 11, 30, 10, 0)  # Monday
    first = relationships.plan_checkin(deps, client, team_id=TEAM, customer_id=acme, user_id="U0STEPH")
    assert first.changed and first.due_at == utc(2026, 12, 2, 19, 0)  # Wednesday 09:00 in Honolulu
    clock.advance(minutes=1)
    again = relationships.plan_checkin(deps, client, team_id=TEAM, customer_id=acme, user_id="U0STEPH")
    assert not again.changed and again.due_at == first.due_at
    [checkin] = followups.list_open(deps, team_id=TEAM, user_id="U0STEPH")
    assert (checkin.kind, checkin.customer_name, checkin.created_by) == ("checkin", "Acme Corp", "U0STEPH")
    assert "still good" in checkin.note
    with pytest.raises(BadCommand):
        relationships.plan_checkin(deps, client, team_id=TEAM, customer_id=acme + 100, user_id="U0STEPH")


def test_snooze_30_days_once_then_listed_again(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    acme = add(deps, clock, "Acme Corp", "U0LEE")
    add(deps, clock, "Globex", "U0LEE")
    assert quiet(deps, client, utc(2026, 11, 30, 8, 0)) == 1
    clock.now = utc(2026, 11, 30, 9, 0)
    first = relationships.snooze_quiet(deps, client, team_id=TEAM, customer_id=acme, user_id="U0LEE")
    assert first.changed and first.until == utc(2026, 12, 30, 9, 0)
    clock.advance(hours=1)
    again = relationships.snooze_quiet(deps, client, team_id=TEAM, customer_id=acme, user_id="U0LEE")
    assert not again.changed and again.until == first.until  # a second click extends nothing
    assert quiet(deps, client, utc(2026, 12, 7, 8, 0)) == 1
    assert listed(outbox(deps, "quiet")[-1]) == ["Globex"]
    assert quiet(deps, client, utc(2026, 12, 28, 8, 0)) == 1  # still snoozed on that Monday
    assert listed(outbox(deps, "quiet")[-1]) == ["Globex"]
    assert quiet(deps, client, utc(2027, 1, 4, 8, 0)) == 1
    assert listed(outbox(deps, "quiet")[-1]) == ["Acme Corp", "Globex"]


def test_missing_timezone_is_fetched_once_and_cached(
    deps: Deps, client: WebClient, clock: FakeClock, sim: SlackSimulator
) -> None:
    add(deps, clock, "Acme Corp", "U0KIRI")
    quiet(deps, client, utc(2026, 11, 29, 19, 0))
    quiet(deps, client, utc(2026, 11, 29, 20, 0))
    assert len(sim.calls_to("users.info")) == 1 and len(outbox(deps, "quiet")) == 1


# --- anniversaries --------------------------------------------------------------------------------------


def anniversaries(deps: Deps, client: WebClient, now: datetime) -> list[str]:
    """Run the job; the texts of the anniversary DMs it queued."""
    before = len(outbox(deps, "anniversary"))
    relationships.queue_anniversaries(deps, now=now, client=client)
    return [r.payload["text"] for r in outbox(deps, "anniversary")[before:]]


def test_anniversary_at_nine_owners_time_once_and_only_that_day(
    deps: Deps, client: WebClient, clock: FakeClock
) -> None:
    acme = add(deps, clock, "Acme Corp", "U0LEE", since=date(2023, 11, 30))
    assert anniversaries(deps, client, utc(2026, 11, 30, 7, 59)) == []  # 08:59 in Berlin
    assert anniversaries(deps, client, utc(2026, 11, 30, 8, 0)) == [
        "3 years with Acme Corp today — a good day to say thank you"
    ]
    assert anniversaries(deps, client, utc(2026, 11, 30, 8, 0)) == []
    assert anniversaries(deps, client, utc(2026, 11, 30, 22, 59)) == []
    assert anniversaries(deps, client, utc(2026, 12, 1, 8, 0)) == []
    [row] = outbox(deps, "anniversary")
    assert row.idempotency_key == f"anniversary:{acme}:2026" and row.payload["channel"] == "U0LEE"
    assert anniversaries(deps, client, utc(2027, 11, 30, 8, 0)) == [
        "4 years with Acme Corp today — a good day to say thank you"
    ]


def test_anniversary_is_caught_up_that_day_not_later(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    add(deps, clock, "Acme Corp", "U0LEE", since=date(2025, 11, 30))
    add(deps, clock, "Globex", "U0LEE", since=date(2020, 11, 29))
    # Down from Saturday until Monday 23:30 in Berlin: Monday's is still sent, Sunday's is not.
    assert anniversaries(deps, client, utc(2026, 11, 30, 22, 30)) == [
        "1 year with Acme Corp today — a good day to say thank you"
    ]


def test_anniversary_in_owners_far_apart(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    add(deps, clock, "Kiwi Fruit Co", "U0KIRI", since=date(2020, 12, 1))
    add(deps, clock, "Aloha Surf", "U0STEPH", since=date(2020, 12, 1))
    assert anniversaries(deps, client, utc(2026, 11, 30, 19, 59)) == []
    assert anniversaries(deps, client, utc(2026, 11, 30, 20, 0)) == [  # Tuesday 09:00 in Auckland
        "6 years with Kiwi Fruit Co today — a good day to say thank you"
    ]
    assert anniversaries(deps, client, utc(2026, 12, 1, 18, 59)) == []
    assert anniversaries(deps, client, utc(2026, 12, 1, 19, 0)) == [  # Tuesday 09:00 in Honolulu
        "6 years with Aloha Surf today — a good day to say thank you"
    ]


def test_leap_day_customers_celebrate_on_february_28_in_other_years(
    deps: Deps, client: WebClient, clock: FakeClock
) -> None:
    add(deps, clock, "Leap Inc", "U0OWNER", since=date(2024, 2, 29))  # London: 09:00 is 09:00 UTC in winter
    add(deps, clock, "Feb 28 Ltd", "U0OWNER", since=date(2023, 2, 28))
    add(deps, clock, "Not Yet", "U0OWNER", since=date(2026, 2, 28))
    assert anniversaries(deps, client, utc(2027, 2, 27, 9, 0)) == []
    assert sorted(anniversaries(deps, client, utc(2027, 2, 28, 9, 0))) == [
        "1 year with Not Yet today — a good day to say thank you",
        "3 years with Leap Inc today — a good day to say thank you",
        "4 years with Feb 28 Ltd today — a good day to say thank you",
    ]
    assert anniversaries(deps, client, utc(2027, 3, 1, 9, 0)) == []
    # In a leap year each has its own day.
    assert sorted(anniversaries(deps, client, utc(2028, 2, 28, 9, 0))) == [
        "2 years with Not Yet today — a good day to say thank you",
        "5 years with Feb 28 Ltd today — a good day to say thank you",
    ]
    assert anniversaries(deps, client, utc(2028, 2, 29, 9, 0)) == [
        "4 years with Leap Inc today — a good day to say thank you"
    ]


def test_no_anniversary_before_a_full_year(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    add(deps, clock, "Brand New", "U0LEE", at=utc(2026, 11, 30, 7, 0), since=date(2026, 11, 30))
    assert anniversaries(deps, client, utc(2026, 11, 30, 12, 0)) == []


# --- cost per tick --------------------------------------------------------------------------------------


def statements(deps: Deps, run: Callable[[], object]) -> list[str]:
    """The SQL statements `run` made."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(deps.engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(deps.engine, "before_cursor_execute", record)
    return seen


def test_a_tick_with_nothing_due_reads_no_customers(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    for i in range(30):
        add(deps, clock, f"Customer {i}", ("U0LEE", "U0STEPH", "U0KIRI")[i % 3], since=date(2020, 1, 1))
    memo = relationships.NudgeMemo()
    now = utc(2026, 11, 30, 20, 0)  # Monday evening in Berlin, Monday 10:00 in Honolulu, Tuesday in Auckland
    assert relationships.queue_quiet_nudges(deps, now=now, client=client, memo=memo) == 3
    relationships.queue_anniversaries(deps, now=now, client=client, memo=memo)
    for job in (relationships.queue_quiet_nudges, relationships.queue_anniversaries):
        later = statements(deps, lambda job=job: job(deps, now=now + timedelta(minutes=1), client=client, memo=memo))
        # The owners with their timezones and the directory version, whatever the number of customers.
        assert len([s for s in later if s.lstrip().upper().startswith("SELECT")]) <= 3, later
        assert not any("mentions" in s or "followups" in s or "outbox" in s for s in later), later


def test_the_memo_is_only_a_cache(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    add(deps, clock, "Acme Corp", "U0LEE")
    mention(deps, clock, "Acme Corp", utc(2026, 11, 10, 10, 0))  # 20 days before Monday
    memo = relationships.NudgeMemo()
    assert relationships.queue_quiet_nudges(deps, now=utc(2026, 11, 30, 8, 0), client=client, memo=memo) == 0
    # Acme is not quiet as of Monday 09:00 under the default 30 days; a forgotten memo finds no one new either.
    assert relationships.queue_quiet_nudges(deps, now=utc(2026, 12, 2, 8, 0), client=client) == 0
    # An anniversary customer added later the same day is still seen that day, by a process that looked already.
    assert relationships.queue_anniversaries(deps, now=utc(2026, 11, 30, 9, 0), client=client, memo=memo) == 0
    add(deps, clock, "Globex", "U0LEE", since=date(2024, 11, 30))
    assert relationships.queue_anniversaries(deps, now=utc(2026, 11, 30, 9, 1), client=client, memo=memo) == 1
