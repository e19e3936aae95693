"""Benchmark reminder delivery: real `rapport run` processes, the local Slack simulator, a due backlog.

The follow-ups are seeded already due through the project's own query (``followup_rows.add``); the
processes' reminder job turns them into outbox rows and their senders post the DMs to the simulator over
HTTP. Every figure is counted by the simulator, and each DM is traced to its follow-up by the id its buttons
carry, so duplicates and losses are exact.

a. Web API calls per delivered reminder (all methods, counted by the simulator, in the unthrottled runs).
b. Draining ``--reminders`` for ``--users`` people, all due at once, with the simulator enforcing
   chat.postMessage's limits: 1 per second per channel and a workspace cap of ``--cap`` per minute (sliding
   60 s window). One process, SQLite file. The drain time (first to last accepted DM) is compared with the
   shortest drain the same limits allow, computed by an ideal sender that knows the limiter's state.
c. Scale-out: the same backlog on PostgreSQL with the simulator unthrottled but answering each call after
   ``--latency-ms`` (Slack itself takes ~50-100 ms), 1 process versus ``--processes`` processes.

Run from the repository root (PostgreSQL for part c; a scratch database is created and dropped):
    python -m bench.bench_reminders  [--reminders N] [--users N] [--cap N] [--latency-ms MS]
                                     [--processes N] [--database-url URL] [--skip-drain] [--skip-scaleout]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Running as a plain script puts bench/ (not the repository root) on sys.path.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.db import migrate  # noqa: E402
from bot.db.models import Base  # noqa: E402
from bot.db.queries import followups as followup_rows  # noqa: E402
from bot.db.queries import workspaces as workspace_rows  # noqa: E402
from bot.db.session import make_engine, make_session_factory  # noqa: E402
from bot.slacksim import SimUser, SimWorkspace, SlackSimulator  # noqa: E402

SEED = 20261123
BOT_TOKEN = "xoxb-bench-token"
SIGNING_SECRET = "bench-signing-secret"
TEAM_ID = "T0SIM0001"
TIERS = _ROOT / "tests" / "fixtures" / "slack" / "rate_limit_tiers.json"
WINDOW = 60.0  # the simulator's workspace cap counts posts in a sliding minute
CHANNEL_GAP = 1.0

TARGET_CALLS_PER_REMINDER = 1.0
TARGET_DRAIN_RATIO = 1.2
TARGET_SCALE_OUT = 1.8


# --- the workload -----------------------------------------------------------------------------------------


def people(count: int) -> list[str]:
    """User IDs of the reminded people."""
    return [f"U2{n:06d}" for n in range(count)]


def seed(database_url: str, owners: Sequence[str], total: int) -> list[int]:
    """`total` open follow-ups spread evenly over `owners`, all due a minute ago, in a shuffled order."""
    due = datetime.now(UTC) - timedelta(minutes=1)
    order = [owners[n % len(owners)] for n in range(total)]
    random.Random(SEED).shuffle(order)
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine).begin() as session:
            workspace_rows.ensure(session, team_id=TEAM_ID, now=due)
            return [
                followup_rows.add(
                    session,
                    team_id=TEAM_ID,
                    owner_user_id=owner,
                    customer_id=None,
                    kind="followup",
                    note=f"call back #{n}",
                    due_at=due,
                    created_by=owner,
                    created_at=due - timedelta(days=1),
                ).id
                for n, owner in enumerate(order)
            ]
    finally:
        engine.dispose()


def ideal_drain_seconds(per_channel: Sequence[int], cap: int | None) -> float:
    """The shortest first-to-last time in which the limits let these DMs out (an all-knowing greedy sender)."""
    remaining = [n for n in per_channel if n > 0]
    last: list[float | None] = [None] * len(remaining)
    posts: deque[float] = deque()
    t, end = 0.0, 0.0
    while any(remaining):
        while posts and posts[0] <= t - WINDOW:
            posts.popleft()
        for channel, left in enumerate(remaining):
            if cap is not None and len(posts) >= cap:
                break
            previous = last[channel]
            if left and (previous is None or t - previous >= CHANNEL_GAP):
                remaining[channel] -= 1
                last[channel], end = t, t
                posts.append(t)
        if not any(remaining):
            break
        if cap is not None and len(posts) >= cap:
            t = posts[0] + WINDOW  # nothing goes until the oldest post leaves the window
            continue
        t = min(p + CHANNEL_GAP for p, left in zip(last, remaining, strict=True) if left and p is not None)
    return end


# --- running the app --------------------------------------------------------------------------------------


class Rapport:
    """One `rapport run` process in HTTP mode against the simulator."""

    def __init__(self, sim: SlackSimulator, database_url: str, log_dir: Path, name: str) -> None:
        with socket_port() as port:
            self.port = port
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "PORT", "RAPPORT_"))}
        env |= {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": sim.api_url,
            "DATABASE_URL": database_url,
            "PORT": str(self.port),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(_ROOT),
        }
        self.log = (log_dir / f"{name}.log").open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--host", "127.0.0.1"],
            cwd=_ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_healthy(self, timeout: float = 60.0) -> None:
        """Block until /healthz answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"rapport run exited: see {self.log.name}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as response:
                    if json.load(response)["ok"]:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"rapport run not healthy within {timeout}s: see {self.log.name}")

    def stop(self) -> None:
        """SIGTERM and wait."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@contextmanager
def socket_port() -> Iterator[int]:
    """A free local TCP port."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield int(s.getsockname()[1])


