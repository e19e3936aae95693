"""The tone word model in a process of its own, so that its scoring never competes with acknowledgements.

Python runs one thread at a time in a process. The word model (bot.domain.tone_model) costs several times the tone
rules for every teammate's message; run on the after-acknowledgement thread it still takes that time from the
threads answering Slack. Here it runs in one worker process per Rapport process, started on first use and shared
by every runtime in the process (the model is the shipped one, the same for every workspace): the
after-acknowledgement thread hands it a round's texts at once and waits for the verdicts, holding nothing.

When the worker cannot answer (it died, it was killed, it took longer than TIMEOUT_SECONDS) the verdicts are
computed here instead, with a warning, and the next round starts a fresh worker: a tip is never lost to it.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import logging
import multiprocessing
import threading
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool

from bot.domain import tone_model

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
Verdict = tuple[str, float] | None


def score_texts(texts: Sequence[str]) -> list[Verdict]:
    """The word model's verdict on each text (in whichever process runs this)."""
    return [tone_model.score(text) for text in texts]


def _load_model() -> None:
    """In the worker, as it starts: read the shipped model once, before the first texts arrive."""
    tone_model.shipped_model()


class ModelWorker:
    """One worker process scoring texts with the shipped word model; in-process scoring when it cannot."""

    def __init__(self, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self._timeout = timeout
        self._lock = threading.Lock()
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._closed = False

    def scores(self, texts: Sequence[str]) -> list[Verdict]:
        """The verdict on each text, in order."""
        if not texts:
            return []
        pool = self._running()
        if pool is None:
            return score_texts(texts)
        try:
            return pool.submit(score_texts, list(texts)).result(timeout=self._timeout)
        except (BrokenProcessPool, concurrent.futures.TimeoutError, OSError, RuntimeError) as error:
            log.warning(
                "the tone model's worker process did not answer (%s); scoring here instead", type(error).__name__
            )
            self._discard(pool)
            return score_texts(texts)

    def _running(self) -> concurrent.futures.ProcessPoolExecutor | None:
        with self._lock:
            if self._closed:
                return None
            if self._pool is None:
                # A fresh interpreter, not a fork: this process has threads (and locks they may hold) a fork would copy.
                context = multiprocessing.get_context("spawn")
                self._pool = concurrent.futures.ProcessPoolExecutor(
                    max_workers=1, mp_context=context, initializer=_load_model
                )
            return self._pool

    def _discard(self, pool: concurrent.futures.ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the worker process (scoring goes on in this process from now on)."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


_shared: ModelWorker | None = None
_shared_lock = threading.Lock()


def shared_worker() -> ModelWorker:
    """This process's model worker (one for every runtime in it), stopped when the process exits."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ModelWorker()
            atexit.register(_shared.close)
        return _shared
