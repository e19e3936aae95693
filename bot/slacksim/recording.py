"""Recording: every Web API call the simulator answered, for tests to read and wait on."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ApiCall:
    """One recorded Web API request and the simulator's answer."""

    method: str
    args: dict[str, Any]
    ok: bool
    error: str | None
    status: int
    response: dict[str, Any]
    at: float
    token: str | None


class CallLog:
    """The recorded calls, oldest first; guarded by (and announced through) the simulator's condition."""

    def __init__(self, cond: threading.Condition) -> None:
        self._cond = cond
        self._calls: list[ApiCall] = []

    def record(self, call: ApiCall) -> None:
        """Append a call and wake whoever waits for calls."""
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()

    def all(self) -> list[ApiCall]:
        """A snapshot of every call so far, faulted and failed ones included."""
        with self._cond:
            return list(self._calls)

    def to(self, method: str) -> list[ApiCall]:
        """The recorded calls to one method."""
        with self._cond:
            return [c for c in self._calls if c.method == method]

    def clear(self) -> None:
        """Forget the recorded calls."""
        with self._cond:
            self._calls.clear()

    def wait_for(self, method: str, count: int, timeout: float) -> list[ApiCall]:
        """Block until at least `count` calls to `method` arrived; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self._calls if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = ", ".join(f"{c.method}({'ok' if c.ok else c.error})" for c in self._calls[-20:])
                    raise AssertionError(
                        f"expected {count} call(s) to {method} within {timeout}s, got {len(found)}; "
                        f"last calls: [{seen}]"
                    )
                self._cond.wait(left)
