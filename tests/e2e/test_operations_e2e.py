"""Running it like production: /readyz, stopping gracefully, /metrics and the JSON logs, through the simulator."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text, update

from bot.app import build_runtime
from bot.db import migrate
from bot.db.models import OutboxMessage
from bot.db.queries import outbox as outbox_rows
from bot.services import followups, outbox
from bot.slacksim import SlackSimulator
from bot.transports import HttpServer
from tests.conftest import PROJECT_ROOT, TEAM, FakeClock
from tests.e2e.conftest import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, RunningApp, eventually, settings_for
from tests.e2e.reminders import seed_due_followups
from tests.e2e.test_cli import RAPPORT, clean_environ, free_port, slack_env


def get(url: str) -> tuple[int, dict[str, Any]]:
    """GET a JSON probe: (status, body), 5xx included."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """/metrics as {(sample name, sorted labels): value}."""
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:
        text = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(metrics: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    """One series' value; 0 when it does not exist."""
    return metrics.get((name, tuple(sorted(labels.items()))), 0.0)


# --- /readyz -------------------------------------------------------------------------------------------------


def test_readyz_is_ready_then_not_once_shutting_down(http_app: RunningApp) -> None:
    assert get(f"{http_app.url}/readyz") == (
        200,
        {"ok": True, "database": "ok", "slack": "ok", "shutdown": "ok", "failed": []},
    )
    assert get(f"{http_app.url}/healthz")[0] == 200
    http_app.runtime.begin_shutdown()
    status, body = get(f"{http_app.url}/readyz")
    assert status == 503 and body["failed"] == ["shutdown"] and body["shutdown"] == "shutting down"
    assert get(f"{http_app.url}/healthz")[0] == 200  # alive all the same: in-flight work still finishes


def test_readyz_says_when_the_schema_is_behind_this_rapport(http_app: RunningApp) -> None:
    engine = http_app.runtime.engine
    head = migrate.head_revision(engine)
    migrate.downgrade(engine, "-1")
    try:
        status, body = get(f"{http_app.url}/readyz")
        assert status == 503 and body["failed"] == ["database"]
        assert body["database"] == f"at {migrate.current_revision(engine)}, needs {head}"
    finally:
        migrate.upgrade(engine)
    assert get(f"{http_app.url}/readyz")[0] == 200
    # A newer Rapport migrated the database during a rolling upgrade: this older one still serves.
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    try:
        assert get(f"{http_app.url}/readyz")[0] == 200
    finally:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})


def test_readyz_says_when_slack_stopped_answering(http_app: RunningApp) -> None:
    sim = http_app.sim
    http_app.command("add Acme Corp")
    sim.fail_next("chat.postMessage", status=503, times=1000)
    sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA")  # the intro goes out through the sender
    status, body = eventually(lambda: (r := get(f"{http_app.url}/readyz"))[0] == 503 and r)
    assert body["failed"] == ["slack"] and body["slack"] == "unreachable"
    sim.clear_faults()
    eventually(lambda: get(f"{http_app.url}/readyz")[0] == 200, timeout=20)  # the sender's retry got through


# --- stopping --------------------------------------------------------------------------------------------------


def test_stopping_finishes_the_request_in_hand_and_accepts_no_more(sim: SlackSimulator, database_url: str) -> None:
    runtime = build_runtime(settings_for(sim, database_url, socket_mode=False))
    server = HttpServer(runtime, host="127.0.0.1", port=0)
    server.start_in_thread()
    sim.deliver_http_to(f"{server.url}/slack/events")
    try:
        sim.set_delay("users.info", 1.0)  # the command waits on Slack for who Dana is
        replies: list[Any] = []
        typing = threading.Thread(
            target=lambda: replies.append(sim.slash_command("U0DANA", "C0SUPPORT", "/customer", "add Acme Corp"))
        )
        typing.start()
        eventually(lambda: runtime.deps.observer.in_flight == 1)
        runtime.begin_shutdown()
        server.close()
        typing.join(timeout=10)
        assert replies and replies[0].status == 200 and "Acme Corp" in json.dumps(replies[0].body)
        with pytest.raises(OSError):
            urllib.request.urlopen(f"{server.url}/healthz", timeout=2)
    finally:
        server.close()
        runtime.close()


