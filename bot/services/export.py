"""`rapport export`: a workspace's customers, mentions, follow-ups and stories as CSV files or one JSON file,
for audits and for leaving.

Everything is read in one transaction, so the files agree with each other. Excerpts older than the workspace's
retention period are left out even if the daily retention job has not dropped them yet. The files are written
under temporary names and renamed once all of them are complete, so a failed export leaves nothing half-written.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TextIO

from sqlalchemy.orm import Session

from bot.db.models import Customer, FollowUp, Story
from bot.db.queries import export as export_rows
from bot.db.queries import workspaces as workspace_rows
from bot.db.session import READ_ONLY
from bot.domain.errors import RapportError
from bot.runtime.deps import Deps

Format = Literal["csv", "json"]
Record = dict[str, Any]

CUSTOMER_FIELDS = (
    "id",
    "name",
    "aliases",
    "owner_user_id",
    "since",
    "linked_channels",
    "created_at",
    "notes",
    "backup_user_id",
)
MENTION_FIELDS = (
    "customer_id",
    "customer_name",
    "channel_id",
    "message_ts",
    "thread_ts",
    "user_id",
    "mentioned_at",
    "excerpt",
)
FOLLOWUP_FIELDS = (
    "id",
    "owner_user_id",
    "customer_id",
    "customer_name",
    "kind",
    "note",
    "due_at",
    "state",
    "created_by",
    "created_at",
    "closed_by",
    "closed_at",
    "source_channel_id",
    "source_ts",
)
STORY_FIELDS = (
    "id",
    "via",
    "created_at",
    "created_by",
    "credited",
    "recognised_by",
    "customer_id",
    "customer_name",
    "principle",
    "text",
    "source_channel_id",
    "source_ts",
)

SECTIONS = ("customers", "mentions", "followups", "stories")
FIELDS: Mapping[str, tuple[str, ...]] = {
    "customers": CUSTOMER_FIELDS,
    "mentions": MENTION_FIELDS,
    "followups": FOLLOWUP_FIELDS,
    "stories": STORY_FIELDS,
}
JSON_FILE = "rapport-export.json"
LIST_SEPARATOR = ";"  # as `rapport customers import` reads aliases
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH_SIZE = 1000
DEFAULT_RETENTION_DAYS = 90  # WorkspaceSettings' default, for a workspace that never saved its settings


class ExportRefused(RapportError):
    """The export cannot be made as asked: unknown workspace, files already there, or no folder to write to."""


@dataclass(frozen=True)
class ExportedFile:
    """One file written, and how many rows of each kind it holds."""

    path: Path
    rows: Mapping[str, int]


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote."""

    team_id: str
    exported_at: datetime
    files: tuple[ExportedFile, ...]


# --- choosing the workspace -------------------------------------------------------------------------------


def choose_team(deps: Deps, *, team_id: str | None) -> str:
    """The workspace to export: the one asked for, or the only one the database holds."""
    with deps.session_factory.begin() as session:
        known = list(workspace_rows.all_team_ids(session))
    return team_to_export(requested=team_id, known=known)


def team_to_export(*, requested: str | None, known: Sequence[str]) -> str:
    """The requested team if the database holds it, else the only team there is; ExportRefused otherwise."""
    if not known:
        raise ExportRefused(
            "The database holds no workspace yet: Rapport records one when it first runs with a bot token."
        )
    listed = ", ".join(known)
    if requested is None:
        if len(known) > 1:
            raise ExportRefused(f"The database holds {len(known)} workspaces ({listed}): choose one with --team.")
        return known[0]
    if requested not in known:
        raise ExportRefused(f"The database holds no workspace {requested}; its workspaces are: {listed}.")
    return requested


def default_output_dir(*, team_id: str, now: datetime) -> Path:
    """Where an export goes unless told otherwise: ./rapport-export-<team>-<YYYYMMDD>."""
    return Path(f"rapport-export-{team_id}-{now.astimezone(UTC):%Y%m%d}")


_ROW_NAMES = {
    "customers": ("customer", "customers"),
    "mentions": ("mention", "mentions"),
    "followups": ("follow-up", "follow-ups"),
    "stories": ("story", "stories"),
}


def describe_rows(rows: Mapping[str, int]) -> str:
    """What a file holds, for people: "2 customers, 1 mention"."""
    return ", ".join(f"{count} {_ROW_NAMES[kind][count != 1]}" for kind, count in rows.items())


