"""`rapport export` on a real database: exact files, retention, formula-safe CSV, and never another workspace."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.db.models import Channel, Customer, CustomerName, FollowUp, Mention, Story, StoryCredit, StoryRecognition
from bot.db.queries import settings as settings_rows
from bot.db.queries import workspaces as workspace_rows
from bot.runtime.deps import Deps
from bot.services import export
from tests.conftest import TEAM

OTHER = "T0OTHER01"
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
RETENTION_DAYS = 30


def _customer(
    deps: Deps,
    team_id: str,
    name: str,
    *,
    aliases: tuple[str, ...] = (),
    owner: str = "U0LEE",
    since: date | None = None,
    notes: str = "",
    added: datetime,
    channels: tuple[str, ...] = (),
    backup: str | None = None,
) -> int:
    with deps.session_factory.begin() as session:
        customer = Customer(
            team_id=team_id,
            name=name,
            owner_user_id=owner,
            backup_user_id=backup,
            since=since,
            notes=notes,
            created_by="U0DANA",
            created_at=added,
        )
        session.add(customer)
        session.flush()
        for i, each in enumerate((name, *aliases)):
            session.add(
                CustomerName(
                    team_id=team_id, customer_id=customer.id, name=each, name_key=each.casefold(), is_primary=i == 0
                )
            )
        for channel_id in channels:
            session.add(
                Channel(
                    team_id=team_id,
                    channel_id=channel_id,
                    is_watched=True,
                    is_shared=True,
                    customer_id=customer.id,
                    updated_at=added,
                )
            )
        return customer.id


def _mention(
    deps: Deps,
    team_id: str,
    customer_id: int,
    *,
    channel: str,
    ts: str,
    at: datetime,
    excerpt: str | None,
    user: str = "U0DANA",
    thread_ts: str | None = None,
) -> None:
    with deps.session_factory.begin() as session:
        session.add(
            Mention(
                team_id=team_id,
                customer_id=customer_id,
                channel_id=channel,
                message_ts=ts,
                thread_ts=thread_ts,
                user_id=user,
                mentioned_at=at,
                excerpt=excerpt,
            )
        )


def _followup(
    deps: Deps,
    team_id: str,
    *,
    customer_id: int | None,
    note: str,
    due: datetime,
    state: str = "open",
    closed: datetime | None = None,
    source: tuple[str, str] | None = None,
    kind: str = "followup",
) -> int:
    with deps.session_factory.begin() as session:
        followup = FollowUp(
            team_id=team_id,
            owner_user_id="U0LEE",
            customer_id=customer_id,
            kind=kind,
            note=note,
            due_at=due,
            state=state,
            reminders_sent=0,
            created_by="U0DANA",
            created_at=due - timedelta(days=2),
            closed_by="U0LEE" if closed else None,
            closed_at=closed,
            source_channel_id=source[0] if source else None,
            source_ts=source[1] if source else None,
        )
        session.add(followup)
        session.flush()
        return followup.id


def _story(
    deps: Deps,
    team_id: str,
    *,
    text: str,
    at: datetime,
    via: str = "kudos",
    credited: tuple[str, ...],
    recognisers: tuple[tuple[str, str, datetime], ...] = (),
    customer_id: int | None = None,
    principle: str | None = None,
    source: tuple[str, str] | None = None,
) -> int:
    with deps.session_factory.begin() as session:
        story = Story(
            team_id=team_id,
            via=via,
            text=text,
            created_at=at,
            created_by="U0DANA",
            principle=principle,
            customer_id=customer_id,
            source_channel_id=source[0] if source else None,
            source_ts=source[1] if source else None,
            generation=0,
            version=0,
        )
        session.add(story)
        session.flush()
        for user in credited:
            session.add(StoryCredit(story_id=story.id, user_id=user, team_id=team_id))
        for user, emoji, when in recognisers:
            session.add(
                StoryRecognition(story_id=story.id, user_id=user, emoji=emoji, team_id=team_id, created_at=when)
            )
        return story.id


def _workspace(deps: Deps, team_id: str, *, retention_days: int) -> None:
    with deps.session_factory.begin() as session:
        settings_rows.of_workspace(session, team_id=team_id, now=NOW).retention_days = retention_days


def seed(deps: Deps) -> dict[str, int]:
    """Two workspaces whose ids interleave; only TEAM's rows may ever be exported."""
    _workspace(deps, TEAM, retention_days=RETENTION_DAYS)
    _workspace(deps, OTHER, retention_days=365)
    ids: dict[str, int] = {}
    ids["acme"] = _customer(
        deps,
        TEAM,
        "Acme Corp",
        aliases=("Acme", "ACME Inc"),
        since=date(2019, 4, 1),
        notes="Prefers a call, not email",
        added=datetime(2026, 1, 5, 10, 0, tzinfo=UTC),
        channels=("C0ACME", "C0ACME2"),
        backup="U0STEPH",
    )
    ids["other_acme"] = _customer(
        deps,
        OTHER,
        "Acme Corp",
        aliases=("Acme",),
        owner="U0SPY",
        added=datetime(2026, 1, 6, tzinfo=UTC),
        channels=("C0SPY",),
    )
    ids["globex"] = _customer(
        deps,
        TEAM,
        '=HYPERLINK("http://x")',
        aliases=("-Globex", "@Globex"),
        owner="U0DANA",
        notes="+1 555 0100",
        added=datetime(2026, 2, 1, 9, 30, 15, tzinfo=UTC),
    )

    day = timedelta(days=1)
    _mention(
        deps,
        TEAM,
        ids["acme"],
        channel="C0SUPPORT",
        ts="1763300000.000100",
        at=NOW - 5 * day,
        excerpt="Acme needs a new drive, today",
        thread_ts="1763299000.000200",
    )
    # Older than the retention period: the daily job has not run yet, but the excerpt must not leave.
    _mention(
        deps,
        TEAM,
        ids["acme"],
        channel="C0ACME",
        ts="1760000000.000100",
        at=NOW - 40 * day,
        excerpt="private words from long ago",
    )
    _mention(
        deps,
        TEAM,
        ids["acme"],
        channel="C0ACME",
        ts="1760900000.000100",
        at=NOW - RETENTION_DAYS * day,
        excerpt="exactly at the edge: kept",
    )
    _mention(
        deps,
        TEAM,
        ids["acme"],
        channel="C0ACME",
        ts="1760899999.000100",
        at=NOW - RETENTION_DAYS * day - timedelta(seconds=1),
        excerpt="a second too old",
    )
    _mention(
        deps,
        TEAM,
        ids["globex"],
        channel="C0SUPPORT",
        ts="1763800000.000100",
        at=NOW - day,
        excerpt="=1+2 says Globex",
        user="U0LEE",
    )
    _mention(
        deps,
        TEAM,
        ids["globex"],
        channel="C0SUPPORT",
        ts="1763810000.000100",
        at=NOW - timedelta(hours=2),
        excerpt=None,
    )
    _mention(
        deps,
        OTHER,
        ids["other_acme"],
        channel="C0SPY",
        ts="1763300000.000100",
        at=NOW - 5 * day,
        excerpt="the other team's secret",
    )

    ids["open"] = _followup(
        deps,
        TEAM,
        customer_id=ids["acme"],
        note="call back about the drive",
        due=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
        source=("C0SUPPORT", "1763300000.000100"),
    )
    _followup(deps, OTHER, customer_id=ids["other_acme"], note="spy on them", due=NOW)
    ids["done"] = _followup(
        deps,
        TEAM,
        customer_id=None,
        note="check the invoice\nwas fixed",
        due=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
        state="done",
        closed=datetime(2026, 11, 20, 11, 45, 30, 250000, tzinfo=UTC),
        kind="checkin",
    )

    ids["kudos"] = _story(
        deps,
        TEAM,
        text='Stayed late, fixed the "drive"',
        at=NOW - 2 * day,
        credited=("U0STEPH", "U0LEE"),
        customer_id=ids["acme"],
        principle="follow_up",
        recognisers=(
            ("U0KIRI", "star2", NOW - day),
            ("U0DANA", "", NOW - 2 * day),
            ("U0KIRI", "tada", NOW - 2 * day + timedelta(hours=1)),
        ),
    )
    _story(deps, OTHER, text="other team's story", at=NOW, credited=("U0SPY",), recognisers=(("U0SPY", "", NOW),))
    ids["reaction"] = _story(
        deps,
        TEAM,
        text="@here look",
        at=NOW - day,
        via="reaction",
        credited=("U0DANA",),
        source=("C0SUPPORT", "1763800000.000100"),
    )
    return ids