@dataclass
class Drain:
    """What the simulator saw while a backlog drained."""

    delivered: Counter[int]
    expected: list[int]
    calls: int
    refused: int
    first_at: float
    last_at: float
    seeded_at: float
    processes: int

    @property
    def span(self) -> float:
        """First to last accepted DM, in seconds."""
        return self.last_at - self.first_at

    @property
    def lost(self) -> int:
        """Follow-ups whose reminder never arrived."""
        return len(set(self.expected) - set(self.delivered))

    @property
    def doubled(self) -> int:
        """Extra copies of reminders that arrived more than once."""
        return sum(n - 1 for n in self.delivered.values() if n > 1)


def reminders_seen(sim: SlackSimulator) -> tuple[Counter[int], list[float]]:
    """Accepted reminder DMs per follow-up, and when each was accepted."""
    counts: Counter[int] = Counter()
    times: list[float] = []
    for call in sim.calls_to("chat.postMessage"):
        if call.ok:
            counts[int(str(call.args["blocks"][-1]["block_id"]).removeprefix("followup_"))] += 1
            times.append(call.at)
    return counts, times


def drain(
    sim: SlackSimulator,
    database_url: str,
    owners: Sequence[str],
    total: int,
    processes: int,
    log_dir: Path,
    *,
    timeout: float,
) -> Drain:
    """Start the processes, seed the backlog, wait until every reminder arrived (and a little longer)."""
    apps = [Rapport(sim, database_url, log_dir, f"rapport-{processes}p-{n}") for n in range(processes)]
    try:
        for app in apps:
            app.wait_healthy()
        sim.clear_calls()
        seeded_at = time.time()
        expected = seed(database_url, owners, total)
        deadline = time.monotonic() + timeout
        while len(reminders_seen(sim)[0]) < total and time.monotonic() < deadline:
            time.sleep(0.5)
            for app in apps:
                if app.proc.poll() is not None:
                    raise RuntimeError(f"rapport run exited: see {app.log.name}")
        time.sleep(3)  # every sender ticks again: a duplicate would show now
    finally:
        for app in apps:
            app.stop()
    counts, times = reminders_seen(sim)
    calls = sim.calls
    return Drain(
        delivered=counts,
        expected=expected,
        calls=len(calls),
        refused=sum(1 for c in calls if c.status == 429),
        first_at=min(times, default=0.0),
        last_at=max(times, default=0.0),
        seeded_at=seeded_at,
        processes=processes,
    )


# --- databases --------------------------------------------------------------------------------------------


