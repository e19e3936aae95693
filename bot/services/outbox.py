"""Delivering outbox rows: claim, call Slack, record the result; 429s waited out, 5xx retried, errors kept.

Every row is sent with its own workspace's bot token (runtime.clients). Slack's limits are learned from its answers
(see runtime.pacing): a 429 on a channel this process just posted to paces that channel at one message a second and
the sender moves on to other channels; any other 429 holds every send of that workspace until Retry-After passes,
while the other workspaces' rows go on. A 5xx or timeout backs that row off and ends the pass, so an
outage costs one call per pass rather than one per row.

A refused token or a missing scope is no reason to fail a row: it puts the workspace's sending (or that method's)
on hold, and the rows wait, pending, until Slack accepts the bot again (see services.sending_holds). A row Slack
refuses for good may be rescued by its capability (a shout-out whose channel was archived goes to its source
thread); otherwise it fails with Slack's error code.
"""

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
from sqlalchemy.orm import Session

from bot.db.models import OutboxMessage
from bot.db.queries import outbox as outbox_rows
from bot.runtime.clients import Clients, client_for
from bot.runtime.deps import Deps
from bot.services import sending_holds
from bot.services.sending_holds import AUTH_ERRORS, EVERY_METHOD

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_BACKOFF = timedelta(minutes=5)
# Errors that mean Slack is briefly unwell, not that the call is wrong.
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout", "timeout"}
)
# About four hours of backoff: long enough to ride out an outage, short of retrying for ever.
MAX_ATTEMPTS = 60
# The outbox kind of a follow-up reminder, counted on time or late in /metrics.
REMINDER_KIND = "reminder"
# Rows put back by the pacer or a 429 carry this mark: they hold their place in the channel's queue.
PACED, RATELIMITED = "paced", "ratelimited"
# A workspace with no installation (no bot token to send with): its rows wait and are looked at again this much later.
NOT_INSTALLED, NOT_INSTALLED_WAIT = "not_installed", timedelta(minutes=5)


def worker_name() -> str:
    """A name for this sender that stays unique across processes and hosts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class SendReport:
    """What one pass of the sender did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0  # put back unsent: paced, rate limited on one channel, or released before the claim lapsed
    skipped: int = 0  # nothing to send any more (rendered at send time: withdrawn or superseded)
    rate_limited_until: datetime | None = None  # set when a 429 holds every send (of a workspace)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Claimed:
    id: int
    team_id: str
    kind: str
    not_before: datetime
    method: str
    payload: dict[str, Any]
    attempts: int
    holds_slot: bool
    dependency_failed: bool
    skip: bool = False  # nothing to send any more (e.g. a shout-out whose story was withdrawn)


@dataclass(frozen=True)
class _PutBack:
    id: int
    not_before: datetime
    reason: str | None  # None keeps the row's last error


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


def _pace_key(team_id: str, method: str, payload: dict[str, Any]) -> str:
    """chat.postMessage is limited per channel; every other method as a whole; each workspace on its own."""
    return f"{team_id}:{method}:{payload.get('channel', '')}" if method == "chat.postMessage" else f"{team_id}:{method}"


def _claim(deps: Deps, *, now: datetime, worker: str, limit: int, skip_teams: list[str]) -> list[_Claimed]:
    claimed: list[_Claimed] = []
    with deps.session_factory.begin() as session:
        ids = outbox_rows.claim_due(
            session, now=now, worker=worker, lease_until=now + LEASE, limit=limit, skip_teams=skip_teams
        )
        for row_id in ids:
            row = outbox_rows.claimed(session, row_id=row_id)
            if row is None:
                continue
            payload: dict[str, Any] | None = dict(row.payload)
            failed = False
            dependency = (
                outbox_rows.get(session, team_id=row.team_id, row_id=row.depends_on_id) if row.depends_on_id else None
            )
            render = deps.renderers.get(row.kind)
            if render is not None:
                # Rendered now, from what it shows as it is: a withdrawn or superseded message is skipped.
                failed = dependency is not None and dependency.state == "failed"
                skipped = dependency is not None and dependency.state == "skipped"
                payload = None if failed or skipped else render(session, row, dependency)
            elif dependency is not None:
                failed = dependency.state != "sent" or not dependency.result_ts
                assert payload is not None
                payload["channel"], payload["ts"] = dependency.result_channel, dependency.result_ts
            claimed.append(
                _Claimed(
                    id=row.id,
                    team_id=row.team_id,
                    kind=row.kind,
                    not_before=row.not_before,
                    method=row.method,
                    payload=payload or {},
                    attempts=row.attempts,
                    holds_slot=row.last_error in (PACED, RATELIMITED),
                    dependency_failed=failed,
                    skip=payload is None and not failed,
                )
            )
    return claimed


