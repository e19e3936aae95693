"""Benchmark the build time of a customer's history modal: a customer with ``--mentions`` mentions (10,000 by
default) plus follow-ups, check-ins, stories and waits, in a fresh migrated database.

What is timed is what `/customer Acme history` and the Newer/Older buttons do before Slack is called: the service
reading one page (a count and one indexed read per kind of event, newest first) and the builder turning it into
Block Kit. The newest page and a page deep in the history (``--deep-page``) are each built ``--runs`` times;
median and p95 are printed, against the target of 200 ms. Every page built is checked against the simulator's
Block Kit limits (at most 100 blocks in a modal, 3,000 characters in a section).

Run from the repository root:
    python -m bench.bench_history  [--mentions N] [--runs N] [--deep-page N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

# Running as a plain script puts bench/ (not the repository root) on sys.path.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from sqlalchemy import insert  # noqa: E402

from bench.bench_reminders import postgres_database, sqlite_database  # noqa: E402
from bot.blocks.history import build_history_modal  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db.models import Customer, CustomerWait, FollowUp, Mention, Story  # noqa: E402
from bot.db.queries import workspaces as workspace_rows  # noqa: E402
from bot.db.session import make_engine, make_session_factory  # noqa: E402
from bot.runtime.caches import DirectoryMatchers  # noqa: E402
from bot.runtime.deps import Deps  # noqa: E402
from bot.services.history import history_page  # noqa: E402
from bot.slacksim.webapi.blockkit import validate_view  # noqa: E402

TEAM = "T0BENCH01"
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
TARGET_MS = 200.0
EXCERPT = "Acme Corp asked again about the drive <@U0LEE> and <https://example.com/t|the ticket> " + "word " * 50


def seed(deps: Deps, *, mentions: int) -> int:
    """A customer with `mentions` mentions, a follow-up and a story for every 20 of them, a wait for every 10."""
    with deps.session_factory.begin() as session:
        workspace_rows.ensure(session, team_id=TEAM, now=NOW)
        customer = Customer(
            team_id=TEAM,
            name="Acme Corp",
            owner_user_id="U0LEE",
            since=date(2015, 6, 1),
            created_by="U0LEE",
            created_at=NOW,
        )
        session.add(customer)
        session.flush()
        cid = customer.id

        def at(n: int) -> datetime:
            return NOW - timedelta(minutes=7 * n)

        session.execute(
            insert(Mention),
            [
                dict(team_id=TEAM, customer_id=cid, channel_id="C0SUPPORT", message_ts=f"{1_700_000_000 + n}.000100",
                     thread_ts=None, user_id="U0DANA", mentioned_at=at(n), excerpt=f"#{n} {EXCERPT}"[:280])
                for n in range(mentions)
            ],
        )  # fmt: skip
        session.execute(
            insert(FollowUp),
            [
                dict(team_id=TEAM, owner_user_id="U0LEE", customer_id=cid, kind="checkin" if n % 40 else "followup",
                     note="call back about the drive", due_at=at(n) + timedelta(days=1), state="done",
                     reminders_sent=0, created_by="U0LEE", created_at=at(n), closed_by="U0LEE",
                     closed_at=at(n) + timedelta(days=n % 3))
                for n in range(0, mentions, 20)
            ],
        )  # fmt: skip
        session.execute(
            insert(Story),
            [
                dict(team_id=TEAM, via="kudos", text="Stayed until it was solved", customer_id=cid,
                     created_by="U0DANA", created_at=at(n) + timedelta(minutes=3), generation=0, version=0)
                for n in range(0, mentions, 20)
            ],
        )  # fmt: skip
        session.execute(
            insert(CustomerWait),
            [
                dict(team_id=TEAM, channel_id="C0ACME", message_ts=f"{1_600_000_000 + n}.000100", customer_id=cid,
                     user_id="W0EXTBOB", posted_at=at(n) + timedelta(minutes=1), state="answered",
                     answered_by="U0LEE", closed_at=at(n) + timedelta(minutes=15))
                for n in range(0, mentions, 10)
            ],
        )  # fmt: skip
        return cid


def timed(deps: Deps, *, customer_id: int, page: int, runs: int) -> tuple[list[float], int]:
    """Build the page `runs` times: the times in ms, and how many events the history holds."""
    times: list[float] = []
    total = 0
    for _ in range(runs):
        start = time.perf_counter()
        shown = history_page(deps, team_id=TEAM, customer_id=customer_id, page=page)
        view = build_history_modal(shown)
        times.append((time.perf_counter() - start) * 1000)
        validate_view(view)  # Slack's limits, as the simulator enforces them (raises when broken)
        total = shown.total
    return times, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--deep-page", type=int, default=100)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (a scratch database is made and dropped)")
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        if args.database_url:
            url = stack.enter_context(postgres_database(args.database_url))
        else:
            url = stack.enter_context(sqlite_database(Path(stack.enter_context(tempfile.TemporaryDirectory()))))
        engine = make_engine(url)
        stack.callback(engine.dispose)
        deps = Deps(
            session_factory=make_session_factory(engine),
            clock=lambda: NOW,
            matchers=DirectoryMatchers(),
            settings=Settings(database_url=url),
        )
        customer_id = seed(deps, mentions=args.mentions)
        timed(deps, customer_id=customer_id, page=0, runs=2)  # warm-up: connections, statement caches
        worst = 0.0
        for label, page in (("newest page", 0), (f"page {args.deep_page + 1}", args.deep_page)):
            times, total = timed(deps, customer_id=customer_id, page=page, runs=args.runs)
            median, p95 = statistics.median(times), sorted(times)[max(0, int(len(times) * 0.95) - 1)]
            worst = max(worst, median)
            print(
                f"history of {total} events ({args.mentions} mentions), {label}: "
                f"median {median:.1f} ms, p95 {p95:.1f} ms (target < {TARGET_MS:.0f} ms)"
            )
        print("within target" if worst < TARGET_MS else "OVER TARGET")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
