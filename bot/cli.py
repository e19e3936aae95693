"""`rapport …`: the only place that reads .env and parses arguments."""

from __future__ import annotations

import argparse
import csv
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from dotenv import load_dotenv
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import ConfigError, Settings
from bot.domain.errors import RapportError
from bot.logging_setup import configure_logging
from bot.runtime.observe import log_context

if TYPE_CHECKING:
    from bot.app import Runtime
    from bot.services.directory import ImportRow
    from bot.transports import HttpServer

log = logging.getLogger("bot")


def _settings(*, require_slack: bool = True) -> Settings:
    load_dotenv(Path.cwd() / ".env")
    settings = Settings.from_env(os.environ, require_slack=require_slack)
    configure_logging(
        level=settings.log_level,
        fmt=settings.log_format,
        secrets=(settings.bot_token, settings.app_token, settings.signing_secret, settings.client_secret),
        context=log_context,
    )
    return settings


def cmd_run(args: argparse.Namespace) -> int:
    """Start the bot: Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT."""
    from bot.app import build_runtime
    from bot.manifest import BOT_SCOPES
    from bot.transports import HttpServer, close_socket_mode, socket_mode_handler

    settings = _settings()
    runtime = build_runtime(settings, scopes=BOT_SCOPES)
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            return
        log.info("received signal %s, stopping within %g s", signum, SHUTDOWN_SECONDS)
        stop.set()
        # Whatever still runs then (a job stuck past its bound) does not keep the process alive.
        watchdog = threading.Timer(SHUTDOWN_SECONDS, _exit_now)
        watchdog.daemon = True
        watchdog.start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    runtime.warm_up()
    runtime.start_jobs()
    try:
        if settings.socket_mode:
            handler = socket_mode_handler(runtime)
            handler.connect()
            probes = _probes_server(runtime, host=args.host, port=settings.port)
            log.info("Rapport is running in Socket Mode for team %s", runtime.team_id)
            stop.wait()
            runtime.begin_shutdown()
            close_socket_mode(handler, runtime)
            if probes is not None:
                probes.close()
        else:
            server = HttpServer(runtime, host=args.host, port=settings.port)
            server.start_in_thread()
            serving = f"team {runtime.team_id}" if runtime.team_id else f"OAuth installs at {server.url}/slack/install"
            log.info("Rapport is listening on %s/slack/events (%s)", server.url, serving)
            stop.wait()
            runtime.begin_shutdown()  # /readyz answers 503 from now on
            server.close()
    finally:
        runtime.close()
    log.info("stopped")
    return 0


def _probes_server(runtime: Runtime, *, host: str, port: int) -> HttpServer | None:
    """In Socket Mode, /healthz, /readyz and /metrics on PORT; without them (port taken) Rapport runs all the same."""
    from bot.transports import HttpServer

    try:
        server = HttpServer(runtime, host=host, port=port, serve_slack=False)
    except OSError as error:
        log.warning("not serving /healthz, /readyz and /metrics on port %s: %s", port, error)
        return None
    server.start_in_thread()
    log.info("probes and metrics on %s (/healthz, /readyz, /metrics)", server.url)
    return server


# The bound on stopping: in-flight requests get 5 s (transports.IN_FLIGHT_SECONDS), the jobs' runs in hand 10 s
# (app.JOBS_STOP_SECONDS, a Web API call times out within it); past this the process exits regardless.
SHUTDOWN_SECONDS = 25.0


def _exit_now() -> None:
    log.warning(
        "still stopping after %g s: exiting now; outbox rows in hand go back when their claims lapse", SHUTDOWN_SECONDS
    )
    logging.shutdown()
    os._exit(1)


def cmd_migrate(_args: argparse.Namespace) -> int:
    """Apply pending database migrations."""
    from bot.db import migrate
    from bot.db.session import make_engine

    settings = _settings(require_slack=False)
    engine = make_engine(settings.database_url, bounded_waits=False)  # a migration may take its time
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    after = migrate.current_revision(engine)
    engine.dispose()
    print(f"Database at revision {after}" + (f" (was {before or 'empty'})" if before != after else " (up to date)"))
    return 0


DOCTOR_MARKS = {"ok": "OK", "fail": "FAIL", "skip": "SKIP"}


def cmd_doctor(args: argparse.Namespace) -> int:
    """Check the token, its scopes, the clock, the database, Socket Mode and the stories channel: one line each (with
    OAuth installs, for each installation in turn, or the one --team names)."""
    from bot.manifest import BOT_SCOPES
    from bot.services import doctor

    settings = _settings(require_slack=False)
    # The schema check's "Context impl …" lines are noise around the report.
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    sections = doctor.run_report(settings, needed_scopes=BOT_SCOPES, team=_team_option(args.team))
    for section in sections:
        if section.workspace is not None:
            print(f"workspace {section.workspace}:")
        for result in section.results:
            print(f"{DOCTOR_MARKS[result.status]:<4} {result.name}: {result.detail}")
    return 0 if all(result.passed for section in sections for result in section.results) else 1


