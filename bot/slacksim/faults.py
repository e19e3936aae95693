"""Faults the simulator injects into Web API answers: failures, slow answers and Slack's rate limits."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from bot.slacksim.ratelimit import BUILTIN_TIERS, RateLimiter, load_tiers
from bot.slacksim.state import JsonDict

# An HTTP answer: status, JSON body and extra headers.
Answer = tuple[int, JsonDict, dict[str, str]]


@dataclass
class _Fault:
    status: int
    retry_after: int | None
    error: str | None
    remaining: int


class Faults:
    """The pending failures, delays and rate limits; guarded by the simulator's lock."""

    def __init__(self, cond: threading.Condition) -> None:
        self._cond = cond
        self._faults: dict[str, list[_Fault]] = {}
        self._delays: dict[str, float] = {}
        self._limiter: RateLimiter | None = None

    def fail_next(self, method: str, *, status: int, times: int, retry_after: int | None, error: str | None) -> None:
        """Make the next `times` calls to `method` ("*" = any method) fail with this status/error."""
        with self._cond:
            self._faults.setdefault(method, []).append(_Fault(status, retry_after, error, times))

    def clear_faults(self, method: str | None = None) -> None:
        """Drop the pending faults of one method (or of every method): the outage is over."""
        with self._cond:
            if method is None:
                self._faults.clear()
            else:
                self._faults.pop(method, None)

    def set_delay(self, method: str, seconds: float) -> None:
        """Answer `method` ("*" = any method) only after `seconds` (0 clears)."""
        with self._cond:
            if seconds > 0:
                self._delays[method] = seconds
            else:
                self._delays.pop(method, None)

    def delay_for(self, method: str) -> float:
        """How long to wait before answering `method` (0 when it is not slowed down)."""
        return self._delays.get(method, self._delays.get("*", 0.0))

    def enforce_rate_limits(
        self, enabled: bool, *, tiers_path: str | Path | None, post_message_workspace_per_minute: int | None
    ) -> None:
        """Turn Slack's per-method rate limits on (fresh windows) or off."""
        with self._cond:
            if not enabled:
                self._limiter = None
                return
            tiers = load_tiers(tiers_path) if tiers_path is not None else dict(BUILTIN_TIERS)
            self._limiter = RateLimiter(tiers, post_message_workspace_per_minute)

    def injected_answer(self, method: str) -> Answer | None:
        """Use up the next pending fault for `method` (or for "*") and return the failure to answer with."""
        fault = self._take_fault(method)
        if fault is None:
            return None
        if fault.status == 429:
            retry = fault.retry_after if fault.retry_after is not None else 1
            return 429, {"ok": False, "error": fault.error or "ratelimited"}, {"Retry-After": str(retry)}
        if fault.status >= 300:
            return fault.status, {"ok": False, "error": fault.error or "internal_error"}, {}
        return fault.status, {"ok": False, "error": fault.error or "fatal_error"}, {}

    @property
    def limits_rates(self) -> bool:
        """Whether rate limits are enforced."""
        return self._limiter is not None

    def rate_limited_answer(self, method: str, now: float, channel_key: str | None) -> Answer | None:
        """Count the call against its rate limit and return Slack's 429 when it is over the limit."""
        if self._limiter is None:
            return None
        wait = self._limiter.check(method, now, channel_key)
        if wait is None:
            return None
        return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(wait)}

    def _take_fault(self, method: str) -> _Fault | None:
        for key in (method, "*"):
            queue = self._faults.get(key)
            if queue:
                fault = queue[0]
                fault.remaining -= 1
                if fault.remaining <= 0:
                    queue.pop(0)
                return fault
        return None
