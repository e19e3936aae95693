"""Wiring: settings in, a ready Bolt app, scheduler and WSGI application out. Nothing runs at import."""

from __future__ import annotations

import gc
import io
import json
import logging
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from bot import listeners
from bot.config import ConfigError, Settings
from bot.db import migrate
from bot.db.queries import outbox as outbox_rows
from bot.db.queries import workspaces as workspace_rows
from bot.db.session import bound_waits, make_engine, make_session_factory
from bot.listeners.adapter import answer_unexpected_error
from bot.listeners.payloads import StorableText
from bot.runtime.caches import DirectoryMatchers
from bot.runtime.deps import Clock, Deps, system_clock
from bot.runtime.sender import Renderers
from bot.scheduling.scheduler import build_scheduler
from bot.services import stories
from bot.services.outbox import worker_name

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def build_app(deps: Deps, *, client: WebClient) -> App:
    """The Bolt app: store-then-acknowledge (process_before_response) and every listener registered."""
    settings = deps.settings
    app = App(
        client=client,  # carries the bot token and SLACK_API_URL
        # Socket Mode requests are not signed; HTTP mode always verifies (from_env requires the secret there).
        signing_secret=settings.signing_secret or "unused-in-socket-mode",
        process_before_response=True,
        token_verification_enabled=False,
        name="rapport",
    )

    # The one handler for what no listener expected: the traceback logged once, the person answered politely.
    app.error(answer_unexpected_error)
    # Before any listener: no NUL or lone surrogate anyone sent reaches the database, and no wait for it makes
    # Slack give up on the answer.
    app.use(StorableText())
    app.use(AnswerInTime())
    listeners.register(app, deps)
    return app


class AnswerInTime(Middleware):
    """Each request from Slack, on either transport, waits for the database only so long that its answer (a 5xx
    when the database stayed locked, which Slack retries) comes within Slack's 3 seconds."""

    @property
    def name(self) -> str:
        """The name Bolt logs for this middleware."""
        return "AnswerInTime"

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        # Bolt runs the listener after its middleware, on this same thread: the bound holds for it, and until the
        # thread's next request sets a new one.
        bound_waits()
        return next()


