"""The statements run for every new message in a watched channel, on the database driver's own connection.

Every message of every watched channel passes through here, so this path skips SQLAlchemy's per-statement
machinery (it cost more than the writes themselves): the SQL is written once per dialect, in the
``INSERT … ON CONFLICT … RETURNING`` form SQLite (3.35+) and PostgreSQL share; values go through each column's
own bind processor, so rows are stored exactly as the ORM stores them; the transaction is the driver's, begun
as ``BEGIN IMMEDIATE`` on SQLite like every other write. Everything else goes through the other modules of
``bot.db.queries``, and the rows inserted here are built by their ``new_row`` constructors, so both paths store
the same values.

Unlike the other modules, a transaction here serves a batch of messages from several workspaces at once: the
reads and the per-person writes take ``team_id``; the batch inserts take rows that each carry their own.
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
    TriageMessage,
    UserSettings,
    Workspace,
    WorkspaceSettings,
)
from bot.db.queries import channels as channel_rows
from bot.db.queries import events as event_rows
from bot.db.queries import outbox as outbox_rows
from bot.db.queries import triage as triage_rows
from bot.db.session import begin_sqlite

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


@dataclass(frozen=True)
class _Shape:
    """The parts of an INSERT of one set of columns, and how each column's values go to the driver."""

    columns: tuple[str, ...]
    head: str
    row: str
    processors: list[Callable[[Any], Any] | None]