def deliver_due(deps: Deps, *, client: Clients, now: datetime, worker: str, limit: int = 50) -> SendReport:
    """Send the outbox rows due at `now` that this worker can claim, each with its workspace's client; safe in many
    processes at once. A workspace whose sending a 429 holds is not claimed: the others' rows go on."""
    report = SendReport()
    held = deps.pacing.held_teams(now)
    if held:
        report.rate_limited_until = min(held.values())
    sending_holds.probe_due_holds(deps, client, now=now)
    started = deps.clock()

    def moment() -> datetime:  # `now` moved on by the time this pass has taken
        return now + (deps.clock() - started)

    lease_until = now + LEASE
    # A call may take the client's whole timeout; one that could outlive our claim is not started.
    call_budget = timedelta(seconds=float(getattr(client, "timeout", 30) or 30))
    rows = _claim(deps, now=now, worker=worker, limit=limit, skip_teams=sorted(held))
    put_back: list[_PutBack] = []
    on_hold: dict[tuple[str, str], str] = {}  # (workspace, method or "*") held during this pass -> why
    try:
        for position, row in enumerate(rows):
            at = moment()
            if deps.stopping.is_set():  # shutting down: the call in hand is done, the rest go back to the queue
                put_back += [_PutBack(r.id, at, None) for r in rows[position:]]
                break
            hold = on_hold.get((row.team_id, EVERY_METHOD)) or on_hold.get((row.team_id, row.method))
            if hold is not None:
                put_back.append(_PutBack(row.id, row.not_before, hold))
                continue
            team_limited = deps.pacing.held_until(at, team_id=row.team_id)
            if team_limited is not None:  # a 429 earlier in this pass held the workspace
                put_back.append(_PutBack(row.id, team_limited, RATELIMITED))
                continue
            team_client = client_for(client, row.team_id)
            if team_client is None:
                put_back.append(_PutBack(row.id, at + NOT_INSTALLED_WAIT, NOT_INSTALLED))
                continue
            if row.dependency_failed:
                _finish(deps, row.id, worker, report, state="failed", last_error="dependency_failed")
                continue
            if row.skip:
                _finish(deps, row.id, worker, report, state="skipped")
                continue
            if at + call_budget >= lease_until:
                put_back += [_PutBack(r.id, at, None) for r in rows[position:]]
                break
            key = _pace_key(row.team_id, row.method, row.payload)
            slot = deps.pacing.slot_for(key, now=at, holds_slot=row.holds_slot)
            if slot is not None:
                put_back.append(_PutBack(row.id, slot, PACED))
                continue
            try:
                data = _call(team_client, row.method, row.payload)
            except SlackApiError as error:
                status = error.response.status_code
                code = str(error.response.get("error", "")) if isinstance(error.response.data, dict) else ""
                if status == 429 or code == "ratelimited":
                    wait = timedelta(seconds=_retry_after(error))
                    workspace, until = deps.pacing.rate_limited(key, team_id=row.team_id, now=moment(), wait=wait)
                    put_back.append(_PutBack(row.id, until, RATELIMITED))
                    if workspace:  # the workspace's other rows in this pass wait too (see above)
                        report.rate_limited_until = min(until, report.rate_limited_until or until)
                    continue
                if status >= 500 or code in TRANSIENT_ERRORS:
                    _retry_or_fail(deps, row, worker, report, now, f"http_{status}" if status >= 500 else code)
                    put_back += [_PutBack(r.id, at, None) for r in rows[position + 1 :]]
                    break
                held_by = _hold_for(deps, team_client, row, error, code, now=moment())
                if held_by is not None:
                    on_hold[held_by] = code
                    put_back.append(_PutBack(row.id, row.not_before, code))
                    continue
                if _rescued(deps, row, code, worker, now=moment()):
                    put_back.append(_PutBack(row.id, moment(), code))
                    continue
                log.warning("outbox row %s (%s) failed permanently: %s", row.id, row.method, code or status)
                _finish(deps, row.id, worker, report, state="failed", last_error=code or f"http_{status}")
                continue
            except (URLError, TimeoutError, ConnectionError, OSError, ValueError) as error:
                _retry_or_fail(deps, row, worker, report, now, type(error).__name__)
                put_back += [_PutBack(r.id, at, None) for r in rows[position + 1 :]]
                break
            deps.pacing.sent(key, at=moment())
            _count_reminder(deps, row, sent_at=moment())
            _finish(
                deps,
                row.id,
                worker,
                report,
                state="sent",
                sent_at=deps.clock(),
                last_error=None,
                result_channel=str(data.get("channel") or row.payload.get("channel") or ""),
                result_ts=str(data.get("ts") or data.get("message_ts") or row.payload.get("ts") or "") or None,
            )
    finally:
        _put_back(deps, worker, put_back, report)
    return report


