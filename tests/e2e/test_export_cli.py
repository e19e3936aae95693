"""`rapport export` as a user runs it: a real process reading DATABASE_URL, files on disk, one-sentence errors."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db.models import Customer, CustomerName, Mention
from bot.db.queries import workspaces as workspace_rows
from bot.db.session import make_engine, make_session_factory
from tests.conftest import TEAM
from tests.e2e.test_cli import run_cli

OTHER = "T0OTHER01"


def _seed_workspace(database_url: str, team_id: str, *, customer: str, excerpt: str) -> None:
    """A workspace with one customer and two mentions: one recent, one older than the 90-day retention."""
    now = datetime.now(UTC)
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine).begin() as session:
            workspace_rows.ensure(session, team_id=team_id, now=now)
            row = Customer(
                team_id=team_id,
                name=customer,
                owner_user_id="U0LEE",
                notes="",
                created_by="U0DANA",
                created_at=now - timedelta(days=200),
            )
            session.add(row)
            session.flush()
            session.add(
                CustomerName(
                    team_id=team_id, customer_id=row.id, name=customer, name_key=customer.casefold(), is_primary=True
                )
            )
            for ts, age, text in (("1700000000.000100", 120, "too old to leave"), ("1763000000.000100", 1, excerpt)):
                session.add(
                    Mention(
                        team_id=team_id,
                        customer_id=row.id,
                        channel_id="C0SUPPORT",
                        message_ts=ts,
                        user_id="U0DANA",
                        mentioned_at=now - timedelta(days=age),
                        excerpt=text,
                    )
                )
    finally:
        engine.dispose()


@pytest.fixture
def one_workspace(database_url: str) -> Iterator[str]:
    _seed_workspace(database_url, TEAM, customer="=Acme Corp", excerpt="Acme needs a drive")
    yield database_url


@pytest.fixture
def two_workspaces(one_workspace: str) -> str:
    _seed_workspace(one_workspace, OTHER, customer="Globex", excerpt="Globex secret")
    return one_workspace


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty folder to run the command in (the test's SQLite database lives in tmp_path itself)."""
    path = tmp_path / "work"
    path.mkdir()
    return path


def _refused(result: object) -> str:
    """The one sentence a refused export printed (and checks it was refused cleanly)."""
    assert getattr(result, "returncode", None) == 2, result
    stderr = str(getattr(result, "stderr", ""))
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
    assert getattr(result, "stdout", "") == ""
    return stderr.strip()


def test_csv_export_of_the_only_workspace_into_the_default_folder(one_workspace: str, workdir: Path) -> None:
    result = run_cli("export", env={"DATABASE_URL": one_workspace}, cwd=workdir)
    assert result.returncode == 0, result.stderr
    [folder] = [p for p in workdir.iterdir() if p.is_dir()]
    assert re.fullmatch(rf"rapport-export-{TEAM}-\d{{8}}", folder.name)
    assert result.stdout.splitlines() == [
        f"Wrote {folder.name}/customers.csv: 1 customer",
        f"Wrote {folder.name}/mentions.csv: 2 mentions",
        f"Wrote {folder.name}/followups.csv: 0 follow-ups",
        f"Wrote {folder.name}/stories.csv: 0 stories",
    ]
    with (folder / "customers.csv").open(newline="", encoding="utf-8") as handle:
        customers = list(csv.DictReader(handle))
    assert [(c["name"], c["owner_user_id"]) for c in customers] == [("'=Acme Corp", "U0LEE")]
    with (folder / "mentions.csv").open(newline="", encoding="utf-8") as handle:
        mentions = list(csv.DictReader(handle))
    assert [(m["message_ts"], m["excerpt"]) for m in mentions] == [
        ("1700000000.000100", ""),
        ("1763000000.000100", "Acme needs a drive"),
    ]
    assert (folder / "followups.csv").read_text().splitlines() == [
        "id,owner_user_id,customer_id,customer_name,kind,note,due_at,state,created_by,created_at,closed_by,closed_at,"
        "source_channel_id,source_ts"
    ]

    again = run_cli("export", env={"DATABASE_URL": one_workspace}, cwd=workdir)
    assert "already holds customers.csv, mentions.csv, followups.csv, stories.csv" in _refused(again)
    forced = run_cli("export", "--force", env={"DATABASE_URL": one_workspace}, cwd=workdir)
    assert forced.returncode == 0 and len(forced.stdout.splitlines()) == 4


def test_json_export_of_one_of_two_workspaces(two_workspaces: str, workdir: Path) -> None:
    out = workdir / "exports" / "other"
    result = run_cli(
        "export", "--team", OTHER, "--format", "json", "--output", str(out), env={"DATABASE_URL": two_workspaces}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Wrote {out}/rapport-export.json: 1 customer, 2 mentions, 0 follow-ups, 0 stories\n"
    data = json.loads((out / "rapport-export.json").read_text(encoding="utf-8"))
    assert data["team_id"] == OTHER and data["exported_at"].endswith("Z")
    assert [c["name"] for c in data["customers"]] == ["Globex"]
    assert [m["excerpt"] for m in data["mentions"]] == [None, "Globex secret"]
    assert data["followups"] == [] and data["stories"] == []
    assert "Acme" not in (out / "rapport-export.json").read_text()


def test_several_workspaces_need_a_team(two_workspaces: str, workdir: Path) -> None:
    result = run_cli("export", env={"DATABASE_URL": two_workspaces}, cwd=workdir)
    assert _refused(result) == (f"rapport: The database holds 2 workspaces ({OTHER}, {TEAM}): choose one with --team.")
    assert list(workdir.iterdir()) == []


def test_an_unknown_team_is_refused(one_workspace: str, workdir: Path) -> None:
    result = run_cli("export", "--team", "T0NOPE", env={"DATABASE_URL": one_workspace}, cwd=workdir)
    assert _refused(result) == f"rapport: The database holds no workspace T0NOPE; its workspaces are: {TEAM}."
    assert list(workdir.iterdir()) == []


def test_a_database_without_workspaces_is_refused(database_url: str, workdir: Path) -> None:
    result = run_cli("export", env={"DATABASE_URL": database_url}, cwd=workdir)
    assert "holds no workspace yet" in _refused(result)


def test_a_missing_sqlite_file_is_not_created(workdir: Path) -> None:
    missing = workdir / "nowhere" / "rapport.db"
    result = run_cli("export", env={"DATABASE_URL": f"sqlite:///{missing}"}, cwd=workdir)
    assert _refused(result) == f"rapport: There is no database at {missing}: set DATABASE_URL to Rapport's database."
    assert list(workdir.iterdir()) == []


def test_a_bad_format_is_an_argparse_error(workdir: Path) -> None:
    result = run_cli("export", "--format", "xml", cwd=workdir)
    assert result.returncode == 2 and "invalid choice: 'xml'" in result.stderr
