"""Measure the *when* parser on the labelled phrases in tests/fixtures/when_phrases.tsv.

Prints exact accuracy, the count of silently wrong results (a time other than the labelled one, with no refusal:
the number that must stay near 0), refusals of phrases that should have been read, precision and recall of
"is this a time phrase", per-tag figures, every miss, the import time and the parse time per phrase.

Run from the repository root:  python -m bench.bench_when  [--fixture PATH] [--quiet]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# Running as a plain script puts bench/ (not the repository root) on sys.path.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from bot.domain.when import BadWhen, WorkWeek, resolve_due, split_when, zone  # noqa: E402

FIXTURE = _ROOT / "tests" / "fixtures" / "when_phrases.tsv"
NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)  # Wednesday 10:00 in Berlin
TZ = zone("Europe/Berlin")
WEEK = WorkWeek()
DEFAULT_WORKING_DAYS = 2
TIMING_ROUNDS = 20


@dataclass(frozen=True)
class Case:
    """One labelled phrase."""

    text: str
    expect: str  # "YYYY-MM-DD HH:MM" (Berlin), "refuse" or "default"
    note: str
    tag: str
    order: str


@dataclass(frozen=True)
class Outcome:
    """What the parser made of a phrase: a local due time and note, the default, or a refusal."""

    refused: bool
    due: str = ""
    note: str = ""
    default: bool = False
    message: str = ""


def load_cases(path: Path = FIXTURE) -> list[Case]:
    """The labelled phrases (comment lines start with #; the first other line is the header)."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    rows = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    return [
        Case(text=r["text"], expect=r["expect"], note=r["note"] or "", tag=r["tag"], order=r["order"] or "MDY")
        for r in rows
    ]


def run(case: Case) -> Outcome:
    """Parse and resolve one phrase at the fixed `now`."""
    try:
        when, note = split_when(case.text, date_order=case.order)
        due = resolve_due(when, now=NOW, tz=TZ, week=WEEK, default_working_days=DEFAULT_WORKING_DAYS)
    except BadWhen as error:
        return Outcome(refused=True, message=error.message)
    return Outcome(refused=False, due=f"{due.local:%Y-%m-%d %H:%M}", note=note, default=when is None)


def _squash(text: str) -> str:
    return " ".join(text.split())


def judge(case: Case, got: Outcome) -> str:
    """ "ok", "silently wrong", "refused wrongly", or "note differs" (right time, different note)."""
    if case.expect == "refuse":
        return "ok" if got.refused else "silently wrong"
    if got.refused:
        return "refused wrongly"
    if case.expect == "default":
        if not got.default:
            return "silently wrong"
        return "ok" if _squash(got.note) == _squash(case.text) else "note differs"
    if got.default or got.due != case.expect:
        return "silently wrong"
    return "ok" if _squash(got.note) == _squash(case.note) else "note differs"


def import_seconds() -> float:
    """Seconds a fresh interpreter takes to import the parser (the median of 5)."""
    code = "import time; t = time.perf_counter(); import bot.domain.when; print(time.perf_counter() - t)"
    runs = sorted(
        float(
            subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=_ROOT).stdout
        )
        for _ in range(5)
    )
    return runs[2]


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fixture", type=Path, default=FIXTURE)
    parser.add_argument("--quiet", action="store_true", help="figures only, not every miss")
    args = parser.parse_args()
    cases = load_cases(args.fixture)
    results = [(case, run(case)) for case in cases]
    verdicts = [(case, got, judge(case, got)) for case, got in results]
    counts = Counter(v for _, _, v in verdicts)
    total = len(verdicts)

    is_time = [(case.expect != "default", got.refused or not got.default) for case, got in results]
    true_pos = sum(1 for truth, said in is_time if truth and said)
    precision = true_pos / max(1, sum(1 for _, said in is_time if said))
    recall = true_pos / max(1, sum(1 for truth, _ in is_time if truth))

    start = time.perf_counter()
    for _ in range(TIMING_ROUNDS):
        for case in cases:
            run(case)
    per_phrase_us = (time.perf_counter() - start) / (TIMING_ROUNDS * total) * 1e6

    print(f"when phrases: {total} from {args.fixture.name}")
    for label, verdict in (
        ("exact (time/refusal and note)", "ok"),
        ("silently wrong (no refusal)", "silently wrong"),
        ("refused, should have been read", "refused wrongly"),
        ("right time, note differs", "note differs"),
    ):
        print(f"  {label + ':':34s}{counts[verdict]:4d}  {counts[verdict] / total:6.1%}")
    print(f"  is-a-time-phrase precision {precision:.3f}  recall {recall:.3f}")
    print(
        f"  parse + resolve per phrase: {per_phrase_us:.0f} µs;  "
        f"import of bot.domain.when: {import_seconds() * 1000:.0f} ms"
    )
    print("\nby tag                 n   exact  silently-wrong  refused-wrongly")
    for tag in dict.fromkeys(case.tag for case in cases):
        tagged = [v for case, _, v in verdicts if case.tag == tag]
        c = Counter(tagged)
        print(
            f"  {tag:16s} {len(tagged):4d}  {c['ok'] / len(tagged):6.1%}  {c['silently wrong']:14d}  "
            f"{c['refused wrongly']:15d}"
        )
    if args.quiet:
        return
    print("\nmisses")
    for case, got, verdict in verdicts:
        if verdict == "ok":
            continue
        said = f"refused: {got.message}" if got.refused else f"{'default ' * got.default}{got.due} | {got.note!r}"
        wanted = case.expect if case.expect in ("refuse", "default") else f"{case.expect} | {case.note!r}"
        print(f"  [{verdict}] {case.text!r} ({case.order}, {case.tag})\n      wanted {wanted}\n      got    {said}")


if __name__ == "__main__":
    main()
