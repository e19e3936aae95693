"""`rapport doctor` as a user runs it: a real process against the simulator and a real database, one line per check,
exit code 0 only when every check passes, and a fix in every failure."""

from __future__ import annotations

import os
import re
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.db import migrate
from bot.db.queries import settings as settings_rows
from bot.db.session import make_engine, make_session_factory
from bot.slacksim import SimChannel, SlackSimulator
from tests.conftest import TEAM
from tests.e2e.conftest import APP_TOKEN
from tests.e2e.test_cli import run_cli, slack_env

CHECKS = ["token", "scopes", "clock", "database", "socket mode", "stories channel"]


class Report:
    """What `rapport doctor` printed: one line per check, by name."""

    def __init__(self, stdout: str, stderr: str, returncode: int) -> None:
        self.returncode = returncode
        self.stderr = stderr
        self.lines = stdout.splitlines()
        self.by_name: dict[str, tuple[str, str]] = {}
        for line in self.lines:
            match = re.fullmatch(r"(OK|FAIL|SKIP) +([a-z ]+): (.+)", line)
            assert match, f"not a check line: {line!r}"
            self.by_name[match[2]] = (match[1], match[3])

    def status(self, name: str) -> str:
        return self.by_name[name][0]

    def detail(self, name: str) -> str:
        return self.by_name[name][1]

    def failed(self) -> list[str]:
        return [name for name, (status, _) in self.by_name.items() if status == "FAIL"]


def doctor(sim: SlackSimulator, database_url: str, **env: str) -> Report:
    result = run_cli("doctor", env={**slack_env(sim, database_url), **env})
    assert "Traceback" not in result.stderr, result.stderr
    report = Report(result.stdout, result.stderr, result.returncode)
    assert list(report.by_name) == CHECKS, result.stdout
    assert report.returncode == (1 if report.failed() else 0), result.stdout
    return report


def choose_stories_channel(database_url: str, channel_id: str) -> None:
    """What an admin's `/rapport settings` leaves in the database."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine).begin() as session:
            settings_rows.of_workspace(session, team_id=TEAM, now=datetime.now(UTC)).stories_channel = channel_id
    finally:
        engine.dispose()


def test_all_pass_one_line_per_check(sim: SlackSimulator, database_url: str) -> None:
    sim.set_bot_member("C0RANDOM")  # no bot runs here to hear member_joined_channel
    choose_stories_channel(database_url, "C0RANDOM")
    report = doctor(sim, database_url, SLACK_APP_TOKEN=APP_TOKEN)
    assert report.returncode == 0 and report.failed() == []
    assert [report.status(name) for name in CHECKS] == ["OK"] * len(CHECKS)
    assert report.detail("token") == "bot @rapport (U0RAPPORT) in Rapport Sim (T0SIM0001)"
    assert report.detail("scopes") == "all 12 scopes the manifest asks for are granted"
    assert report.detail("clock") == "within 1 s of Slack's"
    assert report.detail("database") == f"{database_url} at {_head()}, the newest revision"
    assert report.detail("socket mode").startswith("Slack opens connections (ws://127.0.0.1:")
    assert report.detail("stories channel") == "#random (C0RANDOM): Rapport is a member"
    assert [c.method for c in sim.calls] == ["auth.test", "apps.connections.open", "conversations.info"]
    assert APP_TOKEN not in report.lines[4]  # nor the ticket: only the host is shown
    assert "ticket" not in report.lines[4]


def test_http_mode_and_no_stories_channel_are_skipped_not_failed(sim: SlackSimulator, database_url: str) -> None:
    report = doctor(sim, database_url)
    assert report.returncode == 0
    assert report.status("socket mode") == "SKIP" and "SLACK_APP_TOKEN is not set" in report.detail("socket mode")
    assert report.status("stories channel") == "SKIP" and "/rapport settings" in report.detail("stories channel")


def test_a_missing_scope_is_named_with_its_fix(sim: SlackSimulator, database_url: str) -> None:
    sim.bot_scopes = [s for s in sim.bot_scopes if s != "reactions:read"] + ["team:read"]
    report = doctor(sim, database_url)
    assert report.returncode == 1 and report.failed() == ["scopes"]
    assert report.detail("scopes").startswith(
        "missing scope `reactions:read`: add it under OAuth & Permissions"
    ) and report.detail("scopes").endswith("and reinstall the app")


def test_scopes_granted_beyond_the_manifest_are_noted_not_failed(sim: SlackSimulator, database_url: str) -> None:
    sim.bot_scopes = [*sim.bot_scopes, "im:write", "team:read"]
    report = doctor(sim, database_url)
    assert report.returncode == 0
    assert "also granted but not used: `im:write`, `team:read`" in report.detail("scopes")


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("token_revoked", "token revoked (token_revoked)"),
        ("invalid_auth", "Slack does not know this token (invalid_auth)"),
    ],
)
def test_a_refused_token_says_how_to_get_a_new_one(
    sim: SlackSimulator, database_url: str, error: str, words: str
) -> None:
    sim.refuse_token(error)
    report = doctor(sim, database_url)
    assert report.returncode == 1 and report.failed() == ["token"]
    assert report.detail("token").startswith(words)
    assert "install the app again" in report.detail("token") and "SLACK_BOT_TOKEN" in report.detail("token")
    # What needs the token is not checked, and says so; the clock still is (Slack's answer has its Date).
    assert report.status("scopes") == "SKIP" and report.status("stories channel") == "SKIP"
    assert report.status("clock") == "OK"


@pytest.mark.parametrize(
    ("skew", "status", "words"),
    [
        (120, "FAIL", "behind Slack's: Rapport refuses Slack's requests once they are 300 s off"),
        (-90, "FAIL", "ahead of Slack's: Rapport refuses Slack's requests once they are 300 s off"),
        (20, "OK", "behind Slack's (fine up to 60 s)"),
    ],
)
def test_clock_skew_says_how_far_off(
    sim: SlackSimulator, database_url: str, skew: int, status: str, words: str
) -> None:
    sim.clock = lambda: time.time() + skew
    report = doctor(sim, database_url)
    assert report.status("clock") == status
    seconds = int(report.detail("clock").split(" s ", 1)[0])
    assert abs(seconds - abs(skew)) <= 1, report.detail("clock")
    assert words in report.detail("clock")
    if status == "FAIL":
        assert report.failed() == ["clock"] and "time sync" in report.detail("clock")


@pytest.mark.parametrize(
    ("channel", "member", "words"),
    [
        ("C0RANDOM", False, "Rapport is not in #random (C0RANDOM) any more: invite it back"),
        ("C0OLD", True, "#old-stories (C0OLD) is archived: unarchive it"),
        ("G0PRIVATE", False, "Slack shows Rapport no channel G0PRIVATE: it was deleted, or it is private"),
    ],
)
def test_a_stories_channel_that_lost_the_bot_says_how_to_fix_it(
    sim: SlackSimulator, database_url: str, channel: str, member: bool, words: str
) -> None:
    sim.workspace.channels.append(SimChannel("C0OLD", "old-stories", is_archived=True))
    # Chosen while Rapport was in it; then removed (no bot runs here to hear member_left_channel).
    sim.set_bot_member(channel)
    choose_stories_channel(database_url, channel)
    sim.set_bot_member(channel, member)
    report = doctor(sim, database_url)
    assert report.returncode == 1 and report.failed() == ["stories channel"]
    assert report.detail("stories channel").startswith(words)
    assert report.detail("stories channel").endswith("or pick another stories channel in `/rapport settings`")


def test_a_refused_app_level_token_fails_socket_mode(sim: SlackSimulator, database_url: str) -> None:
    sim.refuse_token("invalid_auth", token=APP_TOKEN)
    report = doctor(sim, database_url, SLACK_APP_TOKEN=APP_TOKEN)
    assert report.returncode == 1 and report.failed() == ["socket mode"]
    assert "App-Level Tokens" in report.detail("socket mode") and "SLACK_APP_TOKEN" in report.detail("socket mode")


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[str]:
    """A database of the test's own, with nothing in it: a new SQLite file, or a new PostgreSQL database."""
    server = os.environ.get("RAPPORT_TEST_DATABASE_URL")
    if not server:
        url = f"sqlite:///{tmp_path}/own.db"
        engine = make_engine(url)
        engine.connect().close()  # creates the (empty) file
        engine.dispose()
        yield url
        return
    url = make_url(server).set(drivername="postgresql+psycopg")
    name = f"rapport_doctor_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.parametrize("state", ["empty", "one behind"])