def file_names(fmt: Format) -> tuple[str, ...]:
    """The files an export in this format writes."""
    return (JSON_FILE,) if fmt == "json" else tuple(f"{section}.csv" for section in SECTIONS)


# --- rows: pure shaping of stored rows into export records ------------------------------------------------


def excerpt_to_export(excerpt: str | None, *, mentioned_at: datetime, expire_before: datetime) -> str | None:
    """The stored excerpt, or None once it is older than the retention period."""
    return None if mentioned_at < expire_before else excerpt


def customer_record(customer: Customer, *, linked_channels: Sequence[str]) -> Record:
    """A customer as exported."""
    return {
        "id": customer.id,
        "name": customer.name,
        "aliases": customer.aliases,
        "owner_user_id": customer.owner_user_id,
        "since": customer.since,
        "linked_channels": list(linked_channels),
        "created_at": customer.created_at,
        "notes": customer.notes,
        "backup_user_id": customer.backup_user_id,
    }


def mention_record(mention: export_rows.ExportMention, *, expire_before: datetime) -> Record:
    """A mention as exported, without its excerpt once that has expired."""
    return {
        "customer_id": mention.customer_id,
        "customer_name": mention.customer_name,
        "channel_id": mention.channel_id,
        "message_ts": mention.message_ts,
        "thread_ts": mention.thread_ts,
        "user_id": mention.user_id,
        "mentioned_at": mention.mentioned_at,
        "excerpt": excerpt_to_export(mention.excerpt, mentioned_at=mention.mentioned_at, expire_before=expire_before),
    }


def followup_record(followup: FollowUp, *, customer_name: str | None) -> Record:
    """A follow-up as exported."""
    return {
        "id": followup.id,
        "owner_user_id": followup.owner_user_id,
        "customer_id": followup.customer_id,
        "customer_name": customer_name,
        "kind": followup.kind,
        "note": followup.note,
        "due_at": followup.due_at,
        "state": followup.state,
        "created_by": followup.created_by,
        "created_at": followup.created_at,
        "closed_by": followup.closed_by,
        "closed_at": followup.closed_at,
        "source_channel_id": followup.source_channel_id,
        "source_ts": followup.source_ts,
    }


def story_record(
    story: Story, *, customer_name: str | None, credited: Sequence[str], recognised_by: Sequence[str]
) -> Record:
    """A story as exported."""
    return {
        "id": story.id,
        "via": story.via,
        "created_at": story.created_at,
        "created_by": story.created_by,
        "credited": list(credited),
        "recognised_by": list(recognised_by),
        "customer_id": story.customer_id,
        "customer_name": customer_name,
        "principle": story.principle,
        "text": story.text,
        "source_channel_id": story.source_channel_id,
        "source_ts": story.source_ts,
    }


def iso_datetime(value: datetime) -> str:
    """An instant in ISO 8601, in UTC with a Z."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def json_value(value: Any) -> Any:
    """A record's value as JSON holds it: dates and times as ISO strings, everything else as it is."""
    if isinstance(value, datetime):
        return iso_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_cell(value: Any) -> str:
    """A record's value as a CSV cell: blank for nothing, lists joined with ;, text a spreadsheet cannot run."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return iso_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    text = LIST_SEPARATOR.join(value) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# --- reading ----------------------------------------------------------------------------------------------


def _customers(session: Session, *, team_id: str) -> Iterator[Record]:
    linked = export_rows.linked_channels(session, team_id=team_id)
    for customer in export_rows.customers(session, team_id=team_id):
        yield customer_record(customer, linked_channels=linked.get(customer.id, []))


def _mentions(session: Session, *, team_id: str, expire_before: datetime, batch_size: int) -> Iterator[Record]:
    for mention in export_rows.mentions(session, team_id=team_id, batch_size=batch_size):
        yield mention_record(mention, expire_before=expire_before)


def _followups(session: Session, *, team_id: str, batch_size: int) -> Iterator[Record]:
    for followup, customer_name in export_rows.followups(session, team_id=team_id, batch_size=batch_size):
        yield followup_record(followup, customer_name=customer_name)


def _stories(session: Session, *, team_id: str, batch_size: int) -> Iterator[Record]:
    credits = export_rows.story_credits(session, team_id=team_id)
    recognisers = export_rows.story_recognisers(session, team_id=team_id)
    for story, customer_name in export_rows.stories(session, team_id=team_id, batch_size=batch_size):
        yield story_record(
            story,
            customer_name=customer_name,
            credited=credits.get(story.id, []),
            recognised_by=recognisers.get(story.id, []),
        )


def _begin_snapshot(session: Session) -> None:
    """Read every table from one snapshot, without holding up the bot's writers."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True})
    else:  # a deferred BEGIN: in WAL mode a reader sees one snapshot and never blocks a writer
        session.connection(execution_options={READ_ONLY: True})


