"""What Slack (or an attacker) can throw at the HTTP endpoint, and storage failing under an event."""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from bot.db.models import Channel, Customer, Mention, OutboxMessage
from tests.conftest import SLACK_FIXTURES
from tests.e2e.conftest import RunningApp, eventually

PAYLOADS = sorted((SLACK_FIXTURES / "payloads").rglob("*.json"))


def message_event(ts: str, text_: str) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": "C0SUPPORT",
        "channel_type": "channel",
        "user": "U0DANA",
        "text": text_,
        "ts": ts,
        "event_ts": ts,
        "team": "T0SIM0001",
    }


def envelope(event: dict[str, Any], event_id: str) -> bytes:
    return json.dumps(
        {
            "token": "x",
            "team_id": "T0SIM0001",
            "api_app_id": "A0RAPPORT",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
        }
    ).encode()


def counts(app: RunningApp) -> dict[str, int]:
    with app.runtime.deps.session_factory.begin() as session:
        return {
            m.__name__: int(session.scalar(select(func.count()).select_from(m)) or 0)
            for m in (Mention, Customer, OutboxMessage)
        }


def test_bad_signature_stale_timestamp_and_malformed_bodies(http_app: RunningApp) -> None:
    sim = http_app.sim
    http_app.command("add Acme Corp")
    body = envelope(message_event("1764000000.000100", "Acme Corp called"), "Ev0SIG")
    assert sim.send_raw(body, headers={"X-Slack-Signature": "v0=" + "0" * 64}).status == 401
    assert sim.send_raw(body, sign=False).status == 401
    assert sim.send_raw(body, timestamp=int(time.time()) - 600).status == 401
    for malformed in (
        b"{not json",
        b"",
        b"[]",
        b'{"type": "event_callback"}',
        b'{"type": "event_callback", "event": 7}',
    ):
        status = sim.send_raw(malformed).status
        assert 400 <= status < 500 or status == 200, (malformed, status)
        assert status < 500
    assert counts(http_app)["Mention"] == 0
    assert sim.send_raw(body).status == 200  # the same body, properly signed, is accepted
    assert counts(http_app)["Mention"] == 1


def test_healthz_and_metrics(http_app: RunningApp) -> None:
    with urllib.request.urlopen(f"{http_app.url}/healthz") as response:
        assert response.status == 200 and json.load(response) == {"ok": True, "database": "ok", "sending": "ok"}
    with urllib.request.urlopen(f"{http_app.url}/metrics") as response:
        metrics = response.read().decode()
    assert "rapport_http_requests_total" in metrics and "rapport_outbox_rows" in metrics


def test_url_verification_challenge(http_app: RunningApp) -> None:
    body = json.dumps({"token": "x", "challenge": "c-123", "type": "url_verification"}).encode()
    delivery = http_app.sim.send_raw(body)
    assert delivery.status == 200 and "c-123" in json.dumps(delivery.body)


def _rename(app: RunningApp, old: str, new: str) -> None:
    with app.runtime.engine.begin() as connection:
        connection.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))


def test_storage_failure_gets_an_error_and_the_retry_stores_once(
    running_app: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    app, sim = running_app, running_app.sim
    app.command("add Acme Corp")
    event = message_event(sim.seed_message("U0DANA", "C0SUPPORT", "Acme Corp called"), "Acme Corp called")
    sim.ack_timeout = 1.0
    _rename(app, "mentions", "mentions_away")
    with caplog.at_level(logging.ERROR):
        failed = sim.send_event(event, event_id="Ev0STORE")
        # The app fails on its own time: a slow machine may answer after the simulator stopped waiting, so the
        # table comes back only once the failure was logged (else the late attempt could find it and succeed).
        eventually(lambda: any(record.levelno >= logging.ERROR for record in caplog.records))
    # HTTP: a 5xx so Slack retries. Socket Mode: no acknowledgement, which Slack also retries.
    assert failed.status >= 500 if app.transport == "http" else failed.status == 0
    _rename(app, "mentions_away", "mentions")
    assert app.mention_count() == 0
    retried = sim.send_event(event, event_id="Ev0STORE", retry_num=1, retry_reason="http_error")
    assert retried.status == 200
    assert app.mention_count() == 1
    assert sim.send_event(event, event_id="Ev0STORE", retry_num=2).status == 200
    assert app.mention_count() == 1


def _published(path: Path) -> tuple[bytes, str]:
    data = json.loads(path.read_text())
    if "slash-commands" in path.parts:
        return urllib.parse.urlencode(
            {k: str(v) for k, v in data.items()}
        ).encode(), "application/x-www-form-urlencoded"
    if "app-backend" in path.parts:
        return urllib.parse.urlencode({"payload": json.dumps(data)}).encode(), "application/x-www-form-urlencoded"
    return json.dumps(data).encode(), "application/json"


def _filled(data: dict[str, Any]) -> dict[str, Any]:
    """The same blank shape, but routed to our workspace so the listeners really run on it."""
    data = json.loads(json.dumps(data))
    if "event" in data:
        data.update(type="event_callback", team_id="T0SIM0001", event_id=f"Ev0FILL{abs(hash(json.dumps(data)))}")
    else:
        data["team_id"] = "T0SIM0001"
        if isinstance(data.get("team"), dict):
            data["team"]["id"] = "T0SIM0001"
    return data


@pytest.mark.usefixtures("no_errors_logged")
def test_every_published_payload_replayed_signed(http_app: RunningApp) -> None:
    assert len(PAYLOADS) > 100, f"expected Slack's payload samples at {SLACK_FIXTURES}"
    sim = http_app.sim
    for path in PAYLOADS:
        body, content_type = _published(path)
        for variant in (body, None):
            if variant is None:
                data = json.loads(path.read_text())
                filled = _filled(data)
                if "slash-commands" in path.parts:
                    variant = urllib.parse.urlencode({k: str(v) for k, v in filled.items()}).encode()
                elif "app-backend" in path.parts:
                    variant = urllib.parse.urlencode({"payload": json.dumps(filled)}).encode()
                else:
                    variant = json.dumps(filled).encode()
            status = sim.send_raw(variant, content_type=content_type).status
            assert status < 500, (path.name, status)
    assert counts(http_app) == {"Mention": 0, "Customer": 0, "OutboxMessage": 0}
    with http_app.runtime.deps.session_factory.begin() as session:
        assert session.scalar(select(func.count()).select_from(Channel).where(Channel.is_watched)) == 0