def test_csv_files_hold_exactly_the_workspace_rows(deps: Deps, tmp_path: Path) -> None:
    ids = seed(deps)
    report = export.export_workspace(deps, team_id=TEAM, now=NOW, fmt="csv", out_dir=tmp_path / "out", batch_size=2)
    out = tmp_path / "out"
    assert [(f.path, dict(f.rows)) for f in report.files] == [
        (out / "customers.csv", {"customers": 2}),
        (out / "mentions.csv", {"mentions": 6}),
        (out / "followups.csv", {"followups": 2}),
        (out / "stories.csv", {"stories": 2}),
    ]
    assert sorted(p.name for p in out.iterdir()) == ["customers.csv", "followups.csv", "mentions.csv", "stories.csv"]

    def lines(name: str) -> list[str]:
        raw = (out / name).read_bytes().decode("utf-8")
        assert raw.endswith("\r\n")
        return raw.split("\r\n")[:-1]

    acme, globex = ids["acme"], ids["globex"]
    assert lines("customers.csv") == [
        "id,name,aliases,owner_user_id,since,linked_channels,created_at,notes,backup_user_id",
        f"{acme},Acme Corp,Acme;ACME Inc,U0LEE,2019-04-01,C0ACME;C0ACME2,2026-01-05T10:00:00Z,"
        '"Prefers a call, not email",U0STEPH',
        f'{globex},"\'=HYPERLINK(""http://x"")",\'-Globex;@Globex,U0DANA,,,2026-02-01T09:30:15Z,\'+1 555 0100,',
    ]
    assert lines("mentions.csv") == [
        "customer_id,customer_name,channel_id,message_ts,thread_ts,user_id,mentioned_at,excerpt",
        f"{acme},Acme Corp,C0ACME,1760000000.000100,,U0DANA,2026-10-14T14:00:00Z,",
        f"{acme},Acme Corp,C0ACME,1760899999.000100,,U0DANA,2026-10-24T13:59:59Z,",
        f"{acme},Acme Corp,C0ACME,1760900000.000100,,U0DANA,2026-10-24T14:00:00Z,exactly at the edge: kept",
        f"{acme},Acme Corp,C0SUPPORT,1763300000.000100,1763299000.000200,U0DANA,2026-11-18T14:00:00Z,"
        '"Acme needs a new drive, today"',
        f'{globex},"\'=HYPERLINK(""http://x"")",C0SUPPORT,1763800000.000100,,U0LEE,2026-11-22T14:00:00Z,'
        "'=1+2 says Globex",
        f'{globex},"\'=HYPERLINK(""http://x"")",C0SUPPORT,1763810000.000100,,U0DANA,2026-11-23T12:00:00Z,',
    ]
    assert lines("followups.csv") == [
        "id,owner_user_id,customer_id,customer_name,kind,note,due_at,state,created_by,created_at,closed_by,closed_at,"
        "source_channel_id,source_ts",
        f"{ids['open']},U0LEE,{acme},Acme Corp,followup,call back about the drive,2026-11-25T09:00:00Z,open,U0DANA,"
        "2026-11-23T09:00:00Z,,,C0SUPPORT,1763300000.000100",
        f'{ids["done"]},U0LEE,,,checkin,"check the invoice\nwas fixed",2026-11-20T09:00:00Z,done,U0DANA,'
        "2026-11-18T09:00:00Z,U0LEE,2026-11-20T11:45:30.250000Z,,",
    ]
    assert lines("stories.csv") == [
        "id,via,created_at,created_by,credited,recognised_by,customer_id,customer_name,principle,text,"
        "source_channel_id,source_ts",
        f"{ids['kudos']},kudos,2026-11-21T14:00:00Z,U0DANA,U0LEE;U0STEPH,U0DANA;U0KIRI,{acme},Acme Corp,follow_up,"
        '"Stayed late, fixed the ""drive""",,',
        f"{ids['reaction']},reaction,2026-11-22T14:00:00Z,U0DANA,U0DANA,,,,,'@here look,C0SUPPORT,1763800000.000100",
    ]
    everything = "".join((out / name).read_text(encoding="utf-8") for name in sorted(p.name for p in out.iterdir()))
    for leaked in ("U0SPY", "C0SPY", "secret", "spy on them", "other team", "private words", "a second too old"):
        assert leaked not in everything