class OutboxStates:
    """A Prometheus collector reading the outbox's row counts by state at scrape time."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def collect(self) -> Iterable[GaugeMetricFamily]:
        """Yield the outbox gauge."""
        gauge = GaugeMetricFamily("rapport_outbox_rows", "Outbox rows by state", labels=["state"])
        try:
            with self._engine.connect() as connection:
                counts = outbox_rows.count_by_state(connection)
        except SQLAlchemyError:
            counts = {}
        for state, count in counts.items():
            gauge.add_metric([state], count)
        yield gauge


def build_wsgi(app: App, *, engine: Engine) -> WsgiApp:
    """The HTTP surface: Slack at /slack/events, plus /healthz and /metrics."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    registry = CollectorRegistry()
    requests = Counter("rapport_http_requests", "HTTP requests", ["path", "status"], registry=registry)
    latency = Histogram(
        "rapport_http_request_seconds",
        "Time to answer",
        ["path"],
        registry=registry,
        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
    )
    registry.register(OutboxStates(engine))  # type: ignore[arg-type]

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        started = time.perf_counter()
        status_holder: list[str] = []

        def recording_start_response(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            status_holder.append(status.split(" ", 1)[0])
            return start_response(status, headers, *args)

        if path == "/healthz":
            body = _health(engine)
            recording_start_response(
                "200 OK" if body["ok"] else "503 Service Unavailable", [("Content-Type", "application/json")]
            )
            result: Iterable[bytes] = [json.dumps(body).encode()]
        elif path == "/metrics":
            recording_start_response("200 OK", [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")])
            result = [generate_latest(registry)]
        else:
            problem = _read_body(environ) if path == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST" else None
            if problem is not None:
                recording_start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
                result = [problem.encode()]
            else:
                result = slack(environ, recording_start_response)
        known = path if path in (EVENTS_PATH, "/healthz", "/metrics") else "other"
        requests.labels(known, status_holder[0] if status_holder else "500").inc()
        latency.labels(known).observe(time.perf_counter() - started)
        return result

    return wsgi


MAX_BODY_BYTES = 1_000_000


def _read_body(environ: dict[str, Any]) -> str | None:
    """Buffer the request body for Bolt; a sentence saying why it is malformed, or None if it is usable."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return "bad Content-Length"
    if length > MAX_BODY_BYTES:
        return "body too large"
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(raw)
    content_type = str(environ.get("CONTENT_TYPE", "")).split(";")[0].strip().lower()
    try:
        text = raw.decode("utf-8")
        if content_type == "application/json":
            data = json.loads(text)
        elif "payload=" in text:
            data = json.loads(urllib.parse.parse_qs(text).get("payload", ["{}"])[0])
        else:
            return None if text else "empty body"
    except (UnicodeDecodeError, ValueError):
        return "body is not valid JSON"
    if not isinstance(data, dict) or not isinstance(data.get("event", {}), dict):
        return "body is not a Slack payload"
    return None


def _health(engine: Engine) -> dict[str, Any]:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return {"ok": False, "database": "unreachable", "error": type(error).__name__}
    return {"ok": True, "database": "ok"}


@dataclass
class Runtime:
    """A running Rapport: everything `rapport run`, the demo and the tests start and stop."""

    settings: Settings
    engine: Engine
    deps: Deps
    client: WebClient
    app: App
    scheduler: BackgroundScheduler
    team_id: str
    worker: str

    def wsgi(self) -> WsgiApp:
        """The WSGI application for HTTP mode."""
        return build_wsgi(self.app, engine=self.engine)

    def warm_up(self) -> None:
        """Get ready for traffic: build the workspace's matcher now, then freeze what start-up allocated.

        The first message then does not wait for the matcher, and the cyclic garbage collector stops walking
        the long-lived start-up heap (modules, the app, the directory) on every full collection, which
        otherwise costs each request a measurable share of its time.
        """
        with self.deps.session_factory.begin() as session:
            self.deps.matchers.for_team(session, team_id=self.team_id)
        gc.collect()
        gc.freeze()

    def start_jobs(self) -> None:
        """Start the scheduler (sender and housekeeping)."""
        if not self.scheduler.running:
            self.scheduler.start()

    def close(self) -> None:
        """Stop jobs and release the database."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self.engine.dispose()


def prepare_database(settings: Settings, *, auto_migrate: bool | None = None, bounded_waits: bool = True) -> Engine:
    """An engine on an up-to-date schema: migrated here on SQLite, checked (not changed) elsewhere.

    `bounded_waits=False` is for tools that answer nobody (see bot.db.session.make_engine)."""
    engine = make_engine(settings.database_url, bounded_waits=bounded_waits)
    if auto_migrate if auto_migrate is not None else settings.is_sqlite:
        migrate.upgrade(engine)
        return engine
    current, head = migrate.current_revision(engine), migrate.head_revision(engine)
    if current != head:
        engine.dispose()
        raise ConfigError(
            f"The database schema is at {current or 'nothing'} but this Rapport needs {head}: "
            "run `rapport migrate` first."
        )
    return engine


def outbox_renderers() -> Renderers:
    """Every capability's send-time renderers, by outbox row kind: the table the sender looks kinds up in."""
    return {**stories.RENDERERS}


def build_runtime(settings: Settings, *, clock: Clock = system_clock, auto_migrate: bool | None = None) -> Runtime:
    """Connect to Slack and the database and wire everything, ready to serve."""
    if not settings.bot_token:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set. Multi-workspace OAuth installs are not available yet; "
            "install the app to your workspace and set its bot token (xoxb-…)."
        )
    client = WebClient(token=settings.bot_token, base_url=settings.slack_api_url)
    identity = client.auth_test()
    engine = prepare_database(settings, auto_migrate=auto_migrate)
    session_factory = make_session_factory(engine)
    deps = Deps(
        session_factory=session_factory,
        clock=clock,
        matchers=DirectoryMatchers(),
        settings=settings,
        renderers=outbox_renderers(),
    )
    team_id = str(identity["team_id"])
    with session_factory.begin() as session:
        workspace_rows.update_identity(
            session,
            team_id=team_id,
            name=str(identity.get("team") or ""),
            url=str(identity.get("url") or ""),
            bot_user_id=str(identity.get("user_id") or ""),
            bot_id=str(identity.get("bot_id") or ""),
            now=clock(),
        )
    worker = worker_name()
    scheduler = build_scheduler(deps, client=client, worker=worker)  # attaches itself to deps.wake_sender
    app = build_app(deps, client=client)
    return Runtime(
        settings=settings,
        engine=engine,
        deps=deps,
        client=client,
        app=app,
        scheduler=scheduler,
        team_id=team_id,
        worker=worker,
    )
