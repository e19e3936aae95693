"""Benchmark the Web API cost of story shout-outs: calls per first recognition, further recognition and withdrawal.

The real app runs in this process in HTTP mode (``build_runtime`` + waitress, with its background sender), against
the local Slack simulator; every reaction is a signed ``reaction_added`` / ``reaction_removed`` event POSTed to
``/slack/events``, and every figure is counted by the simulator. ``--messages`` messages are seeded in a support
channel (every third one thanks two teammates, so its story credits two people); then, one round at a time and
waiting for the sender to finish each round (reactions a few seconds apart, as people give them):

1. first recognition of every message: reading the message + posting the shout-out (target <= 2),
2. ``--recognitions - 1`` further rounds, each one more person (target 1: the shout-out updated in place),
3. the same people withdrawing, one round each: an update, and for the last one the shout-out's removal
   (target 1 each).

The DMs to the credited people (one per person per story) are counted separately. SQLite file by default;
``--database-url`` for a scratch database on that PostgreSQL server (dropped afterwards).

Run from the repository root:
    python -m bench.bench_stories  [--messages N] [--recognitions N] [--threads N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

# Running as a plain script puts bench/ (not the repository root) on sys.path.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.bench_reminders import postgres_database, sqlite_database  # noqa: E402
from bot.app import build_runtime  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db.models import OutboxMessage, Story  # noqa: E402
from bot.slacksim import ApiCall, SimUser, SimWorkspace, SlackSimulator  # noqa: E402
from bot.transports import HttpServer  # noqa: E402

BOT_TOKEN = "xoxb-bench-token"
SIGNING_SECRET = "bench-signing-secret"
CHANNEL = "C0SUPPORT"
AUTHORS = ("U0STEPH", "U0BENCHA1", "U0BENCHA2")
THANKED = ("U0BENCHT1", "U0BENCHT2")
REACTORS = ("U0DANA", "U0KIRI", "U0LEE", "U0OWNER", "U0BENCHR1", "U0BENCHR2", "U0BENCHR3", "U0BENCHR4")


@dataclass
class Round:
    """One round of reactions and what the simulator counted for it."""

    name: str
    events: int
    target: float | None
    calls: list[ApiCall]

    def to_channels(self) -> list[ApiCall]:
        """The shout-out's calls: everything but the DMs to credited people."""
        return [c for c in self.calls if not is_dm(c)]

    def dms(self) -> list[ApiCall]:
        return [c for c in self.calls if is_dm(c)]


def is_dm(call: ApiCall) -> bool:
    """chat.postMessage to a user ID: the bot's DM with them."""
    return call.method == "chat.postMessage" and str(call.args.get("channel", ""))[:1] in ("U", "W")