# --- writing ----------------------------------------------------------------------------------------------


def _write_csv(handle: TextIO, *, fields: Sequence[str], records: Iterable[Record]) -> int:
    writer = csv.writer(handle)
    writer.writerow(fields)
    count = 0
    for record in records:
        writer.writerow([csv_cell(record[field]) for field in fields])
        count += 1
    return count


def _write_json(
    handle: TextIO,
    *,
    team_id: str,
    exported_at: datetime,
    sections: Sequence[tuple[str, Callable[[], Iterable[Record]]]],
) -> dict[str, int]:
    """One JSON object, written a row at a time so the mentions never sit in memory all at once."""
    counts: dict[str, int] = {}
    handle.write("{\n")
    handle.write(f'  "team_id": {json.dumps(team_id)},\n')
    handle.write(f'  "exported_at": {json.dumps(iso_datetime(exported_at))}')
    for name, records in sections:
        handle.write(f",\n  {json.dumps(name)}: [")
        count = 0
        for record in records():
            row = {field: json_value(value) for field, value in record.items()}
            handle.write(("\n    " if count == 0 else ",\n    ") + json.dumps(row, ensure_ascii=False))
            count += 1
        handle.write("\n  ]" if count else "]")
        counts[name] = count
    handle.write("\n}\n")
    return counts


def _prepare_folder(out_dir: Path, *, names: Sequence[str], overwrite: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportRefused(f"{out_dir} is a file, not a folder: give --output a folder to write the export to.")
    present = [name for name in names if (out_dir / name).exists()]
    if present and not overwrite:
        raise ExportRefused(
            f"{out_dir} already holds {', '.join(present)}: choose another --output, or add --force to replace them."
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportRefused(f"Cannot create the folder {out_dir}: {error.strerror or error}.") from None


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


# --- the use case -----------------------------------------------------------------------------------------


def export_workspace(
    deps: Deps,
    *,
    team_id: str,
    now: datetime,
    fmt: Format,
    out_dir: Path,
    overwrite: bool = False,
    batch_size: int = BATCH_SIZE,
) -> ExportReport:
    """Write the workspace's customers, mentions, follow-ups and stories to `out_dir`, read in one transaction."""
    names = file_names(fmt)
    written: list[ExportedFile] = []
    started: list[Path] = []  # partial files to remove if anything fails
    try:
        with deps.session_factory.begin() as session:
            _begin_snapshot(session)
            team_to_export(requested=team_id, known=workspace_rows.all_team_ids(session))
            _prepare_folder(out_dir, names=names, overwrite=overwrite)
            retention = export_rows.retention_days(session, team_id=team_id)
            expire_before = now - timedelta(days=DEFAULT_RETENTION_DAYS if retention is None else retention)
            sections: list[tuple[str, Callable[[], Iterable[Record]]]] = [
                ("customers", lambda: _customers(session, team_id=team_id)),
                (
                    "mentions",
                    lambda: _mentions(session, team_id=team_id, expire_before=expire_before, batch_size=batch_size),
                ),
                ("followups", lambda: _followups(session, team_id=team_id, batch_size=batch_size)),
                ("stories", lambda: _stories(session, team_id=team_id, batch_size=batch_size)),
            ]
            if fmt == "json":
                path = out_dir / JSON_FILE
                started.append(_partial(path))
                with _partial(path).open("w", encoding="utf-8", newline="\n") as handle:
                    counts = _write_json(handle, team_id=team_id, exported_at=now, sections=sections)
                written.append(ExportedFile(path=path, rows=counts))
            else:
                for section, records in sections:
                    path = out_dir / f"{section}.csv"
                    started.append(_partial(path))
                    with _partial(path).open("w", encoding="utf-8", newline="") as handle:
                        count = _write_csv(handle, fields=FIELDS[section], records=records())
                    written.append(ExportedFile(path=path, rows={section: count}))
    except BaseException:
        for partial in started:
            partial.unlink(missing_ok=True)
        raise
    for exported in written:
        os.replace(_partial(exported.path), exported.path)
    return ExportReport(team_id=team_id, exported_at=now, files=tuple(written))
