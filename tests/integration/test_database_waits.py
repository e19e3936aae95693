"""No wait for the database outlasts Slack's 3 seconds: PostgreSQL's lock and statement timeouts, SQLite's bounded
wait for the write lock, and errors that never carry what was stored."""

from __future__ import annotations

import sqlite3
import time

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, StatementError

from bot.db.session import (
    LOCK_TIMEOUT_MS,
    SQLITE_BUSY_TIMEOUT_MS,
    STATEMENT_TIMEOUT_MS,
    bound_waits,
    make_engine,
    turned_away,
    unbound_waits,
)

# SQLite's refusal comes straight from the driver when it is BEGIN IMMEDIATE that waited.
REFUSED = (OperationalError, sqlite3.OperationalError)


def _is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def test_postgresql_connections_give_up_on_locks_and_slow_statements(engine: Engine, database_url: str) -> None:
    if _is_sqlite(engine):
        with engine.begin() as connection:  # SQLite: the bound busy timeout, set as each write begins
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
        return
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == f"{LOCK_TIMEOUT_MS}ms"
        assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == f"{STATEMENT_TIMEOUT_MS}ms"
        started = time.monotonic()
        with pytest.raises(OperationalError) as slow:
            connection.exec_driver_sql("SELECT pg_sleep(10)")
        assert time.monotonic() - started < STATEMENT_TIMEOUT_MS / 1000 + 1 and turned_away(slow.value)
    tools = make_engine(database_url, bounded_waits=False)  # migrations and exports may take their time
    try:
        with tools.connect() as connection:
            assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == "0"
            assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "0"
    finally:
        tools.dispose()


def test_a_locked_table_fails_the_transaction_within_the_bound(engine: Engine, database_url: str) -> None:
    if _is_sqlite(engine):
        holder = sqlite3.connect(str(make_url(database_url).database), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    else:
        holder_connection = engine.connect()
        holder_connection.execute(text("LOCK TABLE customers IN ACCESS EXCLUSIVE MODE"))
    token = bound_waits(seconds=0.5)
    try:
        started = time.monotonic()
        with pytest.raises(REFUSED) as refused, engine.begin() as connection:
            connection.execute(text("SELECT count(*) FROM customers"))
        waited = time.monotonic() - started
    finally:
        unbound_waits(token)
        if _is_sqlite(engine):
            holder.execute("ROLLBACK")
            holder.close()
        else:
            holder_connection.rollback()
            holder_connection.close()
    assert turned_away(refused.value)
    # SQLite waits what is left of the request's bound; PostgreSQL its lock timeout.
    bound = 0.5 if _is_sqlite(engine) else LOCK_TIMEOUT_MS / 1000
    assert bound * 0.8 <= waited < bound + 1.0
    with engine.begin() as connection:  # released: the same work goes through
        assert connection.execute(text("SELECT count(*) FROM customers")).scalar() == 0


def test_a_sqlite_request_waits_once_in_all_however_many_transactions_it_runs(
    engine: Engine, database_url: str
) -> None:
    if not _is_sqlite(engine):
        return  # PostgreSQL bounds each wait with its own lock timeout
    holder = sqlite3.connect(str(make_url(database_url).database), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    token = bound_waits(seconds=0.6)
    started = time.monotonic()
    try:
        for _ in range(3):
            with pytest.raises(REFUSED), engine.begin() as connection:
                connection.execute(text("SELECT 1"))
    finally:
        unbound_waits(token)
        holder.execute("ROLLBACK")
        holder.close()
    assert time.monotonic() - started < 0.6 + 0.5  # the second and third found the bound spent
    with engine.begin() as connection:  # without a bound, a write waits the ordinary busy timeout again
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS


def test_errors_never_carry_the_values_of_a_statement(engine: Engine) -> None:
    with pytest.raises(StatementError) as failed, engine.begin() as connection:
        connection.execute(text("INSERT INTO no_such_table (x) VALUES (:x)"), {"x": "secret words"})
    assert "secret words" not in str(failed.value)