def workspace() -> SimWorkspace:
    ws = SimWorkspace.default()
    for user in (*AUTHORS[1:], *THANKED, *REACTORS[4:]):
        ws.users.append(SimUser(user, user.lower(), user.title(), "Europe/London"))
    return ws


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures against the targets."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--recognitions", type=int, default=4, help="people recognising each message (2-8)")
    parser.add_argument("--threads", type=int, default=8, help="concurrent event deliveries within a round")
    parser.add_argument(
        "--database-url", default=None, help="a PostgreSQL server for a scratch database; default: a fresh SQLite file"
    )
    args = parser.parse_args(argv)
    reactors = REACTORS[: max(2, min(args.recognitions, len(REACTORS)))]
    # A wake-up while the sender is busy is skipped, and APScheduler says so each time: not this bench's news.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    started = time.monotonic()

    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        databases = postgres_database(args.database_url) if args.database_url else sqlite_database(folder)
        url = stack.enter_context(databases)
        sim = stack.enter_context(
            SlackSimulator(workspace=workspace(), signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN)
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
        server = HttpServer(runtime, host="127.0.0.1", port=0)
        server.start_in_thread()
        sim.deliver_http_to(f"{server.url}/slack/events")

        def settle(timeout: float = 120.0) -> None:
            deadline = time.monotonic() + timeout
            busy = select(func.count(OutboxMessage.id)).where(OutboxMessage.state.in_(("pending", "sending")))
            while True:
                with runtime.deps.session_factory.begin() as session:
                    if session.scalar(busy) == 0:
                        return
                if time.monotonic() > deadline:
                    raise SystemExit("the sender did not finish within the timeout")
                time.sleep(0.05)

        try:
            assert sim.add_bot_to_channel(CHANNEL, inviter="U0DANA").status == 200
            messages = []
            for n in range(args.messages):
                author = AUTHORS[n % len(AUTHORS)]
                words = (
                    f"Huge thanks to <@{THANKED[0]}> and <@{THANKED[1]}> for staying on the call #{n}"
                    if n % 3 == 2
                    else f"Of course, let me take care of that for you (#{n})"
                )
                messages.append(sim.seed_message(author, CHANNEL, words))
            settle()
            sim.clear_calls()

            def play(name: str, kind: str, reactor: str, target: float | None, on: list[str] = messages) -> Round:
                def one(ts: str) -> None:
                    event = {
                        "type": kind,
                        "user": reactor,
                        "reaction": "star2",
                        "event_ts": ts,
                        "item": {"type": "message", "channel": CHANNEL, "ts": ts},
                    }
                    delivery = sim.send_event(event)
                    if delivery.status != 200:
                        raise SystemExit(f"{kind} not acknowledged: {delivery}")

                with ThreadPoolExecutor(args.threads) as pool:
                    list(pool.map(one, on))
                settle()
                calls = sim.calls
                sim.clear_calls()
                return Round(name, len(on), target, calls)

            rounds = [play("first recognition", "reaction_added", reactors[0], 2)]
            rounds += [
                play(f"further recognition ({i + 1} people)", "reaction_added", r, 1)
                for i, r in enumerate(reactors[1:], start=1)
            ]
            rounds += [
                play(f"withdrawal ({len(reactors) - i - 1} left)", "reaction_removed", r, 1)
                for i, r in enumerate(reactors)
            ]
            with runtime.deps.session_factory.begin() as session:
                stories = int(session.scalar(select(func.count(Story.id))) or 0)
            left = [m for m in sim.messages(CHANNEL) if m.get("bot_id") and "A good story" in str(m)]

            # Shown, not judged: a thread reply is not in conversations.history, so it takes one more read.
            replies = [
                sim.seed_message(AUTHORS[0], CHANNEL, f"On it, I'll call them back (#{n})", thread_ts=ts)
                for n, ts in enumerate(messages[: max(1, len(messages) // 10)])
            ]
            sim.clear_calls()
            rounds.append(play("first recognition, thread reply", "reaction_added", reactors[0], None, replies))
        finally:
            server.close()
            runtime.close()

    credited = sum(2 if n % 3 == 2 else 1 for n in range(args.messages))
    _report(
        rounds,
        stories=stories,
        credited=credited,
        leftover=len(left),
        database=url.split(":")[0],
        reactors=len(reactors),
        messages=args.messages,
        seconds=time.monotonic() - started,
    )
    misses = [r for r in rounds if r.target is not None and len(r.to_channels()) / r.events > r.target]
    dms = sum(len(r.dms()) for r in rounds if r.target is not None)
    return 1 if misses or dms != credited or left or stories != args.messages else 0


def _report(
    rounds: list[Round],
    *,
    stories: int,
    credited: int,
    leftover: int,
    database: str,
    reactors: int,
    messages: int,
    seconds: float,
) -> None:
    print("Rapport story shout-outs: Web API calls counted by the local Slack simulator.")
    print(
        f"Mode: the real app (build_runtime) in HTTP mode under waitress, its background sender, signed Events API "
        f"deliveries; {database}."
    )
    print(
        f"{messages} messages x {reactors} people recognising each, then withdrawing one by one "
        f"({sum(r.events for r in rounds):,} reaction events); {stories} stories recorded.\n"
    )
    row: Callable[..., str] = "{:<32} {:>6} {:>6} {:>9}  {:<48} {}".format
    print(row("round", "events", "calls", "per event", "calls by method (shout-out only)", "target"))
    for r in rounds:
        channel = r.to_channels()
        per = len(channel) / r.events
        methods = ", ".join(f"{m} {n}" for m, n in sorted(Counter(c.method for c in channel).items()))
        verdict = "(shown only)" if r.target is None else f"<= {r.target:g}  {'ok' if per <= r.target else 'MISSED'}"
        print(row(r.name, r.events, len(channel), f"{per:.2f}", methods or "-", verdict))

    def mean(selected: list[Round]) -> float:
        return sum(len(r.to_channels()) for r in selected) / max(1, sum(r.events for r in selected))

    rounds = [r for r in rounds if r.target is not None]  # the judged ones
    further = [r for r in rounds if r.name.startswith("further")]
    withdrawals = [r for r in rounds if r.name.startswith("withdrawal")]
    dms = sum(len(r.dms()) for r in rounds if r.target is not None)
    print()
    print(f"calls per first recognition      {mean(rounds[:1]):.2f}   (target <= 2: read the message + post)")
    print(f"calls per further recognition    {mean(further):.2f}   (target 1: chat.update)")
    print(f"calls per withdrawal             {mean(withdrawals):.2f}   (target 1: chat.update, the last chat.delete)")
    print(
        f"DMs to credited people           {dms} for {credited} people credited across {messages} stories "
        f"({dms / max(1, credited):.2f} per person per story, target 1; chat.postMessage to the user ID, "
        f"no conversations.open)"
    )
    print(f"shout-outs left after every withdrawal: {leftover} (target 0)")
    print(f"run time {seconds:.1f} s")


if __name__ == "__main__":
    raise SystemExit(main())
