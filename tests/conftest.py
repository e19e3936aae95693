"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL with RAPPORT_TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from bot.app import outbox_renderers, outbox_rescuers
from bot.config import Settings
from bot.db import migrate
from bot.db.models import Base
from bot.db.session import make_engine, make_session_factory
from bot.runtime.caches import DirectoryMatchers
from bot.runtime.deps import Deps

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SLACK_FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "slack"
TEAM = "T0SIM0001"


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 11, 23, 14, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move time forward."""
        self.now += timedelta(**delta)
        return self.now


def _postgres_url() -> str | None:
    return os.environ.get("RAPPORT_TEST_DATABASE_URL") or None


@pytest.fixture(scope="session")
def _database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database made once per run: a SQLite file to copy, or a fresh PostgreSQL database."""
    server_url = _postgres_url()
    if server_url is None:
        path = tmp_path_factory.mktemp("template") / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        migrate.upgrade(engine)
        engine.dispose()
        yield str(path)
        return
    url = make_url(server_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    name = f"rapport_test_{uuid.uuid4().hex[:10]}"
    # Creating and dropping (WITH FORCE) a database may take longer than a request may wait.
    admin = make_engine(url.render_as_string(hide_password=False), bounded_waits=False, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    test_url = url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(test_url)
    migrate.upgrade(engine)
    engine.dispose()
    try:
        yield test_url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database_url(_database_template: str, tmp_path: Path) -> str:
    """A clean, migrated database for one test."""
    if _postgres_url() is None:
        path = tmp_path / "rapport.db"
        shutil.copyfile(_database_template, path)
        return f"sqlite:///{path}"
    engine = make_engine(_database_template)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return _database_template


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the test's database."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    """The test's clock."""
    return FakeClock()


@pytest.fixture
def deps(engine: Engine, clock: FakeClock, database_url: str) -> Deps:
    """Service dependencies on the test database and clock."""
    settings = Settings(database_url=database_url)
    return Deps(
        session_factory=make_session_factory(engine),
        clock=clock,
        matchers=DirectoryMatchers(),
        settings=settings,
        renderers=outbox_renderers(),
        rescuers=outbox_rescuers(settings),
    )
