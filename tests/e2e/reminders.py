"""Helpers for the reminder delivery tests: seeding due follow-ups, many users, `rapport run` processes."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.request
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.db.models import OutboxMessage
from bot.db.queries import followups as followup_rows
from bot.db.queries import workspaces as workspace_rows
from bot.db.session import make_engine, make_session_factory
from bot.slacksim import SimUser, SimWorkspace, SlackSimulator
from tests.conftest import PROJECT_ROOT, TEAM
from tests.e2e.test_cli import RAPPORT, clean_environ, free_port, slack_env


def with_users(workspace: SimWorkspace, count: int) -> list[str]:
    """Add `count` people to the simulated workspace; their user IDs."""
    ids = [f"U1{n:06d}" for n in range(count)]
    workspace.users = [
        *workspace.users,
        *(SimUser(uid, f"person{n}", f"Person {n}", "UTC") for n, uid in enumerate(ids)),
    ]
    return ids


def seed_due_followups(database_url: str, owners: list[str], per_owner: int, *, due_at: datetime) -> list[int]:
    """Open follow-ups due at `due_at`, `per_owner` for each owner, stored through the project's own query."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine).begin() as session:
            workspace_rows.ensure(session, team_id=TEAM, now=due_at)
            return [
                followup_rows.add(
                    session,
                    team_id=TEAM,
                    owner_user_id=owner,
                    customer_id=None,
                    kind="followup",
                    note=f"call back #{n} for {owner}",
                    due_at=due_at,
                    created_by=owner,
                    created_at=due_at - timedelta(days=1),
                ).id
                for n in range(per_owner)
                for owner in owners
            ]
    finally:
        engine.dispose()


def reminded_followups(sim: SlackSimulator) -> Counter[int]:
    """How many times Slack accepted a reminder DM for each follow-up (by the id its buttons carry)."""
    counts: Counter[int] = Counter()
    for call in sim.calls_to("chat.postMessage"):
        if call.ok:
            block_id = str(call.args["blocks"][-1]["block_id"])
            assert block_id.startswith("followup_"), block_id
            counts[int(block_id.removeprefix("followup_"))] += 1
    return counts


def outbox_states(database_url: str) -> dict[str, int]:
    """Outbox rows by state."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))
            return {str(state): int(n) for state, n in rows}
    finally:
        engine.dispose()


class RapportProcess:
    """`rapport run` in HTTP mode as a child process, against the simulator."""

    def __init__(self, sim: SlackSimulator, database_url: str, *, log_path: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.log_path = log_path
        env = {**clean_environ(), **slack_env(sim, database_url), "PORT": str(self.port), "LOG_LEVEL": "WARNING"}
        self._log = log_path.open("w")
        self.proc = subprocess.Popen(
            [*RAPPORT, "run", "--host", "127.0.0.1"],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
            env=env,
        )

    def wait_healthy(self, timeout: float = 30.0) -> None:
        """Block until /healthz answers ok."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.output()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as response:
                    if json.load(response)["ok"]:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"rapport run not healthy within {timeout}s:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL: no clean-up, no last commit."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=15)

    def stop(self) -> None:
        """SIGTERM, and SIGKILL if it does not stop."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()

    def output(self) -> str:
        """What the process logged."""
        self._log.flush()
        return self.log_path.read_text()


def wait_until(check: object, *, timeout: float, interval: float = 0.1) -> None:
    """Poll `check()` until it is truthy; AssertionError after `timeout` seconds."""
    assert callable(check)
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)
