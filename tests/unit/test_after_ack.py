"""The after-acknowledgement thread, gathered work and the tone model's worker process."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

import pytest

from bot.domain import tone_model
from bot.runtime.after_ack import AfterAck, Gathered
from bot.runtime.model_worker import ModelWorker


def _wait(check: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "not done in time"
        time.sleep(0.01)


def test_work_runs_in_order_on_one_thread_and_pending_counts_it() -> None:
    after_ack = AfterAck(linger=0.01)
    seen: list[tuple[int, str]] = []
    for n in range(5):
        assert after_ack.submit(lambda n=n: seen.append((n, threading.current_thread().name)), what="work")
    _wait(lambda: after_ack.pending == 0)
    assert [n for n, _ in seen] == [0, 1, 2, 3, 4] and {name for _, name in seen} == {"rapport-after-ack"}
    after_ack.close()


def test_failing_work_is_logged_once_and_the_thread_carries_on(caplog: pytest.LogCaptureFixture) -> None:
    after_ack = AfterAck(linger=0.01)
    done = threading.Event()
    after_ack.submit(lambda: 1 / 0, what="a broken check")
    after_ack.submit(done.set, what="the next check")
    assert done.wait(5)
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == ["a broken check failed"]
    after_ack.close()


def test_too_much_waiting_and_closing_shed_work_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    after_ack = AfterAck(max_pending=2, linger=0.01)
    gate = threading.Event()
    assert after_ack.submit(gate.wait, what="a gate") and after_ack.submit(lambda: None, what="queued")
    assert not after_ack.submit(lambda: None, what="one too many")
    assert "skipped one too many: too much work waiting" in caplog.text
    gate.set()
    after_ack.close()
    assert after_ack.pending == 0
    assert not after_ack.submit(lambda: None, what="late work")
    assert "skipped late work: shutting down" in caplog.text


def test_gathered_items_of_many_events_reach_the_work_together() -> None:
    after_ack = AfterAck(linger=0.05)
    gathered: Gathered[int] = Gathered()
    rounds: list[list[int]] = []
    for n in range(10):
        assert gathered.add(after_ack, [n, n + 100], rounds.append, what="numbers")
    _wait(lambda: after_ack.pending == 0)
    assert rounds == [[n + k for n in range(10) for k in (0, 100)]]  # one round, in order
    assert gathered.add(after_ack, [7], rounds.append, what="numbers")
    _wait(lambda: len(rounds) == 2)
    assert rounds[1] == [7]
    after_ack.close()
    assert not gathered.add(after_ack, [8], rounds.append, what="numbers")  # refused, and not kept for later


def test_gathering_past_its_limit_drops_the_new_items(caplog: pytest.LogCaptureFixture) -> None:
    after_ack = AfterAck(linger=0.01)
    gate = threading.Event()
    after_ack.submit(gate.wait, what="a gate")
    gathered: Gathered[int] = Gathered(max_items=3)
    rounds: list[list[int]] = []
    assert gathered.add(after_ack, [1, 2], rounds.append, what="numbers")
    assert not gathered.add(after_ack, [3, 4], rounds.append, what="numbers")
    assert "skipped numbers: too much work waiting" in caplog.text
    gate.set()
    _wait(lambda: rounds == [[1, 2]])
    after_ack.close()


TEXTS = [
    "You'll have to call customer service for that, all I do is sell stuff.",
    "Your IT people will have to deal with that one.",
    "Thanks, the export works again!",
    "",
]


def test_the_worker_process_gives_the_verdicts_scoring_here_would() -> None:
    worker = ModelWorker()
    try:
        assert worker.scores(TEXTS) == [tone_model.score(t) for t in TEXTS]
        assert worker.scores([]) == []
    finally:
        worker.close()
    assert worker.scores(TEXTS[:1]) == [tone_model.score(TEXTS[0])]  # closed: scored in this process


def test_a_killed_worker_costs_no_verdict_and_a_fresh_one_takes_over(caplog: pytest.LogCaptureFixture) -> None:
    worker = ModelWorker()
    try:
        worker.scores(TEXTS[:1])
        pool = worker._running()
        assert pool is not None
        [pid] = [p.pid for p in pool._processes.values()]  # type: ignore[union-attr]
        os.kill(pid, signal.SIGKILL)
        _wait(lambda: pool._broken)  # type: ignore[union-attr]
        assert worker.scores(TEXTS) == [tone_model.score(t) for t in TEXTS]
        assert "the tone model's worker process did not answer (BrokenProcessPool); scoring here instead" in caplog.text
        fresh = worker._running()
        assert fresh is not None and fresh is not pool
        assert worker.scores(TEXTS) == [tone_model.score(t) for t in TEXTS]
    finally:
        worker.close()
