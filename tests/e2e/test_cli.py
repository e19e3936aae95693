"""The `rapport` command as a user runs it: a real process, real environment variables."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from bot.db.models import Customer, Mention
from bot.db.session import make_engine
from bot.manifest import build_manifest
from bot.slacksim import SlackSimulator
from tests.conftest import PROJECT_ROOT
from tests.e2e.conftest import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, eventually

RAPPORT = [sys.executable, "-m", "bot"]
OUR_VARIABLES = ("SLACK_", "DATABASE_URL", "PORT", "RAPPORT_", "LOG_")


def clean_environ() -> dict[str, str]:
    """The test process's environment without any Rapport setting a developer may have exported."""
    return {k: v for k, v in os.environ.items() if not k.startswith(OUR_VARIABLES)} | {"PYTHONPATH": str(PROJECT_ROOT)}


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*RAPPORT, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd or PROJECT_ROOT,
        env={**clean_environ(), **(env or {})},
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def slack_env(sim: SlackSimulator, database_url: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": sim.api_url,
        "DATABASE_URL": database_url,
        "SLACK_APP_TOKEN": "",
    }


def count(database_url: str, model: type) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        engine.dispose()


def test_manifest_socket_mode_and_http() -> None:
    socket_mode = run_cli("manifest")
    assert socket_mode.returncode == 0
    parsed = yaml.safe_load(socket_mode.stdout)
    assert parsed == build_manifest()
    assert parsed["settings"]["socket_mode_enabled"] is True
    assert {c["command"] for c in parsed["features"]["slash_commands"]} == {
        "/customer",
        "/followup",
        "/kudos",
        "/rapport",
    }
    assert (PROJECT_ROOT / "deploy" / "manifest.yml").read_text() == socket_mode.stdout
    http = yaml.safe_load(run_cli("manifest", "--url", "https://rapport.example.com/").stdout)
    assert http["settings"]["socket_mode_enabled"] is False
    assert http["settings"]["event_subscriptions"]["request_url"] == "https://rapport.example.com/slack/events"
    assert http["settings"]["interactivity"]["request_url"] == "https://rapport.example.com/slack/events"
    assert all(c["url"] == "https://rapport.example.com/slack/events" for c in http["features"]["slash_commands"])
    assert http["oauth_config"]["redirect_urls"] == ["https://rapport.example.com/slack/oauth_redirect"]


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"SLACK_BOT_TOKEN": "xoxp-user", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN must be a bot token"),
        ({"SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": ""}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "", "SLACK_APP_TOKEN": ""}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "http"}, "PORT must be"),
    ],
)
def test_run_refuses_bad_configuration_in_one_sentence(env: dict[str, str], words: str, tmp_path: Path) -> None:
    result = run_cli("run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert words in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxp-from-dotenv\nSLACK_SIGNING_SECRET=s\n")
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2 and "SLACK_BOT_TOKEN must be a bot token" in result.stderr


def test_migrate(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/fresh.db"
    first = run_cli("migrate", env={"DATABASE_URL": url})
    assert first.returncode == 0 and "was empty" in first.stdout
    again = run_cli("migrate", env={"DATABASE_URL": url})
    assert again.returncode == 0 and "up to date" in again.stdout


def test_customers_import_reports_each_bad_row(sim: SlackSimulator, database_url: str, tmp_path: Path) -> None:
    csv_file = tmp_path / "customers.csv"
    csv_file.write_text(
        "name,aliases,owner,since\n"
        "Acme Corp,Acme;ACME Inc,U0LEE,2019-04-01\n"
        "Globex,,dana@example.com,\n"
        "Initech,,nobody@example.com,2020-01-01\n"
        "Umbrella,,U0DANA,01/02/2020\n"
        "acme corp,,U0DANA,\n"
        ",,U0DANA,\n"
        "Hooli,Acme,U0DANA,\n"
        "Stark Industries,Stark,,\n"
    )
    result = run_cli("customers", "import", str(csv_file), env=slack_env(sim, database_url))
    assert result.returncode == 1, result.stderr
    assert "Imported 2 customer(s)" in result.stdout
    for line, words in (
        (4, "no Slack user has the email"),
        (5, "not a date"),
        (6, "already a name of"),
        (7, "name is empty"),
        (8, "already a name of"),
        (9, "no owner"),
    ):
        assert f"line {line}: skipped:" in result.stdout and words in result.stdout, (line, result.stdout)
    assert count(database_url, Customer) == 2
    with_owner = run_cli("customers", "import", str(csv_file), "--owner", "U0KIRI", env=slack_env(sim, database_url))
    assert "Imported 1 customer(s)" in with_owner.stdout  # Stark Industries, now that a default owner is given


def test_import_of_a_file_without_a_name_column(sim: SlackSimulator, database_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("company,owner\nAcme,U0LEE\n")
    result = run_cli("customers", "import", str(bad), env=slack_env(sim, database_url))
    assert result.returncode == 2 and "`name`" in result.stderr and count(database_url, Customer) == 0


@pytest.fixture
def process(request: pytest.FixtureRequest) -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def start_run(sim: SlackSimulator, database_url: str, extra: dict[str, str]) -> subprocess.Popen[str]:
    env = {**clean_environ(), **slack_env(sim, database_url), **extra}
    return subprocess.Popen(
        [*RAPPORT, "run"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=PROJECT_ROOT, env=env
    )


def test_run_in_http_mode(sim: SlackSimulator, database_url: str, process: list[subprocess.Popen[str]]) -> None:
    port = free_port()
    proc = start_run(sim, database_url, {"PORT": str(port)})
    process.append(proc)

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                return bool(json.load(response)["ok"])
        except OSError:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            return False

    eventually(healthy, timeout=30)
    sim.deliver_http_to(f"http://127.0.0.1:{port}/slack/events")
    assert sim.slash_command("U0DANA", "C0SUPPORT", "/customer", "add Acme Corp").status == 200
    sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA")
    sim.wait_for_calls("chat.postMessage", 1, timeout=15)
    sim.post_message("U0LEE", "C0SUPPORT", "Acme Corp needs a call")
    assert count(database_url, Mention) == 1
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    output = proc.stdout.read() if proc.stdout else ""
    assert BOT_TOKEN not in output and SIGNING_SECRET not in output


def test_run_in_socket_mode(sim: SlackSimulator, database_url: str, process: list[subprocess.Popen[str]]) -> None:
    proc = start_run(sim, database_url, {"SLACK_APP_TOKEN": APP_TOKEN, "SLACK_SIGNING_SECRET": ""})
    process.append(proc)
    sim.wait_for_socket(1, timeout=30)
    reply = sim.slash_command("U0DANA", "C0SUPPORT", "/customer", "add Acme Corp")
    assert reply.status == 200 and "Added" in json.dumps(reply.body)
    sim.post_message("U0LEE", "C0SUPPORT", "Acme Corp needs a call")
    assert count(database_url, Mention) == 1
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    output = proc.stdout.read() if proc.stdout else ""
    assert APP_TOKEN not in output and BOT_TOKEN not in output
