"""A customer's history without I/O: anniversaries, paging and the median first response."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from statistics import median

HISTORY_PAGE_SIZE = 40  # events per modal page: one block each, well inside a modal's 100 blocks


def anniversaries(since: date | None, *, now: datetime) -> list[tuple[datetime, int]]:
    """(when, years) of every customer-since anniversary up to `now`, newest first; (since, 0) is the start."""
    if since is None:
        return []
    found: list[tuple[datetime, int]] = []
    years = 0
    while True:
        day = _same_day(since, since.year + years)
        at = datetime(day.year, day.month, day.day, tzinfo=UTC)
        if at > now:
            break
        found.append((at, years))
        years += 1
    return found[::-1]


def _same_day(since: date, year: int) -> date:
    """The anniversary of `since` in `year` (29 February falls on 28 February in other years)."""
    try:
        return since.replace(year=year)
    except ValueError:
        return since.replace(year=year, day=28)


def page_count(total: int, *, size: int = HISTORY_PAGE_SIZE) -> int:
    """How many pages `total` events fill (at least one, even when empty)."""
    return max(1, -(-total // size))


def clamp_page(page: int, *, total: int, size: int = HISTORY_PAGE_SIZE) -> int:
    """A page number within the pages `total` events fill (a stale button may name one past the end)."""
    return min(max(0, page), page_count(total, size=size) - 1)


def median_response(times: Sequence[timedelta]) -> timedelta | None:
    """The median of first-response times; None when there are none."""
    if not times:
        return None
    return timedelta(seconds=median(t.total_seconds() for t in times))