def test_json_file_has_the_same_fields_with_lists_and_nulls(deps: Deps, tmp_path: Path) -> None:
    ids = seed(deps)
    tmp_path /= "out"  # the test's SQLite database lives in tmp_path itself
    report = export.export_workspace(deps, team_id=TEAM, now=NOW, fmt="json", out_dir=tmp_path, batch_size=1)
    path = tmp_path / "rapport-export.json"
    assert [(f.path, dict(f.rows)) for f in report.files] == [
        (path, {"customers": 2, "mentions": 6, "followups": 2, "stories": 2})
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rapport-export.json"]
    acme, globex, hyperlink = ids["acme"], ids["globex"], '=HYPERLINK("http://x")'
    mention = {
        "customer_id": acme,
        "customer_name": "Acme Corp",
        "channel_id": "C0ACME",
        "thread_ts": None,
        "user_id": "U0DANA",
    }
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "team_id": TEAM,
        "exported_at": "2026-11-23T14:00:00Z",
        "customers": [
            {
                "id": acme,
                "name": "Acme Corp",
                "aliases": ["Acme", "ACME Inc"],
                "owner_user_id": "U0LEE",
                "since": "2019-04-01",
                "linked_channels": ["C0ACME", "C0ACME2"],
                "created_at": "2026-01-05T10:00:00Z",
                "notes": "Prefers a call, not email",
                "backup_user_id": "U0STEPH",
            },
            {
                "id": globex,
                "name": hyperlink,
                "aliases": ["-Globex", "@Globex"],
                "owner_user_id": "U0DANA",
                "since": None,
                "linked_channels": [],
                "created_at": "2026-02-01T09:30:15Z",
                "notes": "+1 555 0100",
                "backup_user_id": None,
            },
        ],
        "mentions": [
            mention | {"message_ts": "1760000000.000100", "mentioned_at": "2026-10-14T14:00:00Z", "excerpt": None},
            mention | {"message_ts": "1760899999.000100", "mentioned_at": "2026-10-24T13:59:59Z", "excerpt": None},
            mention
            | {
                "message_ts": "1760900000.000100",
                "mentioned_at": "2026-10-24T14:00:00Z",
                "excerpt": "exactly at the edge: kept",
            },
            mention
            | {
                "channel_id": "C0SUPPORT",
                "message_ts": "1763300000.000100",
                "thread_ts": "1763299000.000200",
                "mentioned_at": "2026-11-18T14:00:00Z",
                "excerpt": "Acme needs a new drive, today",
            },
            {
                "customer_id": globex,
                "customer_name": hyperlink,
                "channel_id": "C0SUPPORT",
                "message_ts": "1763800000.000100",
                "thread_ts": None,
                "user_id": "U0LEE",
                "mentioned_at": "2026-11-22T14:00:00Z",
                "excerpt": "=1+2 says Globex",
            },
            {
                "customer_id": globex,
                "customer_name": hyperlink,
                "channel_id": "C0SUPPORT",
                "message_ts": "1763810000.000100",
                "thread_ts": None,
                "user_id": "U0DANA",
                "mentioned_at": "2026-11-23T12:00:00Z",
                "excerpt": None,
            },
        ],
        "followups": [
            {
                "id": ids["open"],
                "owner_user_id": "U0LEE",
                "customer_id": acme,
                "customer_name": "Acme Corp",
                "kind": "followup",
                "note": "call back about the drive",
                "due_at": "2026-11-25T09:00:00Z",
                "state": "open",
                "created_by": "U0DANA",
                "created_at": "2026-11-23T09:00:00Z",
                "closed_by": None,
                "closed_at": None,
                "source_channel_id": "C0SUPPORT",
                "source_ts": "1763300000.000100",
            },
            {
                "id": ids["done"],
                "owner_user_id": "U0LEE",
                "customer_id": None,
                "customer_name": None,
                "kind": "checkin",
                "note": "check the invoice\nwas fixed",
                "due_at": "2026-11-20T09:00:00Z",
                "state": "done",
                "created_by": "U0DANA",
                "created_at": "2026-11-18T09:00:00Z",
                "closed_by": "U0LEE",
                "closed_at": "2026-11-20T11:45:30.250000Z",
                "source_channel_id": None,
                "source_ts": None,
            },
        ],
        "stories": [
            {
                "id": ids["kudos"],
                "via": "kudos",
                "created_at": "2026-11-21T14:00:00Z",
                "created_by": "U0DANA",
                "credited": ["U0LEE", "U0STEPH"],
                "recognised_by": ["U0DANA", "U0KIRI"],
                "customer_id": acme,
                "customer_name": "Acme Corp",
                "principle": "follow_up",
                "text": 'Stayed late, fixed the "drive"',
                "source_channel_id": None,
                "source_ts": None,
            },
            {
                "id": ids["reaction"],
                "via": "reaction",
                "created_at": "2026-11-22T14:00:00Z",
                "created_by": "U0DANA",
                "credited": ["U0DANA"],
                "recognised_by": [],
                "customer_id": None,
                "customer_name": None,
                "principle": None,
                "text": "@here look",
                "source_channel_id": "C0SUPPORT",
                "source_ts": "1763800000.000100",
            },
        ],
    }


