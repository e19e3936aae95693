"""Group commit: every submitter gets its own result only after its batch ran; one bad item fails alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import pytest

from bot.runtime.batching import GroupCommit


def test_concurrent_items_share_batches_and_each_gets_its_result() -> None:
    batches: list[list[int]] = []
    gate = threading.Event()

    def run(items: Sequence[int]) -> list[int]:
        gate.wait(5)  # hold the first batch so the others queue up behind it
        batches.append(list(items))
        return [i * 10 for i in items]

    commit: GroupCommit[int, int] = GroupCommit()
    results: dict[int, int] = {}
    threads = [threading.Thread(target=lambda i=i: results.__setitem__(i, commit.submit(i, run))) for i in range(20)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(5)
    assert results == {i: i * 10 for i in range(20)}
    assert sorted(i for batch in batches for i in batch) == list(range(20))
    assert len(batches) < 20  # the queued ones were stored together


def test_a_failing_item_fails_alone() -> None:
    def run(items: Sequence[int]) -> list[int]:
        if 13 in items:
            raise ValueError("bad item")
        return list(items)

    commit: GroupCommit[int, int] = GroupCommit()
    assert commit.submit(1, run) == 1
    with pytest.raises(ValueError):
        commit.submit(13, run)
    # a batch that holds the bad item is retried item by item, so the others still succeed
    outcomes: dict[int, object] = {}
    gate = threading.Event()

    def slow_run(items: Sequence[int]) -> list[int]:
        gate.wait(5)
        return run(items)

    def submit(i: int) -> None:
        try:
            outcomes[i] = commit.submit(i, slow_run)
        except ValueError as error:
            outcomes[i] = error

    threads = [threading.Thread(target=submit, args=(i,)) for i in (5, 13, 7)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(5)
    assert outcomes[5] == 5 and outcomes[7] == 7 and isinstance(outcomes[13], ValueError)


class Busy(Exception):
    """The store turned a batch away for now (as a database locked past its timeout does)."""


def _wait_until(condition: Callable[[], bool]) -> None:
    for _ in range(5000):
        if condition():
            return
        time.sleep(0.001)
    raise AssertionError("condition not met")


def test_a_batch_the_store_turned_away_fails_everything_queued_behind_it_without_running_it_again() -> None:
    runs: list[list[int]] = []
    held, started = threading.Event(), threading.Event()

    def run(items: Sequence[int]) -> list[int]:
        runs.append(list(items))
        started.set()
        held.wait(5)
        raise Busy("database is locked")

    commit: GroupCommit[int, int] = GroupCommit(turned_away=lambda error: isinstance(error, Busy))
    outcomes: dict[int, object] = {}

    def submit(i: int) -> None:
        try:
            outcomes[i] = commit.submit(i, run)
        except Busy as error:
            outcomes[i] = error

    threads = [threading.Thread(target=submit, args=(i,)) for i in (1, 2, 3, 4)]
    threads[0].start()
    assert started.wait(5)  # the first batch waits on the store: the others queue behind it
    for t in threads[1:]:
        t.start()
    _wait_until(lambda: len(commit._pending) == 3)
    held.set()
    for t in threads:
        t.join(5)
    assert sorted(outcomes) == [1, 2, 3, 4] and all(isinstance(o, Busy) for o in outcomes.values())
    assert runs == [[1]]  # one wait in all: neither each item alone nor the queue behind it waits again
    assert commit.submit(5, lambda items: [i * 10 for i in items]) == 50  # and the next one leads afresh


def test_a_leader_answers_after_its_own_batch_and_hands_the_lead_on() -> None:
    first_held, second_held, second_started = threading.Event(), threading.Event(), threading.Event()
    batches: list[list[int]] = []

    def run(items: Sequence[int]) -> list[int]:
        batches.append(list(items))
        if items[0] == 1:
            first_held.wait(5)
        else:
            second_started.set()
            second_held.wait(5)
        return list(items)

    commit: GroupCommit[int, int] = GroupCommit()
    leader = threading.Thread(target=commit.submit, args=(1, run))
    leader.start()
    _wait_until(lambda: batches == [[1]])
    others = [threading.Thread(target=commit.submit, args=(i, run)) for i in (2, 3, 4)]
    for t in others:
        t.start()
    _wait_until(lambda: len(commit._pending) == 3)
    first_held.set()
    assert second_started.wait(5)
    leader.join(5)
    assert not leader.is_alive()  # answered while the next batch, led by the first queued item, still runs
    second_held.set()
    for t in others:
        t.join(5)
    assert batches == [[1], [2, 3, 4]]
