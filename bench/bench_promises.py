"""Benchmark the promise matcher: precision and recall on the labelled set, and its time per message beside the
tone check's, measured in the same run on the same seeded support-channel messages.

Run from the repository root:  python -m bench.bench_promises  [--messages N] [--rounds N] [--show-misses]

The labelled set is ``tests/fixtures/promises.tsv``: one ``label<TAB>text`` per line, ``promise`` for a teammate's
promise with a time (an offer is wanted) and ``none`` for everything else: promises without a time, non-promises
with a time ("I'll be back tomorrow", "I'll be out Friday"), someone else's promise ("customer said they'll pay by
Friday"), quotes, questions, requests, and chit-chat. A message counts as offered when ``find_promise`` returns a
promise. The message path runs only ``may_promise`` (a first-person future and a time word: two searches) on every
teammate's message, timed beside the tone check; the messages it lets through are read whole by ``find_promise``
(the rules and the *when*) after the acknowledgement.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from bench.bench_matching import generate_directory, generate_messages  # noqa: E402
from bench.bench_tone import generate_custom_rules, mix_in_tone  # noqa: E402
from bot.domain.promises import find_promise, may_promise  # noqa: E402
from bot.domain.tone import ToneMatcher, shipped_rules  # noqa: E402

LABELLED = _ROOT / "tests" / "fixtures" / "promises.tsv"
TARGET_PRECISION = 0.95
TARGET_RECALL = 0.90
PROMISE_SHARE = 0.02  # share of the timing messages that carry a promise with a time
_PROMISES = (
    "I'll call you back tomorrow",
    "let me check with billing and get back to you by Friday",
    "will send the invoice on Monday",
    "I'll ping you in 2 hours",
)


def read_labelled(path: Path = LABELLED) -> list[tuple[bool, str]]:
    """(is a promise with a time, text) for each labelled line."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, _, text = line.partition("\t")
        if label not in ("promise", "none"):
            raise ValueError(f"bad label {label!r} in {path.name}: {line!r}")
        rows.append((label == "promise", text))
    return rows


def quality(rows: list[tuple[bool, str]]) -> tuple[float, float, list[str], list[str]]:
    """(precision, recall, false positives, missed promises)."""
    false_positives, missed = [], []
    true_positives = 0
    for wanted, text in rows:
        found = find_promise(text) is not None
        if found and wanted:
            true_positives += 1
        elif found:
            false_positives.append(text)
        elif wanted:
            missed.append(text)
    offered = true_positives + len(false_positives)
    promises = true_positives + len(missed)
    return (true_positives / offered if offered else 1.0), true_positives / promises, false_positives, missed


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _runner(check: Callable[[str], object], messages: list[str]) -> Callable[[], object]:
    def run() -> None:
        for message in messages:
            check(message)

    return run


def timing(
    messages: list[str], tone: ToneMatcher, rounds: int, check: Callable[[str], object] = may_promise
) -> tuple[list[float], list[float]]:
    """Interleaved rounds of the tone check and a promise check over the same messages."""
    promise_times: list[float] = []
    tone_times: list[float] = []
    run_promises, run_tone = _runner(check, messages), _runner(tone.check, messages)
    for r in range(rounds):
        gc.collect()
        pair = (run_tone, run_promises) if r % 2 else (run_promises, run_tone)
        first, second = _timed(pair[0]), _timed(pair[1])
        (tone_times if r % 2 else promise_times).append(first)
        (promise_times if r % 2 else tone_times).append(second)
    return promise_times, tone_times


def main(argv: list[str] | None = None) -> int:
    """Print precision, recall and the time per message; exit status 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--show-misses", action="store_true", help="list false positives and missed promises")
    args = parser.parse_args(argv)

    rows = read_labelled()
    precision, recall, false_positives, missed = quality(rows)
    promises = sum(1 for wanted, _ in rows if wanted)
    print(f"labelled set: {len(rows)} messages ({promises} promises with a time, {len(rows) - promises} not)")
    print(
        f"offers: {promises - len(missed) + len(false_positives)}; false positives {len(false_positives)}; "
        f"missed {len(missed)}"
    )
    if args.show_misses:
        for text in false_positives:
            print(f"  false positive: {text}")
        for text in missed:
            print(f"  missed:         {text}")

    entries = generate_directory(2_000)
    messages = mix_in_tone(generate_messages(entries, args.messages), generate_custom_rules())
    step = max(1, round(1 / PROMISE_SHARE))
    messages = [m if i % step else f"{m} {_PROMISES[i // step % len(_PROMISES)]}" for i, m in enumerate(messages)]
    tone = ToneMatcher.build(shipped_rules())
    promise_times, tone_times = timing(messages, tone, args.rounds)
    n = len(messages)
    promise_us, tone_us = statistics.median(promise_times) / n * 1e6, statistics.median(tone_times) / n * 1e6
    spotted = [m for m in messages if may_promise(m)]
    whole_times, _ = timing(spotted, tone, max(3, args.rounds // 2), check=find_promise)
    whole_us = statistics.median(whole_times) / max(1, len(spotted)) * 1e6
    print(f"{'check':<44} {'median us/msg':>14}   ({args.rounds} interleaved rounds, {n:,} messages)")
    print(f"{'tone check (ToneMatcher.check)':<44} {tone_us:>14.2f}")
    print(f"{'promise check, message path (may_promise)':<44} {promise_us:>14.2f}")
    print(
        f"{'promise read, after the ack (find_promise)':<44} {whole_us:>14.2f}   "
        f"(only the {len(spotted) / n:.1%} of messages let through)"
    )
    print()
    results = [
        ("precision", precision, f">= {TARGET_PRECISION}", precision >= TARGET_PRECISION),
        ("recall", recall, f">= {TARGET_RECALL}", recall >= TARGET_RECALL),
    ]
    print(f"promise / tone time on the message path (median): {promise_us / tone_us:.2f}x")
    print()
    print(f"{'metric':<40} {'measured':>9}   {'target':<8} result")
    for label, value, target, passed in results:
        print(f"{label:<40} {value:>9.3f}   {target:<8} {'PASS' if passed else 'FAIL'}")
    return 0 if all(passed for *_, passed in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