def test_an_empty_workspace_exports_headers_only(deps: Deps, tmp_path: Path) -> None:
    _workspace(deps, TEAM, retention_days=90)
    _workspace(deps, OTHER, retention_days=90)
    _customer(deps, OTHER, "Initech", added=NOW)
    report = export.export_workspace(deps, team_id=TEAM, now=NOW, fmt="csv", out_dir=tmp_path)
    assert [sum(f.rows.values()) for f in report.files] == [0, 0, 0, 0]
    assert (tmp_path / "customers.csv").read_text() == ",".join(export.CUSTOMER_FIELDS) + "\n"
    export.export_workspace(deps, team_id=TEAM, now=NOW, fmt="json", out_dir=tmp_path / "j")
    data = json.loads((tmp_path / "j" / "rapport-export.json").read_text())
    assert data == {
        "team_id": TEAM,
        "exported_at": "2026-11-23T14:00:00Z",
        "customers": [],
        "mentions": [],
        "followups": [],
        "stories": [],
    }


def test_existing_files_are_kept_unless_forced(deps: Deps, tmp_path: Path) -> None:
    seed(deps)
    tmp_path /= "out"
    tmp_path.mkdir()
    (tmp_path / "mentions.csv").write_text("mine")
    (tmp_path / "notes.txt").write_text("unrelated")
    with pytest.raises(export.ExportRefused) as refused:
        export.export_workspace(deps, team_id=TEAM, now=NOW, fmt="csv", out_dir=tmp_path)
    assert "already holds mentions.csv" in refused.value.message and "--force" in refused.value.message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mentions.csv", "notes.txt"]
    assert (tmp_path / "mentions.csv").read_text() == "mine"
    # The JSON export writes another file, so it may share the folder.
    export.export_workspace(deps, team_id=TEAM, now=NOW, fmt="json", out_dir=tmp_path)
    export.export_workspace(deps, team_id=TEAM, now=NOW, fmt="csv", out_dir=tmp_path, overwrite=True)
    assert (tmp_path / "mentions.csv").read_text().startswith("customer_id,")
    assert (tmp_path / "notes.txt").read_text() == "unrelated"
    with pytest.raises(export.ExportRefused, match="is a file, not a folder"):
        export.export_workspace(deps, team_id=TEAM, now=NOW, fmt="csv", out_dir=tmp_path / "notes.txt")