def test_stopping_sender_finishes_the_call_in_hand_and_gives_back_the_rest(
    sim: SlackSimulator, database_url: str
) -> None:
    clock = FakeClock()
    ids = seed_due_followups(database_url, ["U0DANA"], 4, due_at=clock.now - timedelta(minutes=1))
    runtime = build_runtime(settings_for(sim, database_url, socket_mode=False), clock=clock)
    try:
        assert followups.queue_reminders(runtime.deps, now=clock.now) == len(ids)
        sim.set_delay("chat.postMessage", 1.0)
        passes: list[outbox.SendReport] = []
        sending = threading.Thread(
            target=lambda: passes.append(
                outbox.send_outbox(runtime.deps, client=runtime.client, now=clock.now, worker=runtime.worker)
            )
        )
        sending.start()
        eventually(lambda: runtime.deps.observer.api_calls_started("chat.postMessage") == 1)
        runtime.begin_shutdown()
        sending.join(timeout=10)
        assert passes[0].sent == 1 and passes[0].deferred == len(ids) - 1
        assert len([c for c in sim.calls_to("chat.postMessage") if c.ok]) == 1
        with runtime.deps.session_factory.begin() as session:
            # A row still claimed (its sender died mid-pass) goes back too when the process closes.
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.state == "pending")
                .values(
                    state="sending",
                    claimed_by=runtime.worker,
                    claimed_until=clock.now + timedelta(minutes=1),
                    attempts=OutboxMessage.attempts + 1,
                )
            )
    finally:
        runtime.close()
    with runtime.deps.session_factory.begin() as session:
        rows = session.query(OutboxMessage).order_by(OutboxMessage.id).all()
        assert [r.state for r in rows].count("sent") == 1
        assert all(r.state == "pending" and r.claimed_by is None and r.attempts == 0 for r in rows if r.state != "sent")


# --- /metrics ---------------------------------------------------------------------------------------------------


@pytest.fixture
def quiet_app(sim: SlackSimulator, database_url: str) -> Iterator[RunningApp]:
    """Rapport in HTTP mode on a FakeClock, with its jobs not started: what listeners queue waits in the outbox."""
    runtime = build_runtime(settings_for(sim, database_url, socket_mode=False), clock=FakeClock())
    server = HttpServer(runtime, host="127.0.0.1", port=0)
    server.start_in_thread()
    sim.deliver_http_to(f"{server.url}/slack/events")
    try:
        yield RunningApp(runtime=runtime, sim=sim, transport="http", url=server.url)
    finally:
        server.close()
        runtime.close()


def test_metrics_after_traffic(quiet_app: RunningApp) -> None:
    sim, runtime, url = quiet_app.sim, quiet_app.runtime, quiet_app.url
    assert url is not None
    clock = runtime.deps.clock
    assert isinstance(clock, FakeClock)
    quiet_app.command("add Acme Corp")
    sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA")
    sim.post_message("U0LEE", "C0SUPPORT", "Acme Corp needs a call")
    sim.post_message("U0LEE", "C0SUPPORT", "lunch?")
    clock.advance(minutes=5)  # the intro has waited five minutes: nothing sends while the jobs are off
    metrics = scrape(url)

    assert value(metrics, "rapport_events_total", type="command", outcome="ok") == 1
    assert value(metrics, "rapport_events_total", type="message", outcome="ok") == 2
    assert value(metrics, "rapport_events_total", type="member_joined_channel", outcome="ok") == 1
    acks = value(metrics, "rapport_ack_latency_seconds_count", kind="event_callback")
    assert acks == 3 and 0 < value(metrics, "rapport_ack_latency_seconds_sum", kind="event_callback") < 3 * acks
    assert value(metrics, "rapport_ack_latency_seconds_bucket", kind="command", le="3.0") == 1
    assert value(metrics, "rapport_slack_api_calls_total", method="auth.test", outcome="ok") >= 1
    assert value(metrics, "rapport_outbox_backlog", kind="intro", lane="interactive") >= 1
    assert value(metrics, "rapport_outbox_oldest_due_seconds", kind="intro", lane="interactive") == 300

    # The sender delivers the backlog; one call fails for good.
    sim.fail_next("chat.postMessage", status=200, error="channel_not_found")
    outbox.send_outbox(runtime.deps, client=runtime.client, now=clock(), worker=runtime.worker)
    metrics = scrape(url)
    assert value(metrics, "rapport_slack_api_errors_total", method="chat.postMessage", error="channel_not_found") == 1
    assert value(metrics, "rapport_slack_api_calls_total", method="chat.postMessage", outcome="error") == 1
    assert value(metrics, "rapport_outbox_backlog", kind="intro", lane="interactive") == 0