def test_an_unmigrated_database_says_run_migrate(sim: SlackSimulator, own_database: str, state: str) -> None:
    engine = make_engine(own_database)
    head = migrate.head_revision(engine)
    previous = ScriptDirectory.from_config(migrate.alembic_config(engine)).get_revision(head).down_revision
    if state == "one behind":
        migrate.upgrade(engine, str(previous))
    engine.dispose()
    report = doctor(sim, own_database)
    assert report.returncode == 1 and report.failed() == ["database"]
    if state == "empty":
        assert re.fullmatch(
            rf"the database at .+ is empty, needs {head}: run `rapport migrate`", report.detail("database")
        )
    else:
        assert report.detail("database") == f"database at {previous}, needs {head}: run `rapport migrate`"
    assert report.status("stories channel") == "SKIP"
    migrated = run_cli("migrate", env={"DATABASE_URL": own_database})
    assert migrated.returncode == 0, migrated.stderr
    assert doctor(sim, own_database).returncode == 0


def test_a_database_that_is_not_there(sim: SlackSimulator, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "rapport.db"
    report = doctor(sim, f"sqlite:///{missing}")
    assert report.failed() == ["database"]
    assert report.detail("database") == (
        f"there is no database at {missing}: run `rapport migrate` to create it, or set DATABASE_URL to Rapport's "
        "database"
    )
    assert not missing.parent.exists()  # the check created nothing
    closed = _closed_port()
    report = doctor(sim, f"postgresql://rapport:secret@127.0.0.1:{closed}/rapport")
    assert report.failed() == ["database"]
    assert report.detail("database").startswith(
        f"cannot reach the database at postgresql+psycopg://rapport:***@127.0.0.1:{closed}/rapport ("
    )
    assert report.detail("database").endswith("): check DATABASE_URL and that the database is running")
    assert "secret" not in "\n".join(report.lines)


def test_slack_out_of_reach_is_a_failed_check_not_a_traceback(sim: SlackSimulator, database_url: str) -> None:
    closed = _closed_port()
    report = doctor(sim, database_url, SLACK_API_URL=f"http://127.0.0.1:{closed}/api/", SLACK_APP_TOKEN=APP_TOKEN)
    assert report.returncode == 1 and report.failed() == ["token", "socket mode"]
    assert report.detail("token").startswith(f"cannot reach Slack at http://127.0.0.1:{closed}/api/ (")
    assert report.detail("token").endswith("): check the network (proxy, firewall) and SLACK_API_URL")
    assert report.status("clock") == "SKIP" and report.status("database") == "OK"
    assert report.stderr == ""


def _head() -> str | None:
    engine = make_engine("sqlite://")
    try:
        return migrate.head_revision(engine)
    finally:
        engine.dispose()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
