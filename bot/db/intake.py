"""The statements run for every new message in a watched channel, on the database driver's own connection.

Every message of every watched channel passes through here, so this path skips SQLAlchemy's per-statement
machinery (it cost more than the writes themselves): the SQL is written once per dialect, in the
``INSERT … ON CONFLICT … RETURNING`` form SQLite (3.35+) and PostgreSQL share; values go through each column's
own bind processor, so rows are stored exactly as the ORM stores them; the transaction is the driver's, begun
as ``BEGIN IMMEDIATE`` on SQLite like every other write. Everything else goes through ``queries.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Engine, Table

from bot.db.models import (
    Channel,
    CustomerName,
    CustomerWait,
    Mention,
    Nudge,
    NudgeCooldown,
    OutboxMessage,
    ProcessedEvent,
    UserSettings,
    Workspace,
    WorkspaceSettings,
)

# Keeps every statement far below SQLite's and PostgreSQL's limits on bound parameters.
MAX_ROWS_PER_STATEMENT = 500


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _bind_processor(table: Table, column: str, dialect: Any) -> Callable[[Any], Any] | None:
    """How a column's values go to the driver, as the ORM sends them.

    JSON becomes JSON text here: on PostgreSQL SQLAlchemy leaves it to a typed bind it renders into its own SQL,
    and psycopg cannot adapt a bare dict in these hand-written statements.
    """
    column_type = table.c[column].type
    if isinstance(column_type, JSON):
        return json.dumps
    return column_type.bind_processor(dialect)


class _Insert:
    """A multi-row INSERT of fixed columns, with its tail (ON CONFLICT …, RETURNING …)."""

    def __init__(self, model: type[Any], columns: Sequence[str], tail: str, *, placeholder: str, dialect: Any) -> None:
        table = _table(model)
        self._columns = tuple(columns)
        self._processors: list[Callable[[Any], Any] | None] = [_bind_processor(table, name, dialect)
                                                               for name in self._columns]  # fmt: skip
        self._head = f"INSERT INTO {table.name} ({', '.join(self._columns)}) VALUES "
        self._row = "(" + ", ".join([placeholder] * len(self._columns)) + ")"
        self._tail = " " + tail
        self._returns = "RETURNING" in tail

    def run(self, cursor: Any, rows: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
        """Insert the rows (in chunks); the RETURNING rows, if the statement returns any."""
        returned: list[tuple[Any, ...]] = []
        for start in range(0, len(rows), MAX_ROWS_PER_STATEMENT):
            chunk = rows[start : start + MAX_ROWS_PER_STATEMENT]
            params = [
                value if process is None else process(value)
                for row in chunk
                for value, process in zip((row[c] for c in self._columns), self._processors, strict=True)
            ]
            cursor.execute(self._head + ", ".join([self._row] * len(chunk)) + self._tail, params)
            if self._returns:
                returned.extend(tuple(r) for r in cursor.fetchall())
        return returned


class Intake:
    """Builds the hot-path statements once for an engine's dialect and opens their transactions."""

    def __init__(self, engine: Engine) -> None:
        dialect = engine.dialect
        self._engine = engine
        self.sqlite = dialect.name == "sqlite"
        ph = self.placeholder = "?" if self.sqlite else "%s"
        # SQLite holds the write lock from BEGIN IMMEDIATE, so it can look for retries first and then insert
        # without RETURNING: two statements however many events, where RETURNING costs a step per row.
        self.claim_insert = _Insert(
            ProcessedEvent,
            ("team_id", "event_id", "received_at"),
            "ON CONFLICT DO NOTHING" if self.sqlite else "ON CONFLICT DO NOTHING RETURNING team_id, event_id",
            placeholder=ph,
            dialect=dialect,
        )
        self.mentions_insert = _Insert(
            Mention,
            ("team_id", "customer_id", "channel_id", "message_ts", "thread_ts", "user_id", "mentioned_at", "excerpt"),
            "ON CONFLICT DO NOTHING RETURNING channel_id, message_ts, customer_id",
            placeholder=ph,
            dialect=dialect,
        )
        self.watch_insert = _Insert(
            Channel,
            ("team_id", "channel_id", "name", "is_watched", "is_shared", "customer_id", "joined_at", "updated_at"),
            "ON CONFLICT (team_id, channel_id) DO UPDATE SET is_watched = excluded.is_watched, "
            "updated_at = excluded.updated_at",
            placeholder=ph,
            dialect=dialect,
        )
        # Customers' messages waiting for an answer: only linked channels ever run these.
        self.waits_insert = _Insert(
            CustomerWait,
            ("team_id", "channel_id", "message_ts", "customer_id", "user_id", "posted_at", "state"),
            "ON CONFLICT DO NOTHING",
            placeholder=ph,
            dialect=dialect,
        )
        waits = _table(CustomerWait)
        self.wait_time = waits.c.posted_at.type.bind_processor(dialect)
        answer = (
            f"UPDATE {waits.name} SET state = 'answered', answered_by = {ph}, closed_at = {ph} "
            f"WHERE team_id = {ph} AND channel_id = {ph} AND state = 'waiting' AND "
        )
        self.answer_earlier_sql = answer + f"posted_at < {ph}"
        self.answer_thread_sql = answer + f"message_ts = {ph}"
        # Tone nudges: only messages a tone rule fires on run these.
        cooldowns, user_settings = _table(NudgeCooldown), _table(UserSettings)
        self.nudge_time = cooldowns.c.last_nudged_at.type.bind_processor(dialect)
        self.nudge_flag = user_settings.c.nudges_enabled.type.bind_processor(dialect)
        self.nudges_off_sql = (
            f"SELECT user_id FROM {user_settings.name} WHERE team_id = {ph} AND nudges_enabled = {ph} AND user_id IN "
        )
        self.cooldown_sql = (
            f"INSERT INTO {cooldowns.name} (team_id, user_id, category, last_nudged_at) "
            f"VALUES ({ph}, {ph}, {ph}, {ph}) "
            f"ON CONFLICT (team_id, user_id, category) DO UPDATE SET last_nudged_at = excluded.last_nudged_at "
            f"WHERE {cooldowns.name}.last_nudged_at <= {ph} RETURNING user_id"
        )
        self.nudges_insert = _Insert(
            Nudge,
            ("team_id", "user_id", "category", "rule_id", "channel_id", "message_ts", "created_at"),
            "",
            placeholder=ph,
            dialect=dialect,
        )
        self.outbox_insert = _Insert(
            OutboxMessage,
            (
                "team_id",
                "kind",
                "idempotency_key",
                "method",
                "payload",
                "state",
                "not_before",
                "attempts",
                "created_at",
            ),
            "ON CONFLICT DO NOTHING",
            placeholder=ph,
            dialect=dialect,
        )
        settings = _table(WorkspaceSettings)
        self.tone_settings_sql = (
            "SELECT nudges_enabled, nudge_excluded_channels, tone_rules_added, tone_rules_disabled, tone_rules_file "
            f"FROM {settings.name} WHERE team_id = {ph}"
        )
        workspaces, names, channels = _table(Workspace), _table(CustomerName), _table(Channel)
        self.seen_events_sql = (
            f"SELECT team_id, event_id FROM {_table(ProcessedEvent).name} WHERE team_id = {ph} AND event_id IN "
        )
        self.versions_sql = (
            f"SELECT directory_version, channels_version, settings_version FROM {workspaces.name} WHERE team_id = {ph}"
        )
        self.names_sql = f"SELECT customer_id, name FROM {names.name} WHERE team_id = {ph}"
        self.channels_sql = (
            f"SELECT channel_id, is_watched, customer_id FROM {channels.name} WHERE team_id = {ph} AND channel_id IN "
        )

    @contextmanager
    def transaction(self) -> Iterator[IntakeTransaction]:
        """One write transaction on a pooled driver connection: committed on success, else rolled back."""
        connection = self._engine.raw_connection()
        try:
            cursor = connection.cursor()
            if self.sqlite:
                cursor.execute("BEGIN IMMEDIATE")
            yield IntakeTransaction(self, cursor)
            if self.sqlite:
                cursor.execute("COMMIT")  # a cached statement; connection.commit() prepares it every time
            else:
                connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            connection.close()  # back to the pool


