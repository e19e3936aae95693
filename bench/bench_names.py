"""Measure customer-name matching on the labelled set: precision and recall for ordinary names, and what
everyday-word and tool names ("Target", "Zoom") record before and after they count only as written.

Run from the repository root:  python -m bench.bench_names  [--misses]

The set is tests/fixtures/name_mentions.tsv (Slack text, the customers it names, the rules it exercises), labelled
against the directory in tests/fixtures/name_directory.tsv. A (message, customer) pair is the unit: a customer the
matcher finds that the row does not name is a false mention, one the row names that it misses is a miss. "Before"
builds every name to count in any letter case (the matcher without the only-as-written rule); "after" lets the
shipped word lists decide, as Rapport does.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# Running as a plain script puts bench/ (not the repository root) on sys.path.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from bot.domain.matcher import CustomerMatcher, NameEntry  # noqa: E402

FIXTURES = _ROOT / "tests" / "fixtures"
DIRECTORY = FIXTURES / "name_directory.tsv"
MENTIONS = FIXTURES / "name_mentions.tsv"

TARGET_RECALL = 0.97
TARGET_PRECISION = 0.99
TARGET_EVERYDAY_CUT = 0.80


@dataclass(frozen=True)
class Customer:
    """A customer of the labelled directory."""

    id: int
    name: str
    aliases: tuple[str, ...]
    everyday: bool


@dataclass(frozen=True)
class Row:
    """One labelled message."""

    line: int
    text: str
    expected: frozenset[str]
    tags: tuple[str, ...]


def _data_lines(path: Path) -> list[tuple[int, list[str]]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            rows.append((number, next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE))))
    return rows


def load_directory(path: Path = DIRECTORY) -> list[Customer]:
    """The labelled directory: name, aliases and slice of each customer."""
    customers = []
    for index, (number, cells) in enumerate(_data_lines(path), start=1):
        if len(cells) != 3 or cells[2] not in ("ordinary", "everyday"):
            raise ValueError(f"{path.name}:{number}: expected name, aliases, ordinary|everyday; got {cells!r}")
        aliases = tuple(a.strip() for a in cells[1].split(";") if a.strip())
        customers.append(Customer(index, cells[0], aliases, cells[2] == "everyday"))
    return customers


def load_mentions(path: Path = MENTIONS, *, directory: list[Customer] | None = None) -> list[Row]:
    """The labelled messages; every expected name must be a customer of the directory."""
    known = {c.name for c in directory or load_directory()}
    rows = []
    for number, cells in _data_lines(path):
        if len(cells) != 3 or not cells[0] or not cells[2]:
            raise ValueError(f"{path.name}:{number}: expected text, customers, tags; got {cells!r}")
        expected = frozenset(n.strip() for n in cells[1].split(";") if n.strip())
        if expected - known:
            raise ValueError(f"{path.name}:{number}: not in the directory: {sorted(expected - known)}")
        rows.append(Row(number, cells[0], expected, tuple(t.strip() for t in cells[2].split(","))))
    return rows


def build(directory: list[Customer], *, exact: bool | None) -> CustomerMatcher:
    """The matcher for the directory; `exact` False makes every name count in any letter case."""
    return CustomerMatcher.build(NameEntry(c.id, name, exact) for c in directory for name in (c.name, *c.aliases))


@dataclass
class Tally:
    """Pairs counted for one slice of customers."""

    found: int = 0
    false: int = 0
    missed: int = 0
    false_rows: list[tuple[Row, str]] = field(default_factory=list)
    missed_rows: list[tuple[Row, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Found over found plus false; 1.0 when nothing was found."""
        return self.found / (self.found + self.false) if self.found + self.false else 1.0

    @property
    def recall(self) -> float:
        """Found over found plus missed; 1.0 when nothing was expected."""
        return self.found / (self.found + self.missed) if self.found + self.missed else 1.0


