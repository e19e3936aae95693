"""Benchmark Events API intake of several `rapport run` processes sharing one PostgreSQL database.

Real `rapport run` processes in HTTP mode (bench.bench_reminders' Rapport), the local Slack simulator answering
their Web API calls, a scratch PostgreSQL database (created, migrated and dropped) seeded with a
``--customers`` directory, and bench.bench_events' event generator and load-generator processes (one per
instance, so that no client shares a GIL with another's or with the servers').

1. Closed loop, 1 instance vs ``--instances``: each instance gets ``--threads`` keep-alive connections sending
   signed ``message`` events back to back (the load one instance gets, offered to each), ``--events`` per
   instance per round, in ``--rounds`` rounds alternating the two set-ups (1, N, N, 1, ...) so that drift in the
   machine's speed hits both alike. Throughput is events acknowledged per second of the round's wall time (the
   slowest instance's); the ratio N/1 is the median of the rounds' ratios. The single instance is one of the N,
   the others idle meanwhile.
2. Open loop: ``--rate`` events/s in total for ``--seconds``, spread evenly over the N instances (each its own
   fixed schedule of rate/N), then the same rate to the single instance. Latency is measured from each event's
   scheduled send time, so a stalled server cannot hide its backlog (no coordinated omission).

Afterwards the database must hold every event once and a mention for exactly the messages that named a customer.

Run from the repository root (a PostgreSQL server; a scratch database is created and dropped):
    python -m bench.bench_instances [--database-url URL] [--instances N] [--events N] [--rounds N]
                                    [--threads N] [--rate R] [--seconds S] [--customers N]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

# Running as a plain script puts bench/ (not the repository root) on sys.path.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.bench_events import (  # noqa: E402
    BOT_TOKEN,
    SEED,
    SIGNING_SECRET,
    EventFactory,
    LoadClient,
    LoadResult,
    generate_directory,
    seed_directory,
)
from bench.bench_reminders import Rapport, postgres_database  # noqa: E402
from bot.app import build_runtime  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db.models import Mention, ProcessedEvent  # noqa: E402
from bot.db.session import make_engine  # noqa: E402
from bot.logging_setup import configure_logging  # noqa: E402
from bot.slacksim import SimWorkspace, SlackSimulator  # noqa: E402
from bot.transports import HTTP_THREADS  # noqa: E402

TARGET_SCALE_OUT = 1.5  # three instances should take at least half as much again as one
TARGET_P99_MS = 100.0


def run_together(
    clients: Sequence[LoadClient], mode: str, urls: Sequence[str], batches: Sequence[list[str]], **params: float
) -> tuple[LoadResult, float]:
    """One load phase on several instances at once, each from its own generator: the phase's measurements combined,
    and its wall time (from the first start to the last finish)."""
    results: list[LoadResult | None] = [None] * len(urls)

    def one(k: int) -> None:
        results[k] = clients[k].run(mode, urls[k], batches[k], **params)

    threads = [threading.Thread(target=one, args=(k,)) for k in range(len(urls))]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    done = [r for r in results if r is not None]
    assert len(done) == len(urls), "a load generator failed"
    return LoadResult.combine(done), wall


def stored(database_url: str) -> tuple[int, int, int]:
    """(events claimed, messages with a mention, mention rows)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            events = connection.scalar(select(func.count()).select_from(ProcessedEvent)) or 0
            messages = connection.scalar(select(func.count(func.distinct(Mention.message_ts)))) or 0
            rows = connection.scalar(select(func.count(Mention.id))) or 0
        return int(events), int(messages), int(rows)
    finally:
        engine.dispose()


