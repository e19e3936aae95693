"""Benchmark the Web API cost of the triage channel: calls per waiting message.

The real app runs in this process in HTTP mode (``build_runtime`` + waitress, with its background sender), against
the local Slack simulator; customers' messages arrive as signed ``message`` events in their shared channels, and
every figure is counted by the simulator. ``--customers`` customers are added and linked with ``/customer``
commands; the triage channel is set; every hour of every day is working time, so a message is overdue 30 minutes
after it was written. Then, one round at a time, the alert job and the sender run at a chosen ``now`` past the
round's deadline (as the scheduler would):

1. the first waiting message of every customer: one triage message posted per customer (target 1 call),
2. ``--further`` rounds of one more waiting message per customer: the triage message updated in place (target 1),
3. a teammate's answer in the thread of each customer's first message: the triage message updated (target 1).

The owner's DM about each waiting message (one each, as before triage) is counted separately. SQLite file by
default; ``--database-url`` for a scratch database on that PostgreSQL server (dropped afterwards).

Run from the repository root:
    python -m bench.bench_triage  [--customers N] [--further N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

# Running as a plain script puts bench/ (not the repository root) on sys.path.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.bench_reminders import postgres_database, sqlite_database  # noqa: E402
from bot.app import build_runtime  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db.models import OutboxMessage  # noqa: E402
from bot.db.queries import settings as settings_rows  # noqa: E402
from bot.domain.messages import ts_to_datetime  # noqa: E402
from bot.services import outbox, unanswered  # noqa: E402
from bot.slacksim import ApiCall, SimChannel, SimWorkspace, SlackSimulator  # noqa: E402
from bot.transports import HttpServer  # noqa: E402

BOT_TOKEN = "xoxb-bench-token"
SIGNING_SECRET = "bench-signing-secret"
TEAM = "T0SIM0001"
TRIAGE = "C0TRIAGE"
CUSTOMER_USER = "W0EXTBOB"  # of Acme's own Slack team, in every shared channel here
ALERT_MINUTES = 30


@dataclass
class Round:
    """One round of waiting messages (or answers) and the triage channel's calls it cost."""

    name: str
    messages: int
    target: float
    calls: list[ApiCall]

    def per_message(self) -> float:
        return len(self.calls) / self.messages if self.messages else 0.0


