"""Group commit: work submitted by many threads at once is stored in one transaction, then each is answered."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def _never(error: Exception) -> bool:
    return False


@dataclass
class _Entry(Generic[Item, Result]):
    item: Item
    # Set once the entry is finished, or when it is handed the lead (then `finished` is still False).
    wake: threading.Event = field(default_factory=threading.Event)
    finished: bool = False
    result: Result | None = None
    error: BaseException | None = None


class GroupCommit(Generic[Item, Result]):
    """Runs items in batches: the first waiting thread leads, storing everything queued behind it.

    Every submitter returns only after the batch holding its item has committed (or raises its error), so
    store-then-acknowledge holds; batching only spreads the cost of a transaction over concurrent requests. A
    leader runs one batch, the one holding its own item, then hands the lead to the first item still queued: no
    request waits for more than the batch running when it came and its own.

    `turned_away` tells a failure that is no item's fault (the database busy past its timeout, unreachable): then
    nothing is retried alone, and what queued behind the batch fails with it rather than wait a second time, so
    each request still gets its answer (a 5xx, which Slack retries) within Slack's 3 seconds.
    """

    def __init__(self, *, max_batch: int = 64, turned_away: Callable[[Exception], bool] = _never) -> None:
        self._lock = threading.Lock()
        self._pending: list[_Entry[Item, Result]] = []
        self._leading = False
        self._max_batch = max_batch
        self._turned_away = turned_away

    def submit(self, item: Item, run: Callable[[Sequence[Item]], Sequence[Result]]) -> Result:
        """Store `item` with whatever else is queued; `run` stores a batch and returns one result per item."""
        entry: _Entry[Item, Result] = _Entry(item)
        with self._lock:
            self._pending.append(entry)
            lead = not self._leading
            self._leading = True
        if not lead:
            entry.wake.wait()
        if not entry.finished:  # leading from the start, or handed the lead: this entry is first in the queue
            self._lead(run)
        if entry.error is not None:
            raise entry.error
        return entry.result  # type: ignore[return-value]

    def _lead(self, run: Callable[[Sequence[Item]], Sequence[Result]]) -> None:
        with self._lock:
            batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch :]
        refused = self._run(batch, run)
        with self._lock:
            queued = self._pending
            if refused is not None:
                self._pending = []
            elif queued:
                queued[0].wake.set()  # the next leader: its own item is first in the queue
            else:
                self._leading = False
        if refused is not None:
            for entry in queued:
                self._finish(entry, error=refused)
            with self._lock:
                # Whatever queued meanwhile gets a leader; if nothing did, nobody is leading.
                if self._pending:
                    self._pending[0].wake.set()
                else:
                    self._leading = False

    def _run(
        self, batch: list[_Entry[Item, Result]], run: Callable[[Sequence[Item]], Sequence[Result]]
    ) -> Exception | None:
        """Run a batch and finish its entries; the error if the database turned it away."""
        try:
            results = run([e.item for e in batch])
        except Exception as error:
            if self._turned_away(error):
                for entry in batch:
                    self._finish(entry, error=error)
                return error
            if len(batch) == 1:
                self._finish(batch[0], error=error)
            else:
                # One bad item must not fail its neighbours: store each alone, so only it gets the error.
                for entry in batch:
                    self._run([entry], run)
            return None
        for entry, result in zip(batch, results, strict=True):
            self._finish(entry, result=result)
        return None

    @staticmethod
    def _finish(
        entry: _Entry[Item, Result], *, result: Result | None = None, error: BaseException | None = None
    ) -> None:
        entry.result, entry.error, entry.finished = result, error, True
        entry.wake.set()