def _row(label: str, value: str, target: str = "", ok: bool | None = None) -> str:
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    return f"{label:<46} {value:>26}   {target:<10} {verdict}".rstrip()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a result table; exit status 1 when a target is missed or an event is lost."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("RAPPORT_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server; the benchmark creates and drops a database of its own there",
    )
    parser.add_argument("--instances", type=int, default=3)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000, help="closed-loop events per instance per round")
    parser.add_argument("--rounds", type=int, default=4, help="closed-loop rounds, 1 and N instances alternating")
    parser.add_argument("--warmup", type=int, default=200, help="warm-up events per instance")
    parser.add_argument("--threads", type=int, default=8, help="closed-loop connections per instance")
    parser.add_argument("--rate", type=float, default=200.0, help="open-loop events per second, in total")
    parser.add_argument("--seconds", type=float, default=30.0, help="open-loop duration")
    args = parser.parse_args(argv)
    configure_logging(level="WARNING", fmt="text", secrets=(BOT_TOKEN, SIGNING_SECRET))

    rng = random.Random(SEED)
    customers = generate_directory(args.customers, rng)
    factory = EventFactory(customers, SEED + 1)
    n = args.instances
    sent = named = mentions = 0

    def bodies(count: int) -> list[str]:
        nonlocal sent, named, mentions
        made, named_now, mentions_now = factory.bodies(count)
        sent, named, mentions = sent + count, named + named_now, mentions + mentions_now
        return made

    clients = [LoadClient() for _ in range(n)]
    apps: list[Rapport] = []
    solo: list[LoadResult] = []
    many: list[LoadResult] = []
    solo_rates: list[float] = []
    many_rates: list[float] = []
    log_dir = Path(tempfile.mkdtemp(prefix="rapport-bench-instances-"))
    try:
        with (
            postgres_database(args.database_url) as database_url,
            SlackSimulator(workspace=SimWorkspace.default(), signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN) as sim,
        ):
            seeding = build_runtime(
                Settings.from_env(
                    {
                        "SLACK_BOT_TOKEN": BOT_TOKEN,
                        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                        "SLACK_API_URL": sim.api_url,
                        "DATABASE_URL": database_url,
                    }
                )
            )
            try:
                seed_directory(seeding, customers, random.Random(SEED + 2))
            finally:
                seeding.close()
            apps = [Rapport(sim, database_url, log_dir, f"rapport{k}") for k in range(n)]
            for app in apps:
                app.wait_healthy()
            urls = [f"http://127.0.0.1:{app.port}" for app in apps]
            # Warm-up: each instance's first auth.test, the 10k-name matcher, its connection pool.
            run_together(clients, "closed", urls, [bodies(args.warmup) for _ in urls], threads=args.threads)
            for round_no in range(args.rounds):
                order = ("solo", "many") if round_no % 2 == 0 else ("many", "solo")
                for setup in order:
                    count = 1 if setup == "solo" else n
                    result, wall = run_together(
                        clients[:count],
                        "closed",
                        urls[:count],
                        [bodies(args.events) for _ in range(count)],
                        threads=args.threads,
                    )
                    (solo if setup == "solo" else many).append(result)
                    (solo_rates if setup == "solo" else many_rates).append(result.count / wall)
            per_instance = max(1, round(args.rate * args.seconds / n))
            many_open, _ = run_together(clients, "open", urls, [bodies(per_instance) for _ in urls], rate=args.rate / n)
            solo_open, _ = run_together(clients[:1], "open", urls[:1], [bodies(per_instance * n)], rate=args.rate)
            time.sleep(0.5)
            events_stored, messages_stored, mentions_stored = stored(database_url)
            for app in apps:
                app.stop()
            apps = []
    finally:
        for app in apps:
            app.stop()
        for client in clients:
            client.close()

    ratios = sorted(m / s for m, s in zip(many_rates, solo_rates, strict=True))
    ratio = statistics.median(ratios)
    solo_closed, many_closed = LoadResult.combine(solo), LoadResult.combine(many)
    answered = sum(r.ok for r in (solo_closed, many_closed, solo_open, many_open))
    measured = sum(r.count for r in (solo_closed, many_closed, solo_open, many_open))
    p99 = many_open.percentile_ms(99)
    print(
        f"cores={os.cpu_count()} (shared with other work: figures are for this machine at this moment) "
        f"customers={args.customers:,} instances={n} waitress threads each={HTTP_THREADS}; closed loop: "
        f"{args.threads} connections per instance x {args.rounds} rounds x {args.events:,} events per instance; "
        f"open loop: {args.rate:g}/s in total for {args.seconds:g} s"
    )
    print(f"messages naming a customer: {named:,} of {sent:,} sent")
    print()
    print(f"{'metric':<46} {'measured':>26}   {'target':<10} result")
    rows = [
        _row("closed loop, 1 instance: throughput", f"{statistics.median(solo_rates):,.0f} events/s"),
        _row(
            "closed loop, 1 instance: p50 / p99 ack",
            f"{solo_closed.percentile_ms(50):.1f} / {solo_closed.percentile_ms(99):.1f} ms",
        ),
        _row(f"closed loop, {n} instances: throughput", f"{statistics.median(many_rates):,.0f} events/s"),
        _row(
            f"closed loop, {n} instances: p50 / p99 ack",
            f"{many_closed.percentile_ms(50):.1f} / {many_closed.percentile_ms(99):.1f} ms",
        ),
        _row(
            f"throughput {n} / 1 instances (median of rounds)",
            f"{ratio:.2f} ({ratios[0]:.2f}-{ratios[-1]:.2f})",
            f">= {TARGET_SCALE_OUT:g}",
            ratio >= TARGET_SCALE_OUT,
        ),
        _row(
            f"open loop {args.rate:g}/s, 1 instance: p50 / p99 / max",
            f"{solo_open.percentile_ms(50):.1f} / {solo_open.percentile_ms(99):.1f} / "
            f"{solo_open.percentile_ms(100):.1f} ms",
        ),
        _row(
            f"open loop {args.rate:g}/s, {n} instances: p50 / max",
            f"{many_open.percentile_ms(50):.1f} / {many_open.percentile_ms(100):.1f} ms",
        ),
        _row(
            f"open loop {args.rate:g}/s, {n} instances: p99 ack",
            f"{p99:.1f} ms",
            f"< {TARGET_P99_MS:g} ms",
            p99 < TARGET_P99_MS,
        ),
        _row("answered 2xx (after warm-up)", f"{answered:,} / {measured:,}", "all", answered == measured),
        _row("events stored", f"{events_stored:,} / {sent:,}", "all", events_stored == sent),
        _row(
            "messages with a stored mention", f"{messages_stored:,} / {named:,}", "= expected", messages_stored == named
        ),
        _row("mention rows stored", f"{mentions_stored:,} / {mentions:,}", "= expected", mentions_stored == mentions),
    ]
    print("\n".join(rows))
    return 0 if not any(r.endswith("FAIL") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
