"""Engines and sessions: SQLite tuned for concurrent writers, PostgreSQL through psycopg 3."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# The execution option of a transaction that only reads: on SQLite it takes no write lock.
READ_ONLY = "rapport_read_only"
# Short enough to answer Slack within its three seconds, long enough for any of our brief writes.
SQLITE_BUSY_TIMEOUT_MS = 5_000


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout, foreign keys and write-ahead BEGIN IMMEDIATE."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)

    if url.database and url.database != ":memory:":
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy own transactions so BEGIN IMMEDIATE below is what starts them.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Taking the write lock up front makes a second writer wait (busy timeout) instead of
        # failing with "database is locked" when it upgrades a read transaction.
        # Straight on the driver connection: this runs before every write, and is all the hook does.
        # A long read (an export) asks for READ_ONLY: a plain BEGIN reads one snapshot and blocks no writer.
        read_only = connection.get_execution_options().get(READ_ONLY)
        connection.connection.driver_connection.execute("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)