def _team_option(team: str | None) -> str | None:
    """--team as given, checked to look like a Slack team (or organisation) id."""
    if team is None:
        return None
    team = team.strip()
    if not re.match(r"^[TE][A-Z0-9]{2,}$", team):
        raise ConfigError(f"--team must be a Slack team id such as T012AB3CD, not {team!r}.")
    return team


def cmd_manifest(args: argparse.Namespace) -> int:
    """Print the Slack app manifest."""
    from bot.manifest import render_manifest

    sys.stdout.write(render_manifest(url=args.url))
    return 0


def cmd_customers_import(args: argparse.Namespace) -> int:
    """Import customers from a CSV file (name, aliases, owner, since, backup), reporting each bad row."""
    from bot.app import prepare_database
    from bot.db.session import make_session_factory
    from bot.domain.errors import BadCommand
    from bot.runtime.caches import DirectoryMatchers
    from bot.runtime.deps import Deps, system_clock
    from bot.services import directory, installs

    settings = _settings(require_slack=False)
    team = _team_option(args.team)
    oauth = not settings.bot_token and bool(settings.client_id and settings.client_secret)
    if not settings.bot_token and not oauth:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set: the import needs it to find your workspace and its people "
            "(or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, with --team, for OAuth installs)."
        )
    path = Path(args.file)
    if not path.is_file():
        raise ConfigError(f"{path} is not a file. Give the path of a CSV with columns name,aliases,owner,since,backup.")
    rows, header_problem = _read_csv(path)
    if header_problem:
        print(header_problem, file=sys.stderr)
        return 2
    if oauth:
        engine = prepare_database(settings)  # the installations are kept there
        try:
            [chosen] = installs.workspace_tokens(
                engine, settings=settings, api_client=WebClient(base_url=settings.slack_api_url), team=team
            )
        except BaseException:
            engine.dispose()
            raise
        client = WebClient(token=chosen.token, base_url=settings.slack_api_url)
        team_id = chosen.team_id
    else:
        client = WebClient(token=settings.bot_token, base_url=settings.slack_api_url)
        identity = client.auth_test()
        team_id = str(identity["team_id"])
        if team is not None and team != team_id:
            raise ConfigError(
                f"SLACK_BOT_TOKEN is the bot token of {identity.get('team')} ({team_id}), not of {team}: "
                "leave out --team, or set SLACK_BOT_TOKEN to that workspace's token."
            )
        engine = prepare_database(settings)

    def resolve_owner(cell: str) -> str:
        cell = cell.strip()
        if "@" in cell:
            try:
                return str(client.users_lookupByEmail(email=cell)["user"]["id"])
            except SlackApiError:
                raise BadCommand(f"no Slack user has the email {cell}") from None
        if cell[:1] in ("U", "W") and cell.isalnum() and cell.isupper():
            return cell
        raise BadCommand(f"owner “{cell}” is neither a Slack user ID (U…) nor an email")

    deps = Deps(
        session_factory=make_session_factory(engine),
        clock=system_clock,
        matchers=DirectoryMatchers(),
        settings=settings,
    )
    try:
        report = directory.import_customers(
            deps, team_id=team_id, rows=rows, resolve_owner=resolve_owner, default_owner=args.owner
        )
    finally:
        engine.dispose()
    print(f"Imported {len(report.added)} customer(s) from {path}.")
    for line, problem in report.problems:
        print(f"  line {line}: skipped: {problem}")
    return 1 if report.problems else 0


