"""Delivering outbox rows: claim, call Slack, record the result; 429s waited out, 5xx retried, errors kept."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.db import queries
from bot.services.deps import Deps

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_BACKOFF = timedelta(minutes=5)
# Errors that mean Slack is briefly unwell, not that the call is wrong.
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout", "timeout"}
)
# About four hours of backoff: long enough to ride out an outage, short of retrying for ever.
MAX_ATTEMPTS = 60


def worker_name() -> str:
    """A name for this sender that stays unique across processes and hosts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class SendReport:
    """What one pass of the sender did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    rate_limited_until: datetime | None = None
    errors: list[str] = field(default_factory=list)


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=2 ** min(attempts, 10)), MAX_BACKOFF)


def _retry_after(error: SlackApiError) -> int:
    headers = error.response.headers or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            values = value if isinstance(value, list) else [value]
            try:
                return max(1, int(float(values[0])))
            except (TypeError, ValueError, IndexError):
                return 1
    return 1


def _call(client: WebClient, method: str, payload: dict[str, Any]) -> dict[str, Any]:
    response = client.api_call(method, json=payload)
    return dict(response.data) if isinstance(response.data, dict) else {}


def deliver_due(deps: Deps, *, client: WebClient, now: datetime, worker: str, limit: int = 50) -> SendReport:
    """Send the outbox rows due at `now` that this worker can claim; safe in many processes at once."""
    report = SendReport()
    with deps.session_factory.begin() as session:
        ids = queries.claim_outbox(session, now=now, worker=worker, lease_until=now + LEASE, limit=limit)
    for position, row_id in enumerate(ids):
        with deps.session_factory.begin() as session:
            row = queries.outbox_row(session, row_id=row_id)
            if row is None:
                continue
            method, payload, attempts = row.method, dict(row.payload), row.attempts
            dependency = queries.outbox_row(session, row_id=row.depends_on_id) if row.depends_on_id else None
        if dependency is not None:
            if dependency.state != "sent" or not dependency.result_ts:
                _finish(deps, row_id, worker, report, state="failed", last_error="dependency_failed")
                continue
            payload["channel"], payload["ts"] = dependency.result_channel, dependency.result_ts
        try:
            data = _call(client, method, payload)
        except SlackApiError as error:
            status = error.response.status_code
            code = str(error.response.get("error", "")) if isinstance(error.response.data, dict) else ""
            if status == 429 or code == "ratelimited":
                wait = timedelta(seconds=_retry_after(error))
                report.rate_limited_until = now + wait
                # One 429 speaks for the method: put this row and the rest of the batch back until it passes.
                for later in ids[position:]:
                    _finish(deps, later, worker, report, state="pending", not_before=now + wait,
                            last_error="ratelimited", retried=True)  # fmt: skip
                break
            if status >= 500 or code in TRANSIENT_ERRORS:
                _retry_or_fail(deps, row_id, worker, report, attempts, now, f"http_{status}" if status >= 500 else code)
            else:
                log.warning("outbox row %s (%s) failed permanently: %s", row_id, method, code or status)
                _finish(deps, row_id, worker, report, state="failed", last_error=code or f"http_{status}")
            continue
        except (URLError, TimeoutError, ConnectionError, OSError, ValueError) as error:
            _retry_or_fail(deps, row_id, worker, report, attempts, now, type(error).__name__)
            continue
        _finish(
            deps, row_id, worker, report, state="sent", sent_at=deps.clock(), last_error=None,
            result_channel=str(data.get("channel") or payload.get("channel") or ""),
            result_ts=str(data.get("ts") or data.get("message_ts") or payload.get("ts") or "") or None,
        )  # fmt: skip
    return report


def _retry_or_fail(
    deps: Deps, row_id: int, worker: str, report: SendReport, attempts: int, now: datetime, reason: str
) -> None:
    if attempts >= MAX_ATTEMPTS:
        _finish(deps, row_id, worker, report, state="failed", last_error=f"gave up: {reason}")
    else:
        _finish(deps, row_id, worker, report, state="pending", not_before=now + _backoff(attempts),
                last_error=reason, retried=True)  # fmt: skip


def _finish(
    deps: Deps, row_id: int, worker: str, report: SendReport, *, state: str, retried: bool = False, **values: Any
) -> None:
    with deps.session_factory.begin() as session:
        if not queries.finish_outbox(session, row_id=row_id, worker=worker, state=state, **values):
            return  # our claim lapsed and another sender took the row over
    if state == "sent":
        report.sent += 1
    elif state == "failed":
        report.failed += 1
    elif retried:
        report.retried += 1