def workspace(customers: int) -> SimWorkspace:
    ws = SimWorkspace.default()
    external = ws.channel("C0ACME")
    assert external is not None
    ws.channels.append(SimChannel(TRIAGE, "triage", creator="U0DANA"))
    for n in range(customers):
        ws.channels.append(
            SimChannel(
                f"C2SHARED{n:04d}",
                f"customer-{n}",
                is_ext_shared=True,
                shared_team_ids=list(external.shared_team_ids),
                creator="U0DANA",
            )
        )
    return ws


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures against the targets."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--further", type=int, default=3, help="rounds of one more waiting message per customer")
    parser.add_argument(
        "--database-url", default=None, help="a PostgreSQL server for a scratch database; default: a fresh SQLite file"
    )
    args = parser.parse_args(argv)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    started = time.monotonic()
    channels = [f"C2SHARED{n:04d}" for n in range(args.customers)]

    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        databases = postgres_database(args.database_url) if args.database_url else sqlite_database(folder)
        url = stack.enter_context(databases)
        sim = stack.enter_context(
            SlackSimulator(workspace=workspace(args.customers), signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN)
        )
        settings = Settings.from_env(
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": sim.api_url,
                "DATABASE_URL": url,
            }
        )
        runtime = build_runtime(settings)
        runtime.start_jobs()
        deps = runtime.deps
        server = HttpServer(runtime, host="127.0.0.1", port=0)
        server.start_in_thread()
        sim.deliver_http_to(f"{server.url}/slack/events")

        def settle(timeout: float = 120.0) -> None:
            deadline = time.monotonic() + timeout
            busy = select(func.count(OutboxMessage.id)).where(OutboxMessage.state.in_(("pending", "sending")))
            while True:
                with deps.session_factory.begin() as session:
                    if session.scalar(busy) == 0:
                        return
                if time.monotonic() > deadline:
                    with deps.session_factory.begin() as session:
                        left = session.execute(
                            select(OutboxMessage.kind, OutboxMessage.state, OutboxMessage.not_before).where(
                                OutboxMessage.state.in_(("pending", "sending"))
                            )
                        ).all()
                    raise SystemExit(f"the sender did not finish within the timeout: {left[:5]}")
                time.sleep(0.05)

        def command(text: str, channel: str = "C0SUPPORT") -> None:
            delivery = sim.slash_command("U0DANA", channel, "/customer", text)
            if delivery.status != 200:
                raise SystemExit(f"/customer {text} not acknowledged: {delivery}")

        def triage_calls() -> list[ApiCall]:
            return [c for c in sim.calls if c.args.get("channel") == TRIAGE and c.ok and c.method.startswith("chat.")]

        def dms() -> int:
            return sum(1 for c in sim.calls_to("chat.postMessage") if c.args.get("channel") == "U0LEE" and c.ok)

        round_dms: list[int] = []  # the owner's DMs of each round

        def wait_round(name: str, target: float, *, thread_of: list[str] | None = None) -> tuple[Round, list[str]]:
            """Each customer writes once (or a teammate answers in the thread of `thread_of`); then the jobs run
            past the deadline and the sender finishes."""
            sim.clear_calls()
            stamps = []
            for n, channel in enumerate(channels):
                if thread_of is None:
                    ts, delivery = sim.post_message(CUSTOMER_USER, channel, f"Customer {n}: question at {time.time()}")
                else:
                    ts, delivery = sim.post_message(
                        "U0STEPH", channel, "On it, sorry for the wait", thread_ts=thread_of[n]
                    )
                if delivery.status != 200:
                    raise SystemExit(f"message not acknowledged: {delivery}")
                stamps.append(ts)
            settle()
            if thread_of is None:
                due = max(ts_to_datetime(ts) for ts in stamps) + timedelta(minutes=ALERT_MINUTES, seconds=1)
                run_jobs(due)
            round_dms.append(dms())
            return Round(name, len(stamps), target, triage_calls()), stamps

        def run_jobs(now: datetime) -> None:
            """The alert job at `now`, then the sender as time goes on: Slack takes one post a second per
            channel, so many customers waiting at once are posted over as many seconds (the clock is moved)."""
            unanswered.queue_unanswered_alerts(deps, now=now)
            busy = select(func.count(OutboxMessage.id)).where(OutboxMessage.state.in_(("pending", "sending")))
            for second in range(3600):
                outbox.send_outbox(deps, client=runtime.client, now=now + timedelta(seconds=second), worker="bench")
                with deps.session_factory.begin() as session:
                    if session.scalar(busy) == 0:
                        return
            raise SystemExit("the sender did not finish within an hour of simulated time")

        try:
            assert sim.add_bot_to_channel(TRIAGE, inviter="U0DANA").status == 200
            with deps.session_factory.begin() as session:
                row = settings_rows.of_workspace(session, team_id=TEAM, now=deps.clock())
                row.triage_channel, row.unanswered_minutes, row.escalation_minutes = TRIAGE, ALERT_MINUTES, 0
                row.working_days, row.working_hours_start, row.working_hours_end = (
                    "mon,tue,wed,thu,fri,sat,sun",
                    0,
                    1440,
                )
            for n, channel in enumerate(channels):
                command(f"add Customer {n} owner <@U0LEE|lee>")
                assert sim.add_bot_to_channel(channel, inviter="U0DANA").status == 200
                command(f"link Customer {n}", channel=channel)
            settle()
            first, firsts = wait_round("first waiting message of each customer", 1)
            rounds = [first]
            for k in range(args.further):
                rounds.append(wait_round(f"further waiting message ({k + 2} waiting)", 1)[0])
            rounds.append(wait_round("teammate's answer in the thread", 1, thread_of=firsts)[0])
            owner_dms = sum(round_dms)
        finally:
            server.close()
            runtime.close()

    waiting = args.customers * (1 + args.further)
    print("Rapport triage channel: Web API calls counted by the local Slack simulator.")
    print(
        f"{args.customers} customers, {waiting} waiting messages, database {url.split(':')[0]}, "
        f"{time.monotonic() - started:.1f} s in all."
    )
    print(f"{'round':<44} {'messages':>8} {'calls':>6} {'per message':>12} {'target':>7}  methods")
    misses = 0
    for r in rounds:
        methods = sorted({c.method for c in r.calls})
        ok = r.per_message() <= r.target
        misses += not ok
        print(
            f"{r.name:<44} {r.messages:>8} {len(r.calls):>6} {r.per_message():>12.2f} {r.target:>7.0f}  "
            f"{', '.join(methods) or '-'}{'' if ok else '  MISSED'}"
        )
    print(f"owner's DMs: {owner_dms} for {waiting} waiting messages (one each, as without triage)")
    return 1 if misses or owner_dms != waiting else 0


if __name__ == "__main__":
    raise SystemExit(main())