def _read_csv(path: Path) -> tuple[list[ImportRow], str | None]:
    """The CSV's rows, or a sentence saying what is wrong with its header."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = [c.strip().lower() for c in (reader.fieldnames or [])]
        if "name" not in columns:
            return [], (
                f"{path}: the first line must name the columns, including `name` "
                "(for example: name,aliases,owner,since)."
            )
        from bot.services.directory import ImportRow

        rows = []
        for record in reader:
            clean = {(k or "").strip().lower(): (v or "") for k, v in record.items() if isinstance(v, str) or v is None}
            rows.append(
                ImportRow(
                    line=reader.line_num,
                    name=clean.get("name", ""),
                    aliases=clean.get("aliases", ""),
                    owner=clean.get("owner", ""),
                    since=clean.get("since", ""),
                    backup=clean.get("backup", ""),
                )
            )
        return rows, None


def cmd_export(args: argparse.Namespace) -> int:
    """Write a workspace's customers, mentions, follow-ups and stories as CSV files or one JSON file."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from bot.app import prepare_database
    from bot.db.session import make_session_factory
    from bot.runtime.caches import DirectoryMatchers
    from bot.runtime.deps import Deps, system_clock
    from bot.services import export

    settings = _settings(require_slack=False)
    # The schema check's "Context impl …" lines are noise around the export's own report.
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    url = make_url(settings.database_url)
    if settings.is_sqlite and not (url.database and Path(url.database).expanduser().is_file()):
        # An export only reads: never create (and migrate) an empty database by mistake.
        raise ConfigError(
            f"There is no database at {url.database or 'memory'}: set DATABASE_URL to Rapport's database."
        )
    try:
        engine = prepare_database(settings, auto_migrate=False, bounded_waits=False)  # reading it all takes a while
    except OperationalError as error:
        reason = (str(error.orig or error).strip().splitlines() or ["no answer"])[0]
        raise ConfigError(
            f"Cannot reach the database at {url.render_as_string(hide_password=True)}: {reason}"
        ) from None
    try:
        deps = Deps(
            session_factory=make_session_factory(engine),
            clock=system_clock,
            matchers=DirectoryMatchers(),
            settings=settings,
        )
        now = deps.clock()
        team_id = export.choose_team(deps, team_id=args.team)
        out_dir = Path(args.output) if args.output else export.default_output_dir(team_id=team_id, now=now)
        report = export.export_workspace(
            deps, team_id=team_id, now=now, fmt=args.format, out_dir=out_dir, overwrite=args.force
        )
    except OSError as error:
        raise ConfigError(
            f"Cannot write the export to {error.filename or 'its folder'}: {error.strerror or error}."
        ) from None
    finally:
        engine.dispose()
    for exported in report.files:
        print(f"Wrote {exported.path}: {export.describe_rows(exported.rows)}")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    """Delete every row Rapport keeps for one workspace (its installation included), at once."""
    from bot.app import prepare_database
    from bot.db.session import make_session_factory
    from bot.runtime.caches import DirectoryMatchers
    from bot.runtime.deps import Deps, system_clock
    from bot.services import purge

    team_id = _team_option(str(args.team)) or ""
    settings = _settings(require_slack=False)
    engine = prepare_database(settings, bounded_waits=False)
    try:
        deps = Deps(
            session_factory=make_session_factory(engine),
            clock=system_clock,
            matchers=DirectoryMatchers(),
            settings=settings,
        )
        removed = purge.purge_workspace(deps, team_id=team_id)
    finally:
        engine.dispose()
    if not removed:
        print(f"Rapport keeps nothing for workspace {team_id}: nothing to purge.")
        return 0
    listed = ", ".join(f"{count} {table}" for table, count in sorted(removed.items()))
    print(f"Purged workspace {team_id}: {listed}.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Play a scripted day of a support team against the local Slack simulator."""
    from bot.demo import run_demo

    configure_logging(level="WARNING", fmt="text")
    return run_demo(out=sys.stdout, keep=args.keep)


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(prog="rapport", description="Rapport: serve customers relationally, in Slack.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="start the bot (Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT)")
    run.add_argument("--host", default="0.0.0.0", help="HTTP mode: address to listen on (default 0.0.0.0)")
    run.set_defaults(func=cmd_run)

    commands.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)

    doctor = commands.add_parser(
        "doctor", help="check the token, scopes, clock, database, Socket Mode and stories channel"
    )
    doctor.add_argument(
        "--team", help="OAuth installs: check only this workspace's installation (default: each in turn)"
    )
    doctor.set_defaults(func=cmd_doctor)

    manifest = commands.add_parser("manifest", help="print the Slack app manifest")
    manifest.add_argument("--url", help="public base URL for HTTP mode, e.g. https://rapport.example.com")
    manifest.set_defaults(func=cmd_manifest)

    customers = commands.add_parser("customers", help="manage the customer directory from files")
    customers_commands = customers.add_subparsers(dest="customers_command", required=True, metavar="COMMAND")
    importer = customers_commands.add_parser("import", help="import customers from a CSV file")
    importer.add_argument("file", help="CSV with columns name,aliases,owner,since,backup (aliases separated by ;)")
    importer.add_argument("--owner", help="Slack user ID to own rows that name no owner")
    importer.add_argument(
        "--team", help="the workspace's team ID (OAuth installs: needed when more than one workspace installed Rapport)"
    )
    importer.set_defaults(func=cmd_customers_import)

    exporter = commands.add_parser("export", help="write a workspace's customers, mentions, follow-ups and stories")
    exporter.add_argument("--team", help="the workspace's team ID (needed when the database holds several)")
    exporter.add_argument(
        "--format",
        choices=("csv", "json"),
        default="csv",
        help="csv: one file per kind (default); json: one rapport-export.json",
    )
    exporter.add_argument("--output", metavar="DIR", help="folder to write to (default ./rapport-export-TEAM-YYYYMMDD)")
    exporter.add_argument("--force", action="store_true", help="replace export files already in the folder")
    exporter.set_defaults(func=cmd_export)

    purger = commands.add_parser("purge", help="delete every row Rapport keeps for one workspace, at once")
    purger.add_argument("--team", required=True, help="the workspace's team id (T…)")
    purger.set_defaults(func=cmd_purge)
    demo = commands.add_parser("demo", help="play a scripted support day against the bundled Slack simulator")
    demo.add_argument("--keep", action="store_true", help="keep the demo's temporary database folder")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `rapport` console script."""
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
    except ConfigError as error:
        print(f"rapport: {error}", file=sys.stderr)
        code = 2
    except RapportError as error:
        print(f"rapport: {error.message}", file=sys.stderr)
        code = 2
    except SlackApiError as error:
        print(f"rapport: Slack refused the request: {error.response.get('error', error)}", file=sys.stderr)
        code = 2
    sys.exit(code)