@dataclass(frozen=True)
class ToneSettingsRow:
    """The settings that decide who is nudged where, and with which rules, as stored."""

    nudges_enabled: bool
    excluded_channels: str
    rules_added: str
    rules_disabled: str
    rules_file: str


class IntakeTransaction:
    """The hot-path statements, inside one transaction."""

    def __init__(self, intake: Intake, cursor: Any) -> None:
        self._intake = intake
        self._cursor = cursor

    def claim_events(self, keys: Sequence[tuple[str, str]], *, now: datetime) -> set[tuple[str, str]]:
        """Record (team, event id) pairs; returns the ones not seen before."""
        wanted = list(dict.fromkeys(keys))
        rows = [{"team_id": t, "event_id": e, "received_at": now} for t, e in wanted]
        if not self._intake.sqlite:
            return {(r[0], r[1]) for r in self._intake.claim_insert.run(self._cursor, rows)}
        seen: set[tuple[str, str]] = set()
        for team_id in {t for t, _ in wanted}:
            events = [e for t, e in wanted if t == team_id]
            marks = ", ".join(["?"] * len(events))
            self._cursor.execute(f"{self._intake.seen_events_sql}({marks})", (team_id, *events))
            seen.update((r[0], r[1]) for r in self._cursor.fetchall())
        self._intake.claim_insert.run(
            self._cursor, [row for row, key in zip(rows, wanted, strict=True) if key not in seen]
        )
        return {key for key in wanted if key not in seen}

    def team_versions(self, team_id: str) -> tuple[int, int, int]:
        """(directory, channels, settings) versions of the workspace; all 0 for an unknown team."""
        self._cursor.execute(self._intake.versions_sql, (team_id,))
        row = self._cursor.fetchone()
        return (int(row[0]), int(row[1]), int(row[2])) if row is not None else (0, 0, 0)

    def tone_settings(self, team_id: str) -> ToneSettingsRow:
        """The workspace's nudge settings, as stored (the defaults for an unknown team)."""
        self._cursor.execute(self._intake.tone_settings_sql, (team_id,))
        row = self._cursor.fetchone()
        if row is None:
            return ToneSettingsRow(nudges_enabled=True, excluded_channels="", rules_added="", rules_disabled="",
                                   rules_file="")  # fmt: skip
        return ToneSettingsRow(nudges_enabled=bool(row[0]), excluded_channels=row[1] or "", rules_added=row[2] or "",
                               rules_disabled=row[3] or "", rules_file=row[4] or "")  # fmt: skip

    def users_with_nudges_off(self, team_id: str, user_ids: Sequence[str]) -> set[str]:
        """Which of these people turned their nudges off."""
        intake = self._intake
        wanted = list(dict.fromkeys(user_ids))
        off = False if intake.nudge_flag is None else intake.nudge_flag(False)
        marks = ", ".join([intake.placeholder] * len(wanted))
        self._cursor.execute(f"{intake.nudges_off_sql}({marks})", (team_id, off, *wanted))
        return {str(r[0]) for r in self._cursor.fetchall()}

    def start_cooldown(self, team_id: str, user_id: str, category: str, *, now: datetime, cutoff: datetime) -> bool:
        """Start a person's cool-down in a category unless one began after `cutoff`; True if this one started."""
        intake = self._intake
        process = intake.nudge_time or (lambda value: value)
        self._cursor.execute(intake.cooldown_sql, (team_id, user_id, category, process(now), process(cutoff)))
        return self._cursor.fetchone() is not None

    def add_nudges(self, nudges: Sequence[Mapping[str, Any]], outbox: Sequence[Mapping[str, Any]]) -> None:
        """Record nudges (never their text) and queue the ephemeral messages that show them."""
        if nudges:
            self._intake.nudges_insert.run(self._cursor, nudges)
        if outbox:
            self._intake.outbox_insert.run(self._cursor, outbox)

    def customer_names(self, team_id: str) -> list[tuple[int, str]]:
        """Every (customer id, name or alias) of the workspace."""
        self._cursor.execute(self._intake.names_sql, (team_id,))
        return [(int(r[0]), str(r[1])) for r in self._cursor.fetchall()]

    def watch_channels(self, team_id: str, channel_ids: Sequence[str], *, now: datetime) -> dict[str, int | None]:
        """Mark channels watched (creating their rows as needed); returns each one's linked customer."""
        wanted = list(dict.fromkeys(channel_ids))
        marks = ", ".join([self._intake.placeholder] * len(wanted))
        self._cursor.execute(f"{self._intake.channels_sql}({marks})", (team_id, *wanted))
        rows = self._cursor.fetchall()
        linked: dict[str, int | None] = {r[0]: (None if r[2] is None else int(r[2])) for r in rows}
        stale = [c for c in wanted if c not in linked] + [r[0] for r in rows if not r[1]]
        self._intake.watch_insert.run(
            self._cursor,
            [dict(team_id=team_id, channel_id=c, name="", is_watched=True, is_shared=False, customer_id=None,
                  joined_at=None, updated_at=now) for c in stale],
        )  # fmt: skip
        return {c: linked.get(c) for c in wanted}

    def add_mentions(self, rows: Sequence[Mapping[str, Any]]) -> set[tuple[str, str, int]]:
        """Insert mentions, skipping ones already stored; (channel, ts, customer) of the new ones."""
        return {(r[0], r[1], int(r[2])) for r in self._intake.mentions_insert.run(self._cursor, rows)}

    def add_waits(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Record customers' messages as waiting for an answer; a message already recorded is left as it is."""
        if rows:
            self._intake.waits_insert.run(self._cursor, rows)

    def answer_waits(self, answers: Sequence[tuple[str, str, str | None, datetime, str]], *, now: datetime) -> None:
        """Mark waits answered, for each (team, channel, thread ts or None, message time, member).

        A thread reply answers its thread's parent; a top-level message answers every message of the channel
        still waiting from before it.
        """
        intake, cursor = self._intake, self._cursor
        process = intake.wait_time or (lambda value: value)
        closed_at = process(now)
        for team_id, channel_id, thread_ts, posted_at, user_id in answers:
            if thread_ts is None:
                cursor.execute(intake.answer_earlier_sql, (user_id, closed_at, team_id, channel_id, process(posted_at)))
            else:
                cursor.execute(intake.answer_thread_sql, (user_id, closed_at, team_id, channel_id, thread_ts))