def measure(matcher: CustomerMatcher, directory: list[Customer], rows: list[Row]) -> dict[str, Tally]:
    """Tallies for the "ordinary" and "everyday" slices of the directory."""
    by_id = {c.id: c for c in directory}
    tallies = {"ordinary": Tally(), "everyday": Tally()}
    for row in rows:
        found = {by_id[i].name for i in matcher.customer_ids(row.text)}
        for customer in directory:
            tally = tallies["everyday" if customer.everyday else "ordinary"]
            named, expected = customer.name in found, customer.name in row.expected
            if named and expected:
                tally.found += 1
            elif named:
                tally.false += 1
                tally.false_rows.append((row, customer.name))
            elif expected:
                tally.missed += 1
                tally.missed_rows.append((row, customer.name))
    return tallies


def _per_tag(matcher: CustomerMatcher, directory: list[Customer], rows: list[Row]) -> dict[str, Tally]:
    tags = sorted({t for row in rows for t in row.tags})
    return {tag: measure(matcher, directory, [r for r in rows if tag in r.tags])["ordinary"] for tag in tags}


def main(argv: list[str] | None = None) -> int:
    """Print the figures; exit status 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", action="store_true", help="list every miss and false mention")
    args = parser.parse_args(argv)

    directory = load_directory()
    rows = load_mentions(directory=directory)
    before = measure(build(directory, exact=False), directory, rows)
    after_matcher = build(directory, exact=None)
    after = measure(after_matcher, directory, rows)
    ordinary, everyday_before, everyday_after = after["ordinary"], before["everyday"], after["everyday"]
    tag_counts = Counter(t for row in rows for t in row.tags)

    print(f"{len(rows)} labelled messages, {len(directory)} customers ({sum(c.everyday for c in directory)} everyday)")
    print(
        f"ordinary names: precision {ordinary.precision:.3f}, recall {ordinary.recall:.3f} "
        f"({ordinary.found} found, {ordinary.false} false, {ordinary.missed} missed)"
    )
    cut = 1 - everyday_after.false / everyday_before.false if everyday_before.false else 1.0
    print(
        f"everyday-word names, false mentions: {everyday_before.false} in any letter case -> "
        f"{everyday_after.false} only as written ({cut:.0%} fewer)"
    )
    print(
        f"everyday-word names, real mentions found: {everyday_before.found} of "
        f"{everyday_before.found + everyday_before.missed} in any letter case -> {everyday_after.found} of "
        f"{everyday_after.found + everyday_after.missed} only as written"
    )
    print("\nordinary names by rule (tag: rows, precision, recall)")
    for tag, tally in _per_tag(after_matcher, directory, rows).items():
        print(f"  {tag:<16} {tag_counts[tag]:>4}   P {tally.precision:.2f}   R {tally.recall:.2f}")
    misses = [("missed", r, n) for r, n in ordinary.missed_rows + everyday_after.missed_rows]
    misses += [("false", r, n) for r, n in ordinary.false_rows + everyday_after.false_rows]
    print(f"\nmisses and false mentions ({len(misses)}):")
    for kind, row, name in sorted(misses, key=lambda m: m[1].line)[: None if args.misses else 40]:
        print(f"  line {row.line:>3} {kind:<6} {name:<18} {row.text}")

    checks = [
        ("ordinary recall", ordinary.recall >= TARGET_RECALL, f"{ordinary.recall:.3f} >= {TARGET_RECALL}"),
        ("ordinary precision", ordinary.precision >= TARGET_PRECISION, f"{ordinary.precision:.3f} >= 0.99"),
        ("everyday false mentions cut", cut >= TARGET_EVERYDAY_CUT, f"{cut:.0%} >= {TARGET_EVERYDAY_CUT:.0%}"),
        ("everyday real mentions kept", everyday_after.found == everyday_before.found, "none lost"),
    ]
    print()
    for label, ok, target in checks:
        print(f"{label:<30} {target:<16} {'PASS' if ok else 'FAIL'}")
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
