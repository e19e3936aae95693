"""Engines and sessions: SQLite tuned for concurrent writers, PostgreSQL through psycopg 3.

Slack wants every answer within 3 seconds, and an answer is only given once the request's work is stored. So no
wait for the database is open-ended. Each PostgreSQL connection gives up waiting for a lock after LOCK_TIMEOUT_MS
and on any statement after STATEMENT_TIMEOUT_MS. On SQLite, the transactions of a request from Slack wait for the
write lock only until REQUEST_WAIT_SECONDS after it began (`bound_waits`), however many they are; other work waits
up to SQLITE_BUSY_TIMEOUT_MS. A transaction that times out rolls back, Slack gets a 5xx, and its retry stores the
event once.
"""

from __future__ import annotations

import sqlite3
import time
from contextvars import ContextVar, Token
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

# The execution option of a transaction that only reads: on SQLite it takes no write lock.
READ_ONLY = "rapport_read_only"
# How long a request from Slack may wait for the database in all, leaving time to answer within 3 seconds.
REQUEST_WAIT_SECONDS = 2.0
# Jobs and tools are answering nobody: they may wait longer for SQLite's write lock.
SQLITE_BUSY_TIMEOUT_MS = 5_000
# Far longer than any of our brief transactions holds a lock, and short enough to answer Slack in time.
LOCK_TIMEOUT_MS = 1_500
# Our statements take milliseconds; one that runs this long would make Slack give up on the answer anyway.
STATEMENT_TIMEOUT_MS = 2_500

# Until when (time.monotonic()) the current thread's transactions may wait for SQLite's write lock; None: no bound.
_wait_until: ContextVar[float | None] = ContextVar("rapport_wait_until", default=None)


def bound_waits(*, seconds: float = REQUEST_WAIT_SECONDS) -> Token[float | None]:
    """From now on, this thread's SQLite transactions wait for the write lock at most until `seconds` from now, all
    of them together: set as each request from Slack begins. `unbound_waits(token)` lifts it."""
    return _wait_until.set(time.monotonic() + seconds)


def unbound_waits(token: Token[float | None]) -> None:
    """Lift the bound `bound_waits` set (and any set after it in this thread)."""
    _wait_until.reset(token)


def begin_sqlite(driver: Any, *, read_only: bool = False) -> None:
    """Start a SQLite transaction on the driver's connection or cursor (a write transaction, unless `read_only`),
    waiting for its lock at most what is left of this thread's bound, or the busy timeout when there is none.

    The wait is set on every begin, since pooled connections serve requests and jobs alike: one statement more,
    and no I/O."""
    until = _wait_until.get()
    wait_ms = SQLITE_BUSY_TIMEOUT_MS if until is None else max(1, round((until - time.monotonic()) * 1000))
    driver.execute(f"PRAGMA busy_timeout={wait_ms}")
    driver.execute("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(database_url: str, *, bounded_waits: bool = True, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout, foreign keys and write-ahead BEGIN IMMEDIATE.

    Statement parameters (people's words among them) are kept out of error messages, and so out of the logs.
    `bounded_waits=False` lifts PostgreSQL's lock and statement timeouts, for the tools that are not answering
    Slack and may run long statements: migrations and exports.
    """
    url = make_url(database_url)
    kwargs.setdefault("hide_parameters", True)
    if url.get_backend_name() != "sqlite":
        if bounded_waits:
            options = f"-c lock_timeout={LOCK_TIMEOUT_MS} -c statement_timeout={STATEMENT_TIMEOUT_MS}"
            kwargs["connect_args"] = {"options": options, **kwargs.get("connect_args", {})}
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
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Taking the write lock up front makes a second writer wait (busy timeout) instead of
        # failing with "database is locked" when it upgrades a read transaction.
        # Straight on the driver connection: this runs before every write, and is all the hook does.
        # A long read (an export) asks for READ_ONLY: a plain BEGIN reads one snapshot and blocks no writer.
        read_only = bool(connection.get_execution_options().get(READ_ONLY))
        begin_sqlite(connection.connection.driver_connection, read_only=read_only)

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def turned_away(error: BaseException) -> bool:
    """Whether the database turned a transaction away for now (locked past the busy timeout, a lock or statement
    timeout, a lost connection) rather than for what it was given: the same work again would only wait again.

    Both SQLAlchemy's error and the drivers' own count: the message intake runs on the driver's connection.
    """
    return isinstance(error, OperationalError | sqlite3.OperationalError | psycopg.OperationalError)
