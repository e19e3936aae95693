"""Group commit: work submitted by many threads at once is stored in one transaction, then each is answered."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass
class _Entry(Generic[Item, Result]):
    item: Item
    done: threading.Event = field(default_factory=threading.Event)
    result: Result | None = None
    error: BaseException | None = None


class GroupCommit(Generic[Item, Result]):
    """Runs items in batches: the first waiting thread leads, storing everything queued behind it.

    Every submitter returns only after the batch holding its item has committed (or raises its error), so
    store-then-acknowledge holds; batching only spreads the cost of a transaction over concurrent requests.
    """

    def __init__(self, *, max_batch: int = 64) -> None:
        self._lock = threading.Lock()
        self._pending: list[_Entry[Item, Result]] = []
        self._leading = False
        self._max_batch = max_batch

    def submit(self, item: Item, run: Callable[[Sequence[Item]], Sequence[Result]]) -> Result:
        """Store `item` with whatever else is queued; `run` stores a batch and returns one result per item."""
        entry: _Entry[Item, Result] = _Entry(item)
        with self._lock:
            self._pending.append(entry)
            lead = not self._leading
            self._leading = True
        if lead:
            self._lead(run)
        entry.done.wait()
        if entry.error is not None:
            raise entry.error
        return entry.result  # type: ignore[return-value]

    def _lead(self, run: Callable[[Sequence[Item]], Sequence[Result]]) -> None:
        while True:
            with self._lock:
                batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch :]
                if not batch:
                    self._leading = False
                    return
            self._run(batch, run)

    @staticmethod
    def _run(batch: list[_Entry[Item, Result]], run: Callable[[Sequence[Item]], Sequence[Result]]) -> None:
        try:
            results = run([e.item for e in batch])
        except Exception as error:
            if len(batch) == 1:
                batch[0].error = error
            else:
                # One bad item must not fail its neighbours: store each alone, so only it gets the error.
                for entry in batch:
                    GroupCommit._run([entry], run)
                return
        else:
            for entry, result in zip(batch, results, strict=True):
                entry.result = result
        for entry in batch:
            entry.done.set()
