"""What the aggregate modules share: the dialect's INSERT … ON CONFLICT, row locks, and affected-row counts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Result
from sqlalchemy.orm import Session

Selected = TypeVar("Selected", bound=Select[Any])


def dialect_insert(dialect: str) -> Any:
    """The INSERT construct with ON CONFLICT support for a dialect ("postgresql" or "sqlite")."""
    return pg_insert if dialect == "postgresql" else sqlite_insert


def is_postgresql(session: Session) -> bool:
    """Whether the session's database is PostgreSQL (else SQLite)."""
    return session.get_bind().dialect.name == "postgresql"


def insert_ignoring_conflicts(session: Session, model: type[Any], values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True if a row was inserted."""
    insert = dialect_insert(session.get_bind().dialect.name)
    # RETURNING tells exactly whether a row went in; psycopg's rowcount is -1 here.
    key = next(iter(model.__table__.primary_key.columns))
    statement = insert(model).values(**values).on_conflict_do_nothing().returning(key)
    return session.execute(statement).first() is not None


def locked(session: Session, statement: Selected, **options: Any) -> Selected:
    """The statement locking its rows until commit on PostgreSQL; SQLite's write lock (BEGIN IMMEDIATE) already
    serialises writers."""
    return statement.with_for_update(**options) if is_postgresql(session) else statement


def rowcount(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed."""
    return int(result.rowcount)  # type: ignore[attr-defined]


def check_team(team_id: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Refuse rows of another workspace: callers build them for this one, so a mismatch is a bug."""
    if any(row["team_id"] != team_id for row in rows):
        raise ValueError(f"a row is not in workspace {team_id}")