def test_reminders_counted_on_time_and_late(quiet_app: RunningApp, database_url: str) -> None:
    runtime = quiet_app.runtime
    clock = runtime.deps.clock
    assert isinstance(clock, FakeClock)
    seed_due_followups(database_url, ["U0DANA"], 2, due_at=clock.now)
    followups.queue_reminders(runtime.deps, now=clock.now)
    clock.advance(seconds=5)
    outbox.send_outbox(runtime.deps, client=runtime.client, now=clock(), worker=runtime.worker)
    seed_due_followups(database_url, ["U0LEE"], 1, due_at=clock.now)
    followups.queue_reminders(runtime.deps, now=clock.now)
    clock.advance(minutes=10)  # Slack was away: it goes out ten minutes after it was due
    outbox.send_outbox(runtime.deps, client=runtime.client, now=clock(), worker=runtime.worker)
    assert quiet_app.url is not None
    metrics = scrape(quiet_app.url)
    assert value(metrics, "rapport_reminders_sent_total", timing="on_time") == 2
    assert value(metrics, "rapport_reminders_sent_total", timing="late") == 1
    with runtime.deps.session_factory.begin() as session:
        assert outbox_rows.count_unsent(session, team_id=TEAM, kinds=["reminder"]) == 0


# --- `rapport run` ---------------------------------------------------------------------------------------------


def test_rapport_run_logs_json_with_request_ids_and_stops_on_sigterm(
    sim: SlackSimulator, database_url: str, tmp_path: Path
) -> None:
    env = {**clean_environ(), **slack_env(sim, database_url), "LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG"}
    port = free_port()
    log_path = tmp_path / "run.log"
    with log_path.open("w") as log_file:
        proc = subprocess.Popen(
            [*RAPPORT, "run", "--host", "127.0.0.1"],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
            env={**env, "PORT": str(port)},
        )
        try:
            url = f"http://127.0.0.1:{port}"

            def ready() -> bool:
                assert proc.poll() is None, log_path.read_text()
                try:
                    return get(f"{url}/readyz")[0] == 200
                except OSError:
                    return False

            eventually(ready, timeout=30)
            sim.deliver_http_to(f"{url}/slack/events")
            assert sim.slash_command("U0DANA", "C0SUPPORT", "/customer", "add Zyxwv Corp").status == 200
            sim.set_bot_member("C0SUPPORT")
            assert (
                sim.post_message("U0LEE", "C0SUPPORT", "Zyxwv Corp asked about their quietplum invoice")[1].status
                == 200
            )
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    assert lines and lines[-1]["message"] == "stopped"
    of_requests = [line for line in lines if line.get("request_id")]
    # The workspace is named from the moment Bolt has authorised the request (Bolt's first debug lines come before).
    assert of_requests and {line["team_id"] for line in of_requests if "team_id" in line} == {TEAM}
    assert {line["request_id"] for line in of_requests if line["logger"].startswith("bot.")} <= {
        line["request_id"] for line in of_requests if "team_id" in line
    }
    above_debug = json.dumps([line for line in lines if line["level"] != "DEBUG"])
    assert "quietplum" not in above_debug and "Zyxwv" not in above_debug
    assert BOT_TOKEN not in log_path.read_text() and SIGNING_SECRET not in log_path.read_text()


def test_rapport_run_in_socket_mode_serves_its_probes(sim: SlackSimulator, database_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = {**clean_environ(), **slack_env(sim, database_url), "SLACK_APP_TOKEN": APP_TOKEN, "PORT": str(port)}
    env["SLACK_SIGNING_SECRET"] = ""
    with (tmp_path / "run.log").open("w") as log_file:
        proc = subprocess.Popen(
            [*RAPPORT, "run", "--host", "127.0.0.1"],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
            env=env,
        )
        try:
            sim.wait_for_socket(1, timeout=30)
            url = f"http://127.0.0.1:{port}"
            eventually(lambda: _answers(f"{url}/healthz"), timeout=30)
            assert get(f"{url}/readyz")[0] == 200
            reply = sim.slash_command("U0DANA", "C0SUPPORT", "/customer", "add Acme Corp")
            assert reply.status == 200 and "Added" in json.dumps(reply.body)
            assert value(scrape(url), "rapport_events_total", type="command", outcome="ok") == 1
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(urllib.request.Request(f"{url}/slack/events", data=b"{}"), timeout=5)
            assert refused.value.code == 404
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _answers(url: str) -> bool:
    try:
        return get(url)[0] == 200
    except OSError:
        return False
