"""Reminder DMs from real `rapport run` processes: killed mid-backlog, and two sharing one database.

The follow-ups are seeded as already due through the project's own query; the processes' reminder job turns
them into outbox rows and their senders deliver them to the simulator over HTTP. Each DM is traced back to
its follow-up by the id its buttons carry.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.db.models import OutboxMessage
from bot.db.session import make_engine
from bot.slacksim import SlackSimulator
from tests.e2e.reminders import (
    RapportProcess,
    outbox_states,
    reminded_followups,
    seed_due_followups,
    wait_until,
    with_users,
)


def _sending_followups(database_url: str) -> set[int]:
    """Follow-ups whose reminder row is claimed by a sender ('sending'): key reminder:<followup>:<due>:<n>."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            keys = connection.scalars(select(OutboxMessage.idempotency_key).where(OutboxMessage.state == "sending"))
            return {int(key.split(":")[1]) for key in keys}
    finally:
        engine.dispose()


def test_sigkill_mid_backlog_then_restart_delivers_everything(
    sim: SlackSimulator, database_url: str, tmp_path: Path
) -> None:
    owners = with_users(sim.workspace, 50)
    followups = seed_due_followups(database_url, owners, 10, due_at=datetime.now(UTC) - timedelta(minutes=1))
    sim.set_delay("chat.postMessage", 0.01)  # Slack takes 10 ms a message, so the kill lands mid-backlog
    first = RapportProcess(sim, database_url, log_path=tmp_path / "first.log")
    try:
        first.wait_healthy()
        wait_until(lambda: len(sim.calls_to("chat.postMessage")) >= 175, timeout=60, interval=0.01)
        first.kill()
    finally:
        first.stop()
    time.sleep(0.2)  # a request already on the wire is still answered (and counted) by Slack
    before_restart = reminded_followups(sim)
    claimed_at_kill = _sending_followups(database_url)
    assert 0 < sum(before_restart.values()) < len(followups) and claimed_at_kill

    second = RapportProcess(sim, database_url, log_path=tmp_path / "second.log")
    try:
        second.wait_healthy()
        # Rows the dead process had claimed come back once its claim lapses (outbox.LEASE, 60 s).
        wait_until(lambda: outbox_states(database_url) == {"sent": len(followups)}, timeout=120, interval=0.5)
        time.sleep(2)  # two more sender ticks: anything doubled would show now
    finally:
        second.stop()
    delivered = reminded_followups(sim)
    assert set(delivered) == set(followups)  # nothing lost
    doubled = {f for f, n in delivered.items() if n > 1}
    # The only duplicate allowed: a DM Slack accepted while the process died before recording it. Its row was
    # still claimed at the kill, and one sender has at most one call in flight.
    assert doubled <= claimed_at_kill, (doubled, claimed_at_kill)
    assert len(doubled) <= 1 and all(delivered[f] == 2 for f in doubled)


def test_two_processes_send_each_of_2000_reminders_once(sim: SlackSimulator, database_url: str, tmp_path: Path) -> None:
    owners = with_users(sim.workspace, 200)
    apps = [RapportProcess(sim, database_url, log_path=tmp_path / f"rapport{n}.log") for n in range(2)]
    try:
        for app in apps:
            app.wait_healthy()
        followups = seed_due_followups(database_url, owners, 10, due_at=datetime.now(UTC) - timedelta(minutes=1))
        wait_until(lambda: sum(reminded_followups(sim).values()) >= len(followups), timeout=120, interval=0.2)
        time.sleep(2)  # both senders tick again: anything doubled would show now
        assert all(app.proc.poll() is None for app in apps), [app.output() for app in apps]
    finally:
        for app in apps:
            app.stop()
    assert reminded_followups(sim) == {f: 1 for f in followups}
    assert len(sim.calls_to("chat.postMessage")) == len(followups)  # no conversations.open, no retries
    assert outbox_states(database_url) == {"sent": len(followups)}
