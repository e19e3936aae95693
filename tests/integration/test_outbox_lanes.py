"""The outbox's lanes: a reply to what a person just did is claimed before the bulk that is due, within the pacing
Slack's limits impose, and still exactly once."""

from __future__ import annotations

from collections.abc import Iterator

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


def enqueue(deps: Deps, key: str, channel: str, *, lane: int = outbox_rows.BULK) -> None:
    now = deps.clock()
    with deps.session_factory.begin() as session:
        outbox_rows.enqueue(
            session,
            team_id=TEAM,
            kind="tip" if lane == outbox_rows.INTERACTIVE else "reminder",
            idempotency_key=key,
            method="chat.postMessage",
            payload={"channel": channel, "text": key},
            not_before=now,
            now=now,
            lane=lane,
        )


def posted(sim: SlackSimulator) -> list[str]:
    return [c.args["text"] for c in sim.calls_to("chat.postMessage") if c.ok]


def test_a_reply_queued_during_a_burst_goes_first_in_the_next_claim(
    deps: Deps, clock: FakeClock, client: WebClient, sim: SlackSimulator
) -> None:
    for n in range(150):
        enqueue(deps, f"bulk{n:03d}", PEOPLE[n % len(PEOPLE)])
    first = outbox.deliver_due(deps, client=client, now=clock.advance(seconds=1), worker="w1", limit=50)
    assert first.sent == 50
    enqueue(deps, "tip", "U0LEE", lane=outbox_rows.INTERACTIVE)  # queued after 100 bulk rows still waiting
    clock.advance(seconds=1)
    outbox.send_outbox(deps, client=client, now=clock(), worker="w1")
    sent = posted(sim)
    assert sent[50] == "tip"  # the first send after it was queued
    assert sorted(sent) == sorted(["tip", *(f"bulk{n:03d}" for n in range(150))])  # every one, once
    assert sent[:50] + sent[51:] == [f"bulk{n:03d}" for n in range(150)]  # the bulk keeps its order


def test_the_reply_waits_for_its_channels_slot_like_any_other_row(
    deps: Deps, clock: FakeClock, client: WebClient, sim: SlackSimulator
) -> None:
    sim.enforce_rate_limits()
    for n in range(4):
        enqueue(deps, f"lee{n}", "U0LEE")
    first = outbox.deliver_due(deps, client=client, now=clock(), worker="w1")
    assert first.sent == 1  # lee0 went; lee1 met the channel's limit, so U0LEE is paced at one a second
    enqueue(deps, "tip", "U0LEE", lane=outbox_rows.INTERACTIVE)
    enqueue(deps, "dana", "U0DANA", lane=outbox_rows.INTERACTIVE)
    for _ in range(6):
        outbox.deliver_due(deps, client=client, now=clock.advance(seconds=1), worker="w1")
    assert sorted(posted(sim)) == sorted(["lee0", "lee1", "lee2", "lee3", "tip", "dana"])
    assert posted(sim)[:2] == ["lee0", "dana"]  # another channel's reply goes at once
    statuses = [c.status for c in sim.calls_to("chat.postMessage")]
    assert statuses.count(429) == 1  # paced: the reply did not jump the channel's limit
    with deps.session_factory.begin() as session:
        states = {r.idempotency_key: (r.state, r.attempts) for r in session.scalars(select(OutboxMessage))}
    assert all(state == ("sent", 1) for key, state in states.items() if key != "lee1")