@contextmanager
def sqlite_database(directory: Path) -> Iterator[str]:
    """A migrated SQLite file."""
    url = f"sqlite:///{directory / 'bench.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A migrated scratch PostgreSQL database, dropped afterwards."""
    url = make_url(server_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    name = f"rapport_bench_{uuid.uuid4().hex[:8]}"
    # Creating and dropping (WITH FORCE) a database may take longer than a request may wait.
    admin = make_engine(url.render_as_string(hide_password=False), bounded_waits=False, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = url.set(database=name).render_as_string(hide_password=False)
    try:
        engine = make_engine(database_url)
        migrate.upgrade(engine)
        engine.dispose()
        yield database_url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def empty(database_url: str) -> None:
    """Remove every row (between runs on one database)."""
    engine = make_engine(database_url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


# --- report -----------------------------------------------------------------------------------------------


def _row(metric: str, measured: str, target: str = "", ok: bool | None = None) -> str:
    verdict = "" if ok is None else ("ok" if ok else "FAIL")
    return f"{metric:<58} {measured:>30}   {target:<10} {verdict}"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reminders", type=int, default=5000, help="due reminders in the backlog (5000)")
    parser.add_argument("--users", type=int, default=500, help="people they are for (500)")
    parser.add_argument("--cap", type=int, default=2000, help="b: workspace cap, chat.postMessage per minute (2000)")
    parser.add_argument("--latency-ms", type=float, default=10.0, help="c: simulated Slack latency per call (10)")
    parser.add_argument("--processes", type=int, default=3, help="c: processes in the scale-out run (3)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("RAPPORT_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="c: PostgreSQL server (a scratch database is created and dropped)",
    )
    parser.add_argument("--skip-drain", action="store_true", help="skip b")
    parser.add_argument("--skip-scaleout", action="store_true", help="skip c (and a)")
    args = parser.parse_args(argv)

    owners = people(args.users)
    workspace = SimWorkspace.default()
    workspace.users = [*workspace.users, *(SimUser(uid, uid.lower(), uid, "UTC") for uid in owners)]
    per_channel = Counter(owners[n % len(owners)] for n in range(args.reminders)).values()
    rows: list[str] = []
    started = time.monotonic()
    print(
        f"cores={os.cpu_count()} reminders={args.reminders:,} people={args.users:,} "
        f"(shuffled, all due at once); processes are `rapport run` in HTTP mode against the simulator",
        flush=True,
    )
    with (
        SlackSimulator(workspace=workspace, signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN) as sim,
        tempfile.TemporaryDirectory(prefix="bench-reminders-") as tmp,
    ):
        log_dir = Path(tmp)
        if not args.skip_drain:
            ideal = ideal_drain_seconds(list(per_channel), args.cap)
            print(
                f"b: limits 1 msg/s per channel + {args.cap:,} msgs/min per workspace; ideal drain {ideal:.1f} s; "
                f"1 process, SQLite ...",
                flush=True,
            )
            sim.enforce_rate_limits(tiers_path=TIERS, post_message_workspace_per_minute=args.cap)
            with sqlite_database(log_dir) as url:
                limited = drain(sim, url, owners, args.reminders, 1, log_dir, timeout=ideal * 3 + 60)
            sim.enforce_rate_limits(False)
            ratio = limited.span / ideal if ideal else float("inf")
            rows += [
                _row("b: drain time, first to last DM (1 process, SQLite)", f"{limited.span:.1f} s"),
                _row("b: shortest drain the limits allow", f"{ideal:.1f} s"),
                _row(
                    "b: drain time / shortest possible",
                    f"{ratio:.3f}x",
                    f"<= {TARGET_DRAIN_RATIO}x",
                    ratio <= TARGET_DRAIN_RATIO,
                ),
                _row("b: seeded to last DM (reminder job every 10 s)", f"{limited.last_at - limited.seeded_at:.1f} s"),
                _row("b: 429 answers / Web API calls", f"{limited.refused:,} / {limited.calls:,}"),
                _row("b: duplicates", f"{limited.doubled}", "0", limited.doubled == 0),
                _row("b: losses", f"{limited.lost}", "0", limited.lost == 0),
            ]
        if not args.skip_scaleout:
            sim.set_delay("*", args.latency_ms / 1000)
            print(
                f"c: unthrottled, {args.latency_ms:g} ms Slack latency per call, PostgreSQL, 1 process then "
                f"{args.processes} ...",
                flush=True,
            )
            with postgres_database(args.database_url) as url:
                one = drain(sim, url, owners, args.reminders, 1, log_dir, timeout=600)
                empty(url)
                many = drain(sim, url, owners, args.reminders, args.processes, log_dir, timeout=600)
            sim.set_delay("*", 0)
            delivered = sum(one.delivered.values()) + sum(many.delivered.values())
            calls = one.calls + many.calls
            per_reminder = calls / delivered if delivered else float("inf")
            one_rate, many_rate = args.reminders / one.span, args.reminders / many.span
            scale = many_rate / one_rate
            rows = [
                _row(
                    "a: Web API calls per delivered reminder (runs of c)",
                    f"{per_reminder:.3f} ({calls:,}/{delivered:,})",
                    f"= {TARGET_CALLS_PER_REMINDER}",
                    calls == delivered,
                ),
                *rows,
                _row("c: 1 process: first to last DM", f"{one.span:.1f} s = {one_rate:,.0f} DMs/s"),
                _row(f"c: {args.processes} processes: first to last DM", f"{many.span:.1f} s = {many_rate:,.0f} DMs/s"),
                _row(
                    f"c: throughput {args.processes} processes / 1 process",
                    f"{scale:.2f}x",
                    f">= {TARGET_SCALE_OUT}x",
                    scale >= TARGET_SCALE_OUT,
                ),
                _row(
                    "c: duplicates (1 process / N processes)",
                    f"{one.doubled} / {many.doubled}",
                    "0",
                    one.doubled + many.doubled == 0,
                ),
                _row(
                    "c: losses (1 process / N processes)", f"{one.lost} / {many.lost}", "0", one.lost + many.lost == 0
                ),
            ]
    print()
    print(f"{'metric':<58} {'measured':>30}   {'target':<10} result")
    print("\n".join(rows))
    print(f"\ntotal run time {time.monotonic() - started:.0f} s")
    return 0 if not any(r.endswith("FAIL") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
