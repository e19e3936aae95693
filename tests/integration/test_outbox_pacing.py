"""The sender under Slack's rate limits: one busy channel never stalls the others, a workspace-wide 429 holds
every send, an outage costs one call per pass, and no call is started that could outlive its claim.

The simulator enforces chat.postMessage's limits (1 per second per channel, a workspace cap) on the test's
own clock, so time is an input here as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.db.models import OutboxMessage
from bot.db.queries import outbox as outbox_rows
from bot.runtime.deps import Deps
from bot.services import outbox
from bot.slacksim import SimWorkspace, SlackSimulator
from tests.conftest import TEAM, FakeClock

PEOPLE = ("U0LEE", "U0DANA", "U0STEPH", "U0KIRI", "U0OWNER")


@pytest.fixture
def sim(clock: FakeClock) -> Iterator[SlackSimulator]:
    with SlackSimulator(workspace=SimWorkspace.default(), signing_secret="s", bot_token="xoxb-t") as simulator:
        simulator.clock = lambda: clock.now.timestamp()
        yield simulator


def enqueue(deps: Deps, key: str, channel: str) -> None:
    now = deps.clock()
    with deps.session_factory.begin() as session:
        outbox_rows.enqueue(
            session,
            team_id=TEAM,
            kind="test",
            idempotency_key=key,
            method="chat.postMessage",
            payload={"channel": channel, "text": key},
            not_before=now,
            now=now,
        )


def rows(deps: Deps) -> list[OutboxMessage]:
    with deps.session_factory.begin() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def posted(sim: SlackSimulator) -> list[str]:
    return [c.args["text"] for c in sim.calls_to("chat.postMessage") if c.ok]


def test_a_busy_channel_is_paced_while_the_others_go_on(
    deps: Deps, clock: FakeClock, client: WebClient, sim: SlackSimulator
) -> None:
    sim.enforce_rate_limits()
    for n in range(4):
        enqueue(deps, f"lee{n}", "U0LEE")
    enqueue(deps, "dana0", "U0DANA")
    enqueue(deps, "kiri0", "U0KIRI")
    first = outbox.deliver_due(deps, client=client, now=clock(), worker="w1")
    # lee0 goes; lee1 meets the channel's limit (one 429), so lee1..lee3 get one-second slots; the rest go on.
    assert (first.sent, first.deferred, first.rate_limited_until) == (3, 3, None)
    assert posted(sim) == ["lee0", "dana0", "kiri0"]
    assert len(sim.calls_to("chat.postMessage")) == 4
    for second in (1, 2, 3):
        report = outbox.deliver_due(deps, client=client, now=clock.advance(seconds=1), worker="w1")
        assert report.sent == 1, second
    assert posted(sim) == ["lee0", "dana0", "kiri0", "lee1", "lee2", "lee3"]
    assert len(sim.calls_to("chat.postMessage")) == 7  # paced: no 429 after the first
    assert all(r.state == "sent" and r.attempts == 1 for r in rows(deps))  # waiting is not an attempt


def test_a_workspace_wide_429_holds_every_send_until_retry_after(
    deps: Deps, clock: FakeClock, client: WebClient, sim: SlackSimulator
) -> None:
    sim.enforce_rate_limits(post_message_workspace_per_minute=3)
    for person in PEOPLE:
        enqueue(deps, person, person)
    start = clock()
    first = outbox.deliver_due(deps, client=client, now=start, worker="w1")
    assert (first.sent, first.deferred) == (3, 2)
    assert first.rate_limited_until == start + timedelta(seconds=60)
    calls = len(sim.calls)
    held = outbox.deliver_due(deps, client=client, now=clock.advance(seconds=59), worker="w1")
    assert held.sent == 0 and held.rate_limited_until == start + timedelta(seconds=60)
    assert len(sim.calls) == calls  # held: not one call until Retry-After passes
    assert outbox.deliver_due(deps, client=client, now=clock.advance(seconds=1), worker="w1").sent == 2
    assert sorted(posted(sim)) == sorted(PEOPLE)
    assert [c.status for c in sim.calls_to("chat.postMessage")] == [200, 200, 200, 429, 200, 200]


def test_an_outage_costs_one_call_per_pass(
    deps: Deps, clock: FakeClock, client: WebClient, sim: SlackSimulator
) -> None:
    for n in range(10):
        enqueue(deps, f"m{n}", PEOPLE[n % len(PEOPLE)])
    sim.fail_next("chat.postMessage", status=503, times=1_000)
    report = outbox.deliver_due(deps, client=client, now=clock(), worker="w1")
    assert (report.sent, report.retried, report.deferred) == (0, 1, 9)
    assert len(sim.calls_to("chat.postMessage")) == 1
    assert [r.attempts for r in rows(deps)] == [1] + [0] * 9  # only the row that was tried counts a try
    sim.clear_faults()
    sent = 0
    for _ in range(5):
        sent += outbox.deliver_due(deps, client=client, now=clock.advance(seconds=5), worker="w1").sent
    assert sent == 10 and sorted(posted(sim)) == sorted(f"m{n}" for n in range(10))


class TickingClock(FakeClock):
    """A clock that moves on by `step` every time it is read, like a slow Slack would make it."""

    def __init__(self, now: datetime, step: timedelta) -> None:
        super().__init__(now)
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


def test_no_call_is_started_that_could_outlive_the_claim(deps: Deps, client: WebClient, sim: SlackSimulator) -> None:
    for n in range(5):
        enqueue(deps, f"m{n}", PEOPLE[n])
    start = deps.clock()
    slow = TickingClock(start, timedelta(seconds=8))  # each read of the clock: 8 s later
    slow_deps = Deps(session_factory=deps.session_factory, clock=slow, matchers=deps.matchers, settings=deps.settings)
    client.timeout = 30
    report = outbox.deliver_due(slow_deps, client=client, now=start, worker="w1")
    # Within LEASE (60 s) minus the client's timeout (30 s): a few rows go, the rest are handed back, unsent,
    # before another sender could take over the lapsed claim and send them a second time.
    assert 0 < report.sent < 5 and report.sent + report.deferred == 5
    later = outbox.deliver_due(deps, client=client, now=slow.now, worker="w2")
    assert report.sent + later.sent == 5
    assert sorted(posted(sim)) == [f"m{n}" for n in range(5)]
    assert all(r.state == "sent" for r in rows(deps))