def _hold_for(
    deps: Deps, client: WebClient, row: _Claimed, error: SlackApiError, code: str, *, now: datetime
) -> tuple[str, str] | None:
    """Put sending on hold if Slack refused the token or a scope; the (workspace, method) held, else None.

    An auth error is confirmed with auth.test first: Slack also answers `account_inactive` for a DM to a
    deactivated person, which must fail that row alone, not stop the workspace."""
    if code == "missing_scope":
        data = error.response.data if isinstance(error.response.data, dict) else {}
        needed = str(data.get("needed") or "")[:200] or None
        sending_holds.hold_sending(deps, team_id=row.team_id, method=row.method, reason=code, needed=needed, now=now)
        return row.team_id, row.method
    if code not in AUTH_ERRORS:
        return None
    check = sending_holds.check_token(client)
    if check.works:
        return None
    sending_holds.hold_sending(deps, team_id=row.team_id, method=EVERY_METHOD, reason=check.code or code, now=now)
    return row.team_id, EVERY_METHOD


def _rescued(deps: Deps, row: _Claimed, code: str, worker: str, *, now: datetime) -> bool:
    """Whether the row's capability sent it elsewhere (then it goes again at once) rather than let it fail."""
    rescue = deps.rescuers.get(row.kind)
    if rescue is None or not code:
        return False
    with deps.session_factory.begin() as session:
        claimed = outbox_rows.claimed(session, row_id=row.id)
        return claimed is not None and claimed.claimed_by == worker and rescue(session, claimed, code, now)


def send_outbox(deps: Deps, *, client: Clients, now: datetime, worker: str) -> SendReport:
    """Deliver every due outbox row this worker can claim, in batches, until none is left."""
    total = SendReport()
    while True:
        report = deliver_due(deps, client=client, now=now, worker=worker)
        total.sent += report.sent
        total.retried += report.retried
        total.failed += report.failed
        total.deferred += report.deferred
        total.skipped += report.skipped
        # Stop when Slack is unwell (a 5xx ended the pass) or nothing is left; a workspace held by a 429 is not
        # claimed by the next pass, so the others' rows go on.
        progress = report.sent + report.failed + report.deferred + report.skipped
        total.rate_limited_until = report.rate_limited_until or total.rate_limited_until
        if report.retried or progress == 0 or deps.stopping.is_set():
            return total
        now = deps.clock()


def release_claims(deps: Deps, *, worker: str, now: datetime) -> int:
    """Return every row this sender still holds to the queue, due at once (at shutdown; another sender takes them
    without waiting for the claim to lapse)."""
    with deps.session_factory.begin() as session:
        return outbox_rows.release_claims(session, worker=worker, now=now)


def _count_reminder(deps: Deps, row: _Claimed, *, sent_at: datetime) -> None:
    if row.kind == REMINDER_KIND:
        deps.observer.reminder_sent(late_by_seconds=(sent_at - row.not_before).total_seconds())


def _put_back(deps: Deps, worker: str, rows: list[_PutBack], report: SendReport) -> None:
    """Return unsent rows to the queue in one transaction; a put-back is not an attempt."""
    if not rows:
        return
    with deps.session_factory.begin() as session:
        for row in rows:
            if _release(session, row, worker):
                report.deferred += 1


def _release(session: Session, row: _PutBack, worker: str) -> bool:
    values: dict[str, Any] = {"state": "pending", "not_before": row.not_before, "attempts": OutboxMessage.attempts - 1}
    if row.reason is not None:
        values["last_error"] = row.reason
    return outbox_rows.finish_claimed(session, row_id=row.id, worker=worker, **values)


def _retry_or_fail(deps: Deps, row: _Claimed, worker: str, report: SendReport, now: datetime, reason: str) -> None:
    if row.attempts >= MAX_ATTEMPTS:
        _finish(deps, row.id, worker, report, state="failed", last_error=f"gave up: {reason}")
    else:
        _finish(
            deps,
            row.id,
            worker,
            report,
            state="pending",
            not_before=now + _backoff(row.attempts),
            last_error=reason,
            retried=True,
        )


def _finish(
    deps: Deps, row_id: int, worker: str, report: SendReport, *, state: str, retried: bool = False, **values: Any
) -> None:
    with deps.session_factory.begin() as session:
        if not outbox_rows.finish_claimed(session, row_id=row_id, worker=worker, state=state, **values):
            return  # our claim lapsed and another sender took the row over
    if state == "sent":
        report.sent += 1
    elif state == "skipped":
        report.skipped += 1
    elif state == "failed":
        report.failed += 1
    elif retried:
        report.retried += 1