class _Insert:
    """A multi-row INSERT with its tail (ON CONFLICT …, RETURNING …), of the columns the rows' constructor builds.

    The SQL for a set of columns is written the first time rows of that shape come, then reused.
    """

    def __init__(self, model: type[Any], tail: str, *, placeholder: str, dialect: Any) -> None:
        self._table = _table(model)
        self._placeholder = placeholder
        self._dialect = dialect
        self._tail = " " + tail
        self._returns = "RETURNING" in tail
        self._shapes: dict[tuple[str, ...], _Shape] = {}

    def _shape(self, columns: tuple[str, ...]) -> _Shape:
        shape = self._shapes.get(columns)
        if shape is None:
            shape = _Shape(
                columns=columns,
                head=f"INSERT INTO {self._table.name} ({', '.join(columns)}) VALUES ",
                row="(" + ", ".join([self._placeholder] * len(columns)) + ")",
                processors=[_bind_processor(self._table, name, self._dialect) for name in columns],
            )
            self._shapes[columns] = shape  # a race only builds the same shape twice
        return shape

    def run(self, cursor: Any, rows: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
        """Insert the rows, all built by one constructor (in chunks); the RETURNING rows, if the statement returns
        any."""
        returned: list[tuple[Any, ...]] = []
        if not rows:
            return returned
        shape = self._shape(tuple(rows[0]))
        for start in range(0, len(rows), MAX_ROWS_PER_STATEMENT):
            chunk = rows[start : start + MAX_ROWS_PER_STATEMENT]
            params = [
                value if process is None else process(value)
                for row in chunk
                for value, process in zip((row[c] for c in shape.columns), shape.processors, strict=True)
            ]
            cursor.execute(shape.head + ", ".join([shape.row] * len(chunk)) + self._tail, params)
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
            "ON CONFLICT DO NOTHING" if self.sqlite else "ON CONFLICT DO NOTHING RETURNING team_id, event_id",
            placeholder=ph,
            dialect=dialect,
        )
        self.mentions_insert = _Insert(
            Mention,
            "ON CONFLICT DO NOTHING RETURNING channel_id, message_ts, customer_id",
            placeholder=ph,
            dialect=dialect,
        )
        self.watch_insert = _Insert(
            Channel,
            "ON CONFLICT (team_id, channel_id) DO UPDATE SET is_watched = excluded.is_watched, "
            "updated_at = excluded.updated_at",
            placeholder=ph,
            dialect=dialect,
        )
        # Customers' messages waiting for an answer: only linked channels ever run these.
        self.waits_insert = _Insert(CustomerWait, "ON CONFLICT DO NOTHING", placeholder=ph, dialect=dialect)
        waits = _table(CustomerWait)
        self.wait_time = waits.c.posted_at.type.bind_processor(dialect)
        # A wait already alerted is answered too (its first response, however late); one listed on a triage
        # message names it, so that message can be updated.
        answer = (
            f"UPDATE {waits.name} SET state = 'answered', answered_by = {ph}, closed_at = {ph} "
            f"WHERE team_id = {ph} AND channel_id = {ph} AND state IN ('waiting', 'alerted') AND "
        )
        self.answer_earlier_sql = answer + f"posted_at < {ph} RETURNING triage_id"
        self.answer_thread_sql = answer + f"message_ts = {ph} RETURNING triage_id"
        # A triage message whose waits got an answer: a new version (one chat.update), closed once none still waits.
        triage = _table(TriageMessage)
        still_waiting = (
            f"EXISTS (SELECT 1 FROM {waits.name} WHERE {waits.name}.triage_id = {triage.name}.id AND state = 'alerted')"
        )
        self.triage_time = triage.c.closed_at.type.bind_processor(dialect)
        self.triage_answered_sql = (
            f"UPDATE {triage.name} SET version = version + 1, "
            f"closed_at = CASE WHEN {still_waiting} THEN closed_at ELSE {ph} END, "
            f"closed_by = CASE WHEN {still_waiting} THEN closed_by ELSE {ph} END, "
            f"is_open = CASE WHEN {still_waiting} THEN is_open ELSE NULL END "
            f"WHERE id = {ph} AND is_open IS NOT NULL RETURNING team_id, version, post_outbox_id"
        )
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
        self.nudges_insert = _Insert(Nudge, "", placeholder=ph, dialect=dialect)
        self.outbox_insert = _Insert(OutboxMessage, "ON CONFLICT DO NOTHING", placeholder=ph, dialect=dialect)
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
        self.names_sql = f"SELECT customer_id, name, exact FROM {names.name} WHERE team_id = {ph}"
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
                begin_sqlite(cursor)
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
        """Record (team, event id) pairs, of any workspaces; returns the ones not seen before."""
        wanted = list(dict.fromkeys(keys))
        rows = [event_rows.new_row(team_id=t, event_id=e, now=now) for t, e in wanted]
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

    def team_versions(self, *, team_id: str) -> tuple[int, int, int]:
        """(directory, channels, settings) versions of the workspace; all 0 for an unknown team."""
        self._cursor.execute(self._intake.versions_sql, (team_id,))
        row = self._cursor.fetchone()
        return (int(row[0]), int(row[1]), int(row[2])) if row is not None else (0, 0, 0)

    def tone_settings(self, *, team_id: str) -> ToneSettingsRow:
        """The workspace's nudge settings, as stored (the defaults for an unknown team)."""
        self._cursor.execute(self._intake.tone_settings_sql, (team_id,))
        row = self._cursor.fetchone()
        if row is None:
            return ToneSettingsRow(
                nudges_enabled=True, excluded_channels="", rules_added="", rules_disabled="", rules_file=""
            )
        return ToneSettingsRow(
            nudges_enabled=bool(row[0]),
            excluded_channels=row[1] or "",
            rules_added=row[2] or "",
            rules_disabled=row[3] or "",
            rules_file=row[4] or "",
        )

    def users_with_nudges_off(self, *, team_id: str, user_ids: Sequence[str]) -> set[str]:
        """Which of these people turned their nudges off."""
        intake = self._intake
        wanted = list(dict.fromkeys(user_ids))
        off = False if intake.nudge_flag is None else intake.nudge_flag(False)
        marks = ", ".join([intake.placeholder] * len(wanted))
        self._cursor.execute(f"{intake.nudges_off_sql}({marks})", (team_id, off, *wanted))
        return {str(r[0]) for r in self._cursor.fetchall()}

    def start_cooldown(self, *, team_id: str, user_id: str, category: str, now: datetime, cutoff: datetime) -> bool:
        """Start a person's cool-down in a category unless one began after `cutoff`; True if this one started."""
        intake = self._intake
        process = intake.nudge_time or (lambda value: value)
        self._cursor.execute(intake.cooldown_sql, (team_id, user_id, category, process(now), process(cutoff)))
        return self._cursor.fetchone() is not None

    def add_nudges(self, *, nudges: Sequence[Mapping[str, Any]], outbox: Sequence[Mapping[str, Any]]) -> None:
        """Record nudges (never their text) and queue the ephemeral messages that show them.

        The rows come from settings.new_nudge_row and outbox.new_row.
        """
        if nudges:
            self._intake.nudges_insert.run(self._cursor, nudges)
        if outbox:
            self._intake.outbox_insert.run(self._cursor, outbox)

    def customer_names(self, *, team_id: str) -> list[tuple[int, str, bool | None]]:
        """Every (customer id, name or alias, exact) of the workspace."""
        self._cursor.execute(self._intake.names_sql, (team_id,))
        return [(int(r[0]), str(r[1]), None if r[2] is None else bool(r[2])) for r in self._cursor.fetchall()]

    def watch_channels(self, *, team_id: str, channel_ids: Sequence[str], now: datetime) -> dict[str, int | None]:
        """Mark channels watched (creating their rows as needed); returns each one's linked customer."""
        wanted = list(dict.fromkeys(channel_ids))
        marks = ", ".join([self._intake.placeholder] * len(wanted))
        self._cursor.execute(f"{self._intake.channels_sql}({marks})", (team_id, *wanted))
        rows = self._cursor.fetchall()
        linked: dict[str, int | None] = {r[0]: (None if r[2] is None else int(r[2])) for r in rows}
        stale = [c for c in wanted if c not in linked] + [r[0] for r in rows if not r[1]]
        self._intake.watch_insert.run(
            self._cursor,
            [channel_rows.new_row(team_id=team_id, channel_id=c, is_watched=True, now=now) for c in stale],
        )
        return {c: linked.get(c) for c in wanted}

    def add_mentions(self, rows: Sequence[Mapping[str, Any]]) -> set[tuple[str, str, int]]:
        """Insert mentions (from mentions.new_row, of any workspaces), skipping ones already stored; (channel, ts,
        customer) of the new ones."""
        return {(r[0], r[1], int(r[2])) for r in self._intake.mentions_insert.run(self._cursor, rows)}

    def add_waits(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Record customers' messages (from waits.new_row, of any workspaces) as waiting for an answer; a message
        already recorded is left as it is."""
        if rows:
            self._intake.waits_insert.run(self._cursor, rows)

    def answer_waits(self, answers: Sequence[tuple[str, str, str | None, datetime, str]], *, now: datetime) -> int:
        """Mark waits answered, for each (team, channel, thread ts or None, message time, member), of any workspaces;
        how many triage-message updates this queued.

        A thread reply answers its thread's parent; a top-level message answers every message of the channel
        still waiting (or alerted) from before it.
        """
        intake, cursor = self._intake, self._cursor
        process = intake.wait_time or (lambda value: value)
        closed_at = process(now)
        answered: dict[int, str] = {}  # triage message: the member whose answer reached it
        for team_id, channel_id, thread_ts, posted_at, user_id in answers:
            if thread_ts is None:
                cursor.execute(intake.answer_earlier_sql, (user_id, closed_at, team_id, channel_id, process(posted_at)))
            else:
                cursor.execute(intake.answer_thread_sql, (user_id, closed_at, team_id, channel_id, thread_ts))
            answered.update((int(r[0]), user_id) for r in cursor.fetchall() if r[0] is not None)
        return self._answered_triage(answered, now=now) if answered else 0

    def _answered_triage(self, answered: Mapping[int, str], *, now: datetime) -> int:
        """A new version of each triage message whose waits were just answered, and its chat.update queued."""
        intake, cursor = self._intake, self._cursor
        closed_at = (intake.triage_time or (lambda value: value))(now)
        rows = []
        for triage_id, user_id in sorted(answered.items()):
            cursor.execute(intake.triage_answered_sql, (closed_at, user_id, triage_id))
            found = cursor.fetchone()
            if found is None or found[2] is None:
                continue  # closed already, or never posted
            team_id, version = str(found[0]), int(found[1])
            rows.append(
                outbox_rows.new_row(
                    team_id=team_id,
                    kind=triage_rows.TRIAGE_UPDATE,
                    idempotency_key=triage_rows.update_key(triage_id, version),
                    method="chat.update",
                    payload=triage_rows.update_payload(triage_id, version),
                    not_before=now,
                    now=now,
                    depends_on_id=int(found[2]),
                )
            )
        if rows:
            intake.outbox_insert.run(cursor, rows)
        return len(rows)
