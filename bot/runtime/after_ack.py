"""Work that may wait until Slack's event is acknowledged: one background thread, fed after a transaction commits.

The tone model (bot.services.nudges.check_with_model) runs here: it costs several times the rules, so it must not
delay the acknowledgement; so do promise offers (bot.services.promises.offer: reading the promise's *when* and the
caps). The work is in memory only: a crash, or a shutdown that does not finish it, loses what was still queued (an
optional tip or offer, never a stored fact). A queue longer than MAX_PENDING sheds new work with a warning rather
than falling ever further behind.

The thread wakes at most once per LINGER_SECONDS and then runs everything queued by then: handing each piece of work
to another thread as it comes would cost every event a switch of Python's interpreter lock between threads (several
times the work itself when the work is small), while a tip or an offer that comes a few milliseconds later changes
nothing for the person.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

MAX_PENDING = 1_000
LINGER_SECONDS = 0.05
MAX_GATHERED = 10_000  # messages waiting for the tone model: far more than a few seconds' worth
T = TypeVar("T")


class AfterAck:
    """A single worker thread, started on first use, for optional work that runs after the acknowledgement."""

    def __init__(self, *, max_pending: int = MAX_PENDING, linger: float = LINGER_SECONDS) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._queue: deque[tuple[Callable[[], object], str]] = deque()
        self._pending = 0  # queued and in hand
        self._max_pending = max_pending
        self._linger = linger
        self._closed = False
        self._thread: threading.Thread | None = None

    @property
    def pending(self) -> int:
        """How many submitted pieces of work have not finished."""
        with self._lock:
            return self._pending

    def submit(self, work: Callable[[], object], *, what: str) -> bool:
        """Run `work` on the worker thread soon; False (and a warning) when closed or too far behind."""
        with self._lock:
            if self._closed or self._pending >= self._max_pending:
                refused = "shutting down" if self._closed else "too much work waiting"
            else:
                refused = ""
                self._pending += 1
                self._queue.append((work, what))
                if self._thread is None:
                    self._thread = threading.Thread(target=self._serve, name="rapport-after-ack", daemon=True)
                    self._thread.start()
                elif len(self._queue) == 1:
                    self._wake.notify()
        if refused:
            log.warning("skipped %s: %s", what, refused)
            return False
        return True

    def _serve(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
            time.sleep(self._linger)  # let the work of the next few events join this round
            with self._lock:
                batch = list(self._queue)
                self._queue.clear()
            for done, (work, what) in enumerate(batch, 1):
                self._run(work, what)
                with self._lock:
                    self._pending -= 1
                    if self._closed:  # stopping: what is left of this round is dropped, like the queue
                        self._pending -= len(batch) - done
                        return

    @staticmethod
    def _run(work: Callable[[], object], what: str) -> None:
        try:
            work()
        except Exception:  # nobody waits for this work: log it here, once, and carry on
            log.exception("%s failed", what)

    def close(self) -> None:
        """Take no more work, drop what is queued, and wait for the piece in hand (a model check takes milliseconds)."""
        with self._lock:
            self._closed = True
            self._pending -= len(self._queue)
            self._queue.clear()
            self._wake.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()


class Gathered(Generic[T]):
    """Items many events hand over (a message for the tone model, say), handed on together: one piece of work on the
    after-acknowledgement thread takes everything gathered since the last one, so that a cost paid once per call
    (the word model's worker process answering) is paid once per round, not once per event."""

    def __init__(self, *, max_items: int = MAX_GATHERED) -> None:
        self._lock = threading.Lock()
        self._items: list[T] = []
        self._scheduled = False
        self._max_items = max_items

    def add(self, after_ack: AfterAck, items: Sequence[T], work: Callable[[list[T]], object], *, what: str) -> bool:
        """Gather `items` for `work`, on `after_ack`'s thread soon; False (and a warning) when they were dropped."""
        with self._lock:
            if len(self._items) + len(items) > self._max_items:
                dropped = True
            else:
                dropped = False
                self._items.extend(items)
                if self._scheduled:
                    return True
                self._scheduled = True
        if dropped:
            log.warning("skipped %s: too much work waiting", what)
            return False
        if after_ack.submit(lambda: self._hand_on(work), what=what):
            return True
        with self._lock:  # refused (shutting down, or far behind): what was gathered goes with it
            self._items.clear()
            self._scheduled = False
        return False

    def _hand_on(self, work: Callable[[list[T]], object]) -> None:
        with self._lock:
            items, self._items = self._items, []
            self._scheduled = False
        if items:
            work(items)