def test_choosing_the_workspace(deps: Deps, tmp_path: Path) -> None:
    with pytest.raises(export.ExportRefused, match="holds no workspace yet"):
        export.choose_team(deps, team_id=None)
    _workspace(deps, TEAM, retention_days=90)
    assert export.choose_team(deps, team_id=None) == TEAM
    _workspace(deps, OTHER, retention_days=90)
    with pytest.raises(export.ExportRefused) as several:
        export.choose_team(deps, team_id=None)
    assert several.value.message == f"The database holds 2 workspaces ({OTHER}, {TEAM}): choose one with --team."
    assert export.choose_team(deps, team_id=OTHER) == OTHER
    with pytest.raises(export.ExportRefused) as unknown:
        export.export_workspace(deps, team_id="T0NOPE", now=NOW, fmt="csv", out_dir=tmp_path / "never")
    assert unknown.value.message == f"The database holds no workspace T0NOPE; its workspaces are: {OTHER}, {TEAM}."
    assert not (tmp_path / "never").exists()


def test_a_failed_export_leaves_no_partial_files(deps: Deps, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(deps)
    tmp_path /= "out"
    tmp_path.mkdir()

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(export.export_rows, "followups", broken)
    with pytest.raises(RuntimeError):
        export.export_workspace(deps, team_id=TEAM, now=NOW, fmt="csv", out_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("a=b", "a=b"),
        (["-a", "b"], "'-a;b"),
        (["a", "=b"], "a;=b"),
        (None, ""),
        (3, "3"),
        ([], ""),
    ],
)
def test_csv_cells_cannot_run_as_formulas(value: object, cell: str) -> None:
    assert export.csv_cell(value) == cell


def test_default_output_dir_names_team_and_utc_date() -> None:
    late = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    assert export.default_output_dir(team_id=TEAM, now=late) == Path(f"rapport-export-{TEAM}-20261123")


def test_an_export_in_progress_does_not_hold_up_the_bots_writes(deps: Deps) -> None:
    with deps.session_factory.begin() as reading:
        export._begin_snapshot(reading)
        workspace_rows.all_team_ids(reading)  # a real read: on SQLite its snapshot starts here
        started = time.monotonic()
        with deps.session_factory.begin() as writing:  # on SQLite this would wait 5 s and fail if the export locked
            workspace_rows.ensure(writing, team_id="T0WRITER1", now=deps.clock())
        assert time.monotonic() - started < 2
