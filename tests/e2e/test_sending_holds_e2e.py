"""Slack refuses the bot (a revoked token, a missing scope, an uninstall): sending waits, nothing is lost or doubled.

The app runs as in production (HTTP mode, real Bolt app, real database, real WebClient against the simulator); the
jobs are then called at a chosen `now` a day ahead, where the background scheduler (on the real clock) cannot
reach, so time is an input and nothing sleeps.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.app import build_runtime
from bot.services.followups import queue_reminders
from bot.services.outbox import send_outbox
from tests.e2e.conftest import BOT_TOKEN, RunningApp, eventually, settings_for
from tests.e2e.reminders import outbox_states, reminded_followups, seed_due_followups

HOLDS_LOG = "bot.services.sending_holds"


def _get(app: RunningApp, path: str) -> tuple[int, str]:
    with urllib.request.urlopen(f"{app.url}{path}", timeout=10) as response:
        return response.status, response.read().decode()


def _health(app: RunningApp) -> dict[str, Any]:
    status, body = _get(app, "/healthz")
    assert status == 200  # the process is healthy: a hold is reported, not failed
    answer = json.loads(body)
    assert isinstance(answer, dict)
    return answer


def _hold_gauges(app: RunningApp) -> list[str]:
    return [line for line in _get(app, "/metrics")[1].splitlines() if line.startswith("rapport_sending_on_hold{")]


def _send(app: RunningApp, now: datetime) -> int:
    return send_outbox(app.runtime.deps, client=app.runtime.client, now=now, worker="e2e").sent


def _hold_logs(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == HOLDS_LOG and r.levelno == level]


def test_a_token_refused_for_a_minute_holds_the_reminder_and_sends_it_once_after(
    http_app: RunningApp, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    app, deps = http_app, http_app.runtime.deps
    due = deps.clock() + timedelta(days=1)
    [followup] = seed_due_followups(database_url, ["U0LEE"], 1, due_at=due)
    refused_at = due + timedelta(seconds=5)
    app.sim.refuse_token("token_revoked")  # rotated on a Monday morning
    assert queue_reminders(deps, now=refused_at) == 1

    now = refused_at
    while now < refused_at + timedelta(minutes=1):
        assert _send(app, now) == 0
        assert outbox_states(database_url) == {"pending": 1}  # waiting, never failed
        now += timedelta(seconds=10)
    posts = app.sim.calls_to("chat.postMessage")
    assert [(c.ok, c.error) for c in posts] == [(False, "token_revoked")]  # tried once, then held: no call per pass
    assert all(c.error == "token_revoked" for c in app.sim.calls_to("auth.test")[-2:])  # asked again, not posted

    health = _health(app)
    assert health["sending"] == "on hold"
    [hold] = health["holds"]
    assert (hold["team"], hold["method"], hold["reason"]) == ("T0SIM0001", "*", "token_revoked")
    assert "SLACK_BOT_TOKEN" in hold["what_to_do"] and "Nothing is lost" in hold["what_to_do"]
    [gauge] = _hold_gauges(app)
    assert 'team="T0SIM0001"' in gauge and 'reason="token_revoked"' in gauge and gauge.endswith(" 1.0")
    [logged] = _hold_logs(caplog, logging.ERROR)  # once per hold, with what to do
    assert "token_revoked" in logged and "SLACK_BOT_TOKEN" in logged
    assert not any(BOT_TOKEN in r.getMessage() for r in caplog.records)

    app.sim.accept_token()  # the new token is in place
    accepted_at = now
    sent = 0
    while sent == 0:
        sent = _send(app, now)
        now += timedelta(seconds=10)
        assert now - accepted_at <= timedelta(minutes=5)  # the back-off never waits longer than 5 minutes
    for _ in range(6):
        assert _send(app, now) == 0
        now += timedelta(seconds=10)
    assert reminded_followups(app.sim) == {followup: 1}
    assert len(app.sim.dm_messages("U0LEE")) == 1
    assert outbox_states(database_url) == {"sent": 1}
    assert _health(app)["sending"] == "ok" and _hold_gauges(app) == []
    assert len(_hold_logs(caplog, logging.ERROR)) == 1
    assert any("resumed" in m for m in _hold_logs(caplog, logging.WARNING))


def test_a_restart_sends_at_once_what_a_hold_kept(http_app: RunningApp, database_url: str) -> None:
    app, deps = http_app, http_app.runtime.deps
    due = deps.clock() + timedelta(days=1)
    [followup] = seed_due_followups(database_url, ["U0DANA"], 1, due_at=due)
    now = due + timedelta(seconds=5)
    assert queue_reminders(deps, now=now) == 1
    app.sim.refuse_token("invalid_auth")
    assert _send(app, now) == 0
    app.sim.accept_token()
    assert _send(app, now + timedelta(seconds=1)) == 0  # the back-off has not passed yet

    restarted = build_runtime(settings_for(app.sim, database_url, socket_mode=False))  # `rapport run` again
    try:
        assert send_outbox(restarted.deps, client=restarted.client, now=now + timedelta(seconds=2), worker="b").sent
    finally:
        restarted.close()
    assert reminded_followups(app.sim) == {followup: 1}


def test_a_missing_scope_is_named_and_holds_only_what_needs_it(
    http_app: RunningApp, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    app, deps = http_app, http_app.runtime.deps
    granted = app.sim.bot_scopes
    app.sim.bot_scopes = [s for s in granted if s != "chat:write"]
    due = deps.clock() + timedelta(days=1)
    [followup] = seed_due_followups(database_url, ["U0KIRI"], 1, due_at=due)
    now = due + timedelta(seconds=5)
    assert queue_reminders(deps, now=now) == 1
    assert _send(app, now) == 0
    assert outbox_states(database_url) == {"pending": 1}

    [hold] = _health(app)["holds"]
    assert (hold["method"], hold["reason"], hold["needed"]) == ("chat.postMessage", "missing_scope", "chat:write")
    assert "`chat:write`" in hold["what_to_do"] and "reinstall" in hold["what_to_do"]
    [gauge] = _hold_gauges(app)
    assert 'needed="chat:write"' in gauge and 'method="chat.postMessage"' in gauge
    [logged] = _hold_logs(caplog, logging.ERROR)
    assert "`chat:write`" in logged

    # A Home tab needs no chat:write: it is not held.
    app.sim.send_event({"type": "app_home_opened", "user": "U0KIRI", "tab": "home", "channel": "D0KIRI"})
    _send(app, now + timedelta(seconds=1))  # (or the app's own sender, on the real clock, got there first)
    eventually(lambda: app.sim.home_view("U0KIRI"))
    assert reminded_followups(app.sim) == {}

    app.sim.bot_scopes = granted  # reinstalled with the scope
    now += timedelta(seconds=35)  # the first back-off: Slack is asked again 30 s after the hold began
    assert _send(app, now) == 1
    assert reminded_followups(app.sim) == {followup: 1}
    assert _health(app)["sending"] == "ok"


@pytest.mark.parametrize(
    "event",
    [
        {"type": "app_uninstalled"},
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}},
    ],
    ids=["app_uninstalled", "tokens_revoked"],
)
def test_an_uninstall_or_revoked_bot_token_stops_sending_at_once(
    http_app: RunningApp, database_url: str, caplog: pytest.LogCaptureFixture, event: dict[str, Any]
) -> None:
    caplog.set_level(logging.INFO)
    app, deps = http_app, http_app.runtime.deps
    assert app.sim.send_event(event).status == 200
    app.sim.refuse_token("token_revoked")  # what Slack does to the token along with the event
    due = deps.clock() + timedelta(days=1)
    [followup] = seed_due_followups(database_url, ["U0LEE"], 1, due_at=due)
    now = due + timedelta(seconds=5)
    assert queue_reminders(deps, now=now) == 1
    for _ in range(3):
        assert _send(app, now) == 0
        now += timedelta(seconds=10)
    assert app.sim.calls_to("chat.postMessage") == []  # stopped before anything was even tried
    assert outbox_states(database_url) == {"pending": 1}  # kept, not cancelled
    [hold] = _health(app)["holds"]
    assert hold["reason"] == event["type"]
    [logged] = _hold_logs(caplog, logging.WARNING)  # someone's decision, not a failure
    assert event["type"] in logged and "Reinstall" in logged

    app.sim.accept_token()  # reinstalled
    now += timedelta(minutes=5)
    assert _send(app, now) == 1
    assert reminded_followups(app.sim) == {followup: 1}


def test_user_tokens_revoked_do_not_stop_the_bot(http_app: RunningApp) -> None:
    event = {"type": "tokens_revoked", "tokens": {"oauth": ["U0DANA"], "bot": []}}
    assert http_app.sim.send_event(event).status == 200
    assert _health(http_app)["sending"] == "ok"
