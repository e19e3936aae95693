"""Group commit: every submitter gets its own result only after its batch ran; one bad item fails alone."""

from __future__ import annotations

import threading
from collections.abc import Sequence

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
