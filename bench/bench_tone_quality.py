"""Measure how well the shipped tone rules judge real support messages: precision, recall, recall per category,
and every miss and false nudge, over the hand-labelled set in ``tests/fixtures/tone_messages.tsv``.

Run from the repository root:  python -m bench.bench_tone_quality  [--file PATH] [--quiet]

Each row is checked the way the intake path checks a message (``ToneSetup.hits``): a row whose context is
``internal`` is posted in a channel the workspace lists under *Channels without nudges*, and an ``external``
row is written by a Slack Connect customer. A category counts as found when the message gets a hit of that
category; a hit of a category the row does not expect is a false nudge.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# Running as a plain script puts bench/ (not the repository root) on sys.path.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from bot.domain.messages import ChannelMessage  # noqa: E402
from bot.domain.tone import CATEGORIES, ToneMatcher, shipped_rules  # noqa: E402
from bot.runtime.caches import ToneSetup  # noqa: E402

DEFAULT_FILE = _ROOT / "tests" / "fixtures" / "tone_messages.tsv"
CONTEXTS = ("", "internal", "external")
INTERNAL_CHANNEL = "C0INTERNAL"
CUSTOMER_CHANNEL = "C0SUPPORT"


@dataclass(frozen=True)
class Row:
    """One labelled message: the raw Slack text, the categories it should get, and where it was written."""

    line: int
    text: str
    expected: frozenset[str]
    context: str


@dataclass(frozen=True)
class Quality:
    """Counts over a labelled set, with the rows that went wrong."""

    true_positive: int
    false_positive: int
    found: dict[str, int]  # per category: expected and found
    expected: dict[str, int]  # per category: expected
    misses: list[tuple[Row, frozenset[str]]]
    false_nudges: list[tuple[Row, frozenset[str]]]

    @property
    def precision(self) -> float:
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        total = sum(self.expected.values())
        return self.true_positive / total if total else 1.0

    def category_recall(self, category: str) -> float:
        total = self.expected[category]
        return self.found[category] / total if total else 1.0


def read_rows(path: Path = DEFAULT_FILE) -> list[Row]:
    """Read the labelled set; raises ValueError naming the line of a row that cannot be read."""
    rows: list[Row] = []
    header_seen = False
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        fields = raw.split("\t")
        if not header_seen:
            header_seen = True
            if fields[:2] == ["text", "expected"]:
                continue
        if len(fields) < 2 or len(fields) > 3:
            raise ValueError(f"{path.name}, line {number}: write text, expected and an optional context, tab-separated")
        labels = frozenset() if fields[1] == "none" else frozenset(fields[1].split("+"))
        if not labels <= set(CATEGORIES):
            raise ValueError(f"{path.name}, line {number}: “{fields[1]}” is not none or {', '.join(CATEGORIES)}")
        context = fields[2].strip() if len(fields) == 3 else ""
        if context not in CONTEXTS:
            raise ValueError(f"{path.name}, line {number}: “{context}” is not a context; use internal or external")
        rows.append(Row(number, fields[0].replace("\\n", "\n"), labels, context))
    return rows


def judge(rows: Iterable[Row], matcher: ToneMatcher | None = None) -> Quality:
    """Check every row as the intake path would, and count."""
    setup = ToneSetup(
        enabled=True,
        excluded_channels=frozenset({INTERNAL_CHANNEL}),
        matcher=matcher or ToneMatcher.build(shipped_rules()),
    )
    true_positive = false_positive = 0
    found = dict.fromkeys(CATEGORIES, 0)
    expected = dict.fromkeys(CATEGORIES, 0)
    misses: list[tuple[Row, frozenset[str]]] = []
    false_nudges: list[tuple[Row, frozenset[str]]] = []
    for row in rows:
        message = ChannelMessage(
            team_id="T0BENCH",
            channel_id=INTERNAL_CHANNEL if row.context == "internal" else CUSTOMER_CHANNEL,
            ts="1700000000.000100",
            thread_ts=None,
            user_id="U0AGENT",
            text=row.text,
            is_external=row.context == "external",
        )
        got = frozenset(hit.rule.category for hit in setup.hits(message))
        true_positive += len(got & row.expected)
        false_positive += len(got - row.expected)
        for category in row.expected:
            expected[category] += 1
            found[category] += category in got
        if row.expected - got:
            misses.append((row, got))
        if got - row.expected:
            false_nudges.append((row, got))
    return Quality(true_positive, false_positive, found, expected, misses, false_nudges)


def _labels(categories: frozenset[str]) -> str:
    return "+".join(c for c in CATEGORIES if c in categories) or "none"


HELD_OUT_ROUNDS = ("tone_heldout_r8.tsv", "tone_heldout_r9.tsv", "tone_heldout_r10.tsv", "tone_everyday_heldout.tsv")


def main(argv: list[str] | None = None) -> int:
    """Print the figures, then the misses and false nudges (unless --quiet)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="a labelled TSV (text, expected, context)")
    parser.add_argument("--quiet", action="store_true", help="print only the figures")
    parser.add_argument(
        "--with-model",
        action="store_true",
        help="rules vs rules + the shipped word model on tone_messages.tsv and the held-out rounds (or --file)",
    )
    args = parser.parse_args(argv)
    if args.with_model:
        from bench.bench_tone_model import compare  # noqa: PLC0415 (that module imports this one)

        given = args.file != DEFAULT_FILE
        compare([args.file] if given else [DEFAULT_FILE, *(DEFAULT_FILE.parent / f for f in HELD_OUT_ROUNDS)])
        return 0

    rows = read_rows(args.file)
    quality = judge(rows)
    firing = sum(1 for row in rows if row.expected)
    print(f"{len(rows)} messages ({firing} expected to get a tip, {len(rows) - firing} not) from {args.file.name}")
    print(f"precision {quality.precision:.3f}   recall {quality.recall:.3f}   ", end="")
    print(f"(tp={quality.true_positive} fp={quality.false_positive} fn={len(quality.misses)} messages missed)")
    for category in CATEGORIES:
        print(
            f"  recall {category:<10} {quality.category_recall(category):.3f}   "
            f"({quality.found[category]} of {quality.expected[category]})"
        )
    if not args.quiet:
        print(f"\nmisses ({len(quality.misses)}):")
        for row, got in quality.misses:
            print(f"  line {row.line}: expected {_labels(row.expected)}, got {_labels(got)}: {row.text!r}")
        print(f"\nfalse nudges ({len(quality.false_nudges)}):")
        for row, got in quality.false_nudges:
            print(f"  line {row.line}: expected {_labels(row.expected)}, got {_labels(got)}: {row.text!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
