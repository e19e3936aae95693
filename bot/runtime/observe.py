"""What an operator sees of a running Rapport: its Prometheus metrics, whether Slack answers, and what every log line
of a request carries (its request id and workspace).

One `Observer` per process (in `Deps`): listeners, the sender and the HTTP surface record into it, and /metrics
reads it. Web API calls are counted by `MeasuredWebClient`, a WebClient whose every call (they all go through
`api_call`) is timed and recorded, which also tells /readyz whether Slack was reachable lately, without a call per
probe.
"""

from __future__ import annotations

import contextvars
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

# Acknowledgement latency buckets: Slack gives up after 3 seconds.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
# A reminder delivered more than this after it was queued (its due moment, to the 10-second reminder tick) is late.
REMINDER_LATE_SECONDS = 60.0
# What Slack answered last is trusted this long; after it, /readyz asks auth.test, at most once per interval.
SLACK_FRESH_SECONDS = 120.0
SLACK_PROBE_INTERVAL_SECONDS = 30.0
_LABEL = re.compile(r"^[A-Za-z][A-Za-z0-9_.]{0,63}$")

# The request a log line belongs to: {"request_id": …, "team_id": …}; empty outside requests.
_LOG_CONTEXT: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "rapport_log_context", default=None
)


def log_context() -> dict[str, str]:
    """The request id and workspace of the request this thread is handling (for the log formatter)."""
    return _LOG_CONTEXT.get() or {}


def start_request_log(*, request_id: str) -> contextvars.Token[dict[str, str] | None]:
    """From now on this thread's log lines carry this request id (and the workspace, once `name_workspace` knows
    it), until `end_request_log(token)`."""
    return _LOG_CONTEXT.set({"request_id": request_id})


def end_request_log(token: contextvars.Token[dict[str, str] | None]) -> None:
    """This thread's log lines no longer name the request `start_request_log` began."""
    _LOG_CONTEXT.reset(token)


@contextmanager
def logging_request(*, request_id: str) -> Iterator[None]:
    """Log lines written inside carry this request id (and the workspace, once `name_workspace` knows it)."""
    token = start_request_log(request_id=request_id)
    try:
        yield
    finally:
        end_request_log(token)


def name_workspace(team_id: str) -> None:
    """The workspace of the request being handled, for its log lines."""
    context = _LOG_CONTEXT.get()
    if context is not None and team_id:
        context["team_id"] = team_id


def label(value: str, *, default: str = "other") -> str:
    """A metric label from something a payload names: a short word of letters, digits, dots and underscores, else
    `default` (so that odd input cannot make series without end)."""
    return value if _is_label(value) else default


@lru_cache(maxsize=1024)
def _is_label(value: str) -> bool:
    return _LABEL.match(value) is not None


@dataclass
class SlackReachability:
    """Whether Slack answered lately: the outcome of the last Web API call, or of a cached probe when calls are
    rare. Times are monotonic seconds, passed in."""

    last_answer_at: float | None = None  # Slack answered (ok or not: an answer is reachability)
    last_failure_at: float | None = None  # the call never got an answer (connection error, 5xx)
    last_probe_at: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def answered(self, at: float) -> None:
        """Slack answered a call."""
        with self._lock:
            self.last_answer_at = at

    def failed(self, at: float) -> None:
        """A call got no answer from Slack."""
        with self._lock:
            self.last_failure_at = at

    def reachable(self, *, now: float, probe: Callable[[], object]) -> bool:
        """Whether Slack answered the last call; when nothing was heard for SLACK_FRESH_SECONDS, `probe()` (a cheap
        call that records its own outcome) runs first, at most once per SLACK_PROBE_INTERVAL_SECONDS."""
        with self._lock:
            heard = max(self.last_answer_at or -1e18, self.last_failure_at or -1e18)
            stale = now - heard > SLACK_FRESH_SECONDS
            due = self.last_probe_at is None or now - self.last_probe_at >= SLACK_PROBE_INTERVAL_SECONDS
            if stale and due:
                self.last_probe_at = now
        if stale and due:
            with suppress(Exception):  # the probe's client recorded the failure; readiness only reads it
                probe()
        with self._lock:
            if self.last_answer_at is None:
                return False
            return self.last_failure_at is None or self.last_answer_at >= self.last_failure_at


