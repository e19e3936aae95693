"""A sample of the labelled *when* phrases in tests/fixtures/when_phrases.tsv.

The whole set is measured, not asserted, by `python -m bench.bench_when` (accuracy, silently wrong results,
precision and recall, parse time); this checks every seventh phrase so a regression shows up in the suite.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.when import BadWhen, WorkWeek, resolve_due, split_when, zone

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "when_phrases.tsv"
NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)  # Wednesday 10:00 in Berlin, as the fixture's header says
BERLIN = zone("Europe/Berlin")


def _rows() -> list[dict[str, str]]:
    lines = [line for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


ROWS = _rows()


def test_the_labelled_set_is_large_and_varied() -> None:
    assert len(ROWS) >= 400
    expects = [row["expect"] for row in ROWS]
    assert expects.count("refuse") >= 60 and expects.count("default") >= 60
    assert len({row["tag"] for row in ROWS}) >= 15


@pytest.mark.parametrize("row", ROWS[::7], ids=lambda row: row["text"])
def test_a_sample_of_the_labelled_phrases(row: dict[str, str]) -> None:
    try:
        when, note = split_when(row["text"], date_order=row["order"] or "MDY")
        due = resolve_due(when, now=NOW, tz=BERLIN, week=WorkWeek())
    except BadWhen:
        assert row["expect"] == "refuse"
        return
    if row["expect"] == "default":
        assert (when, note) == (None, " ".join(row["text"].split()))
    else:
        assert (f"{due.local:%Y-%m-%d %H:%M}", note) == (row["expect"], row["note"])
