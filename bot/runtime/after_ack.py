"""Work that may wait until Slack's event is acknowledged: one background thread, fed after a transaction commits.

The tone model (bot.services.nudges.check_with_model) runs here: it costs several times the rules, so it must not
delay the acknowledgement; so do promise offers (bot.services.promises.offer: reading the promise's *when* and the
caps). The work is in memory only: a crash, or a shutdown that does not finish it, loses what
was still queued (an optional tip or offer, never a stored fact). A queue longer than MAX_PENDING sheds new work with a
warning rather than falling ever further behind.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)

MAX_PENDING = 1_000


class AfterAck:
    """A single worker thread, started on first use, for optional work that runs after the acknowledgement."""

    def __init__(self, *, max_pending: int = MAX_PENDING) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rapport-after-ack")
        self._lock = threading.Lock()
        self._pending = 0
        self._max_pending = max_pending
        self._closed = False

    @property
    def pending(self) -> int:
        """How many submitted pieces of work have not finished."""
        with self._lock:
            return self._pending

    def submit(self, work: Callable[[], object], *, what: str) -> bool:
        """Run `work` on the worker thread; False (and a warning) when closed or too far behind."""
        with self._lock:
            if self._closed or self._pending >= self._max_pending:
                log.warning("skipped %s: %s", what, "shutting down" if self._closed else "too much work waiting")
                return False
            self._pending += 1
        future: Future[None] = self._executor.submit(self._run, work, what)
        future.add_done_callback(self._done)
        return True

    def _done(self, _: Future[None]) -> None:
        with self._lock:
            self._pending -= 1

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
        self._executor.shutdown(wait=True, cancel_futures=True)