class Observer:
    """This process's metrics and Slack reachability."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.slack = SlackReachability()
        self.events = Counter(
            "rapport_events",
            "Requests from Slack by type (event type, command, block_actions…) and outcome",
            ["type", "outcome"],
            registry=self.registry,
        )
        self.ack_latency = Histogram(
            "rapport_ack_latency_seconds",
            "Time from receiving a request from Slack to its acknowledgement",
            ["kind"],
            registry=self.registry,
            buckets=ACK_BUCKETS,
        )
        self.api_calls = Counter(
            "rapport_slack_api_calls",
            "Web API calls by method and outcome",
            ["method", "outcome"],
            registry=self.registry,
        )
        self.api_errors = Counter(
            "rapport_slack_api_errors",
            "Web API calls that failed, by method and error",
            ["method", "error"],
            registry=self.registry,
        )
        self.api_in_flight = Gauge(
            "rapport_slack_api_calls_in_flight",
            "Web API calls waiting for Slack's answer",
            ["method"],
            registry=self.registry,
        )
        self.reminders = Counter(
            "rapport_reminders_sent",
            f"Reminders delivered, on time or late (more than {REMINDER_LATE_SECONDS:g} s after they were due)",
            ["timing"],
            registry=self.registry,
        )
        self._in_flight = 0
        self._in_flight_cv = threading.Condition()
        # The labelled series of each request's count and latency, looked up once (labels() takes a lock each time).
        self._request_series: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def request_started(self) -> None:
        """A request from Slack is in flight (`request_finished` ends it)."""
        with self._in_flight_cv:
            self._in_flight += 1

    def request_finished(self, *, what: str, kind: str, outcome: str, seconds: float) -> None:
        """Count a request from Slack by type and outcome, time its acknowledgement, and end it being in flight."""
        series = self._request_series.get((what, kind, outcome))
        if series is None:  # a race only looks the same series up twice
            series = self.events.labels(what, outcome), self.ack_latency.labels(kind)
            self._request_series[(what, kind, outcome)] = series
        series[0].inc()
        series[1].observe(seconds)
        with self._in_flight_cv:
            self._in_flight -= 1
            self._in_flight_cv.notify_all()

    def record_call(self, method: str, *, outcome: str, error: str = "") -> None:
        """Count one Web API call (outcome "ok" or "error") and its error."""
        name = label(method)
        self.api_calls.labels(name, outcome).inc()
        if outcome != "ok":
            self.api_errors.labels(name, label(error, default="other")).inc()

    def api_calls_started(self, method: str) -> int:
        """How many calls to `method` are waiting for Slack's answer now."""
        return int(self.api_in_flight.labels(label(method))._value.get())

    @property
    def in_flight(self) -> int:
        """How many requests from Slack are being handled now."""
        with self._in_flight_cv:
            return self._in_flight

    def reminder_sent(self, *, late_by_seconds: float) -> None:
        """Count a delivered reminder as on time or late."""
        self.reminders.labels("late" if late_by_seconds > REMINDER_LATE_SECONDS else "on_time").inc()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no request from Slack is in flight (at most `timeout` seconds); whether none is."""
        with self._in_flight_cv:
            return self._in_flight_cv.wait_for(lambda: self._in_flight == 0, timeout=timeout)


class MeasuredWebClient(WebClient):
    """A WebClient that records every call's outcome in an Observer (set as `observer`)."""

    observer: Observer | None = None

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:  # type: ignore[override]
        """Make the call; count it, and note whether Slack answered."""
        observer = self.observer
        if observer is None:
            return super().api_call(api_method, **kwargs)
        with observer.api_in_flight.labels(label(api_method)).track_inprogress():
            return self._recorded_call(observer, api_method, **kwargs)

    def _recorded_call(self, observer: Observer, api_method: str, **kwargs: Any) -> SlackResponse:
        try:
            response = super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            status = error.response.status_code
            code = str(error.response.get("error", "")) if isinstance(error.response.data, dict) else ""
            (observer.slack.failed if status >= 500 else observer.slack.answered)(time.monotonic())
            observer.record_call(api_method, outcome="error", error=code or f"http_{status}")
            raise
        except Exception as error:
            observer.slack.failed(time.monotonic())
            observer.record_call(api_method, outcome="error", error=type(error).__name__.lower())
            raise
        observer.slack.answered(time.monotonic())
        observer.record_call(api_method, outcome="ok")
        return response


def measured(client: WebClient, observer: Observer) -> WebClient:
    """The same client, its calls recorded from now on (Bolt builds a plain WebClient for each request)."""
    if type(client) is WebClient:
        client.__class__ = MeasuredWebClient
    if isinstance(client, MeasuredWebClient):
        client.observer = observer
    return client
