"""The outbox sender against the simulator: once each, 429s waited out, 5xx retried, permanent errors kept."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import OutboxMessage
from bot.db.queries import outbox as outbox_rows
from bot.runtime.deps import Deps
from bot.services import outbox
from bot.slacksim import SimWorkspace, SlackSimulator
from tests.conftest import TEAM, FakeClock


@pytest.fixture
def sim() -> Iterator[SlackSimulator]:
    with SlackSimulator(workspace=SimWorkspace.default(), signing_secret="s", bot_token="xoxb-t") as simulator:
        simulator.set_bot_member("C0SUPPORT")
        yield simulator


def enqueue(deps: Deps, key: str, channel: str = "U0LEE", text: str = "hi", depends_on: int | None = None) -> int:
    now = deps.clock()
    with deps.session_factory.begin() as session:
        outbox_rows.enqueue(
            session,
            team_id=TEAM,
            kind="test",
            idempotency_key=key,
            method="chat.postMessage",
            payload={"channel": channel, "text": text},
            not_before=now,
            now=now,
            depends_on_id=depends_on,
        )
        row = outbox_rows.by_key(session, team_id=TEAM, idempotency_key=key)
        assert row is not None
        return row.id


def rows(deps: Deps) -> list[OutboxMessage]:
    with deps.session_factory.begin() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_each_row_sent_once_with_its_result(deps: Deps, client: WebClient, sim: SlackSimulator) -> None:
    for i in range(3):
        enqueue(deps, f"k{i}", text=f"message {i}")
    enqueue(deps, "k0", text="a duplicate intent is not stored twice")
    report = outbox.deliver_due(deps, client=client, now=deps.clock(), worker="w1")
    assert report.sent == 3
    assert outbox.deliver_due(deps, client=client, now=deps.clock(), worker="w1").sent == 0
    assert [m["text"] for m in sim.dm_messages("U0LEE")] == ["message 0", "message 1", "message 2"]
    assert len(sim.calls_to("chat.postMessage")) == 3  # one call per message, no conversations.open
    assert all(r.state == "sent" and r.result_ts and r.result_channel for r in rows(deps))


def test_429_is_waited_out_using_retry_after(
    deps: Deps, clock: FakeClock, client: WebClient, sim: SlackSimulator
) -> None:
    enqueue(deps, "a")
    enqueue(deps, "b")
    sim.fail_next("chat.postMessage", status=429, retry_after=7)
    first = outbox.deliver_due(deps, client=client, now=clock(), worker="w1")
    assert first.sent == 0 and first.rate_limited_until == clock.now + timedelta(seconds=7)
    assert [r.state for r in rows(deps)] == ["pending", "pending"]
    assert outbox.deliver_due(deps, client=client, now=clock.advance(seconds=6), worker="w1").sent == 0
    assert outbox.deliver_due(deps, client=client, now=clock.advance(seconds=1), worker="w1").sent == 2
    assert len(sim.dm_messages("U0LEE")) == 2


def test_5xx_is_retried_with_backoff_and_nothing_lost(
    deps: Deps, clock: FakeClock, client: WebClient, sim: SlackSimulator
) -> None:
    enqueue(deps, "a")
    sim.fail_next("chat.postMessage", status=503, times=3)
    sent = 0
    for _ in range(10):
        sent += outbox.deliver_due(deps, client=client, now=clock(), worker="w1").sent
        clock.advance(seconds=30)
    assert sent == 1 and len(sim.dm_messages("U0LEE")) == 1
    assert rows(deps)[0].attempts == 4


def test_permanent_error_is_recorded_not_retried(
    deps: Deps, clock: FakeClock, client: WebClient, sim: SlackSimulator
) -> None:
    enqueue(deps, "gone", channel="C0NOSUCH")
    enqueue(deps, "fine")
    report = outbox.deliver_due(deps, client=client, now=clock(), worker="w1")
    assert (report.sent, report.failed) == (1, 1)
    failed = rows(deps)[0]
    assert (failed.state, failed.last_error) == ("failed", "channel_not_found")
    outbox.deliver_due(deps, client=client, now=clock.advance(hours=1), worker="w1")
    assert len([c for c in sim.calls_to("chat.postMessage") if c.args.get("channel") == "C0NOSUCH"]) == 1


def test_update_waits_for_the_message_it_edits(deps: Deps, clock: FakeClock, client: WebClient) -> None:
    first = enqueue(deps, "post", channel="C0SUPPORT", text="v1")
    now = clock()
    with deps.session_factory.begin() as session:
        outbox_rows.enqueue(
            session,
            team_id=TEAM,
            kind="test",
            idempotency_key="edit",
            method="chat.update",
            payload={"text": "v2"},
            not_before=now,
            now=now,
            depends_on_id=first,
        )
    # Claimed alone, the update would have no ts: the claim skips it until the post is sent.
    with deps.session_factory.begin() as session:
        assert outbox_rows.claim_due(session, now=now, worker="w1", lease_until=now, limit=10) == [first]
    clock.advance(minutes=2)  # the first claim lapses
    outbox.deliver_due(deps, client=client, now=clock(), worker="w2")
    outbox.deliver_due(deps, client=client, now=clock(), worker="w2")
    post, edit = rows(deps)
    assert post.state == edit.state == "sent" and edit.result_ts == post.result_ts


def test_a_dead_senders_claim_lapses(deps: Deps, clock: FakeClock, client: WebClient, sim: SlackSimulator) -> None:
    enqueue(deps, "a")
    now = clock()
    with deps.session_factory.begin() as session:
        assert outbox_rows.claim_due(session, now=now, worker="dead", lease_until=now + outbox.LEASE, limit=10)
    assert outbox.deliver_due(deps, client=client, now=clock.advance(seconds=30), worker="w2").sent == 0
    assert outbox.deliver_due(deps, client=client, now=clock.advance(seconds=31), worker="w2").sent == 1
    assert len(sim.dm_messages("U0LEE")) == 1


def test_concurrent_senders_never_send_a_row_twice(deps: Deps, client: WebClient, sim: SlackSimulator) -> None:
    for i in range(120):
        enqueue(deps, f"k{i}", channel=["U0LEE", "U0DANA", "U0KIRI"][i % 3], text=f"m{i}")
    totals: list[int] = []

    def sender(name: str) -> None:
        worker_client = WebClient(token="xoxb-t", base_url=sim.api_url)
        sent = 0
        while True:
            report = outbox.deliver_due(deps, client=worker_client, now=deps.clock(), worker=name, limit=10)
            sent += report.sent
            if report.sent == 0:
                break
        totals.append(sent)

    threads = [threading.Thread(target=sender, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(totals) == 120
    texts = [c.args["text"] for c in sim.calls_to("chat.postMessage")]
    assert sorted(texts) == sorted(f"m{i}" for i in range(120))


def test_a_registered_kind_is_rendered_at_send_time_or_skipped(
    deps: Deps, client: WebClient, sim: SlackSimulator
) -> None:
    def render(session: Session, row: OutboxMessage, dependency: OutboxMessage | None) -> dict[str, Any] | None:
        number = row.payload["n"]
        return None if number == 2 else {"channel": "U0LEE", "text": f"rendered {number}"}

    now = deps.clock()
    with deps.session_factory.begin() as session:
        for n in (1, 2):
            outbox_rows.enqueue(
                session,
                team_id=TEAM,
                kind="card",
                idempotency_key=f"card{n}",
                method="chat.postMessage",
                payload={"n": n},
                not_before=now,
                now=now,
            )
    enqueue(deps, "plain", text="sent as stored")
    rendering = dataclasses.replace(deps, renderers={"card": render})  # the table the wiring builds at start-up
    report = outbox.deliver_due(rendering, client=client, now=now, worker="w1")
    assert (report.sent, report.skipped) == (2, 1)
    assert [m["text"] for m in sim.dm_messages("U0LEE")] == ["rendered 1", "sent as stored"]
    assert [r.state for r in rows(deps)] == ["sent", "skipped", "sent"]
