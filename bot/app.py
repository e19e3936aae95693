"""Wiring: settings in, a ready Bolt app, scheduler and WSGI application out. Nothing runs at import."""

from __future__ import annotations

import gc
import json
import logging
import re
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.middleware import Middleware
from slack_bolt.oauth.callback_options import CallbackOptions, DefaultCallbackOptions, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from bot import listeners
from bot.config import ConfigError, Settings
from bot.db import migrate
from bot.db.queries import holds as hold_rows
from bot.db.queries import outbox as outbox_rows
from bot.db.queries import workspaces as workspace_rows
from bot.db.session import bound_waits, make_engine, make_session_factory, unbound_waits
from bot.domain.promises import shipped_matcher as shipped_promise_matcher
from bot.listeners.adapter import answer_unexpected_error
from bot.listeners.payloads import StorableText, installed_team, kind_of
from bot.runtime.caches import DirectoryMatchers
from bot.runtime.clients import WorkspaceClients
from bot.runtime.deps import Clock, Deps, system_clock
from bot.runtime.model_worker import shared_worker
from bot.runtime.observe import (
    MeasuredWebClient,
    Observer,
    end_request_log,
    label,
    measured,
    name_workspace,
    start_request_log,
)
from bot.runtime.sender import Renderers, Rescuers
from bot.scheduling.scheduler import build_scheduler
from bot.services import digest, installs, outbox, sending_holds, stories, triage, workspace_time
from bot.services.outbox import worker_name

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
# A Web API call gives up after this long (slack_sdk's default is 30 s): it bounds how long a shutdown waits for the
# sender's call in hand.
SLACK_TIMEOUT_SECONDS = 10
# How long stopping waits for the jobs' runs in hand (a Web API call the sender started ends within its timeout).
JOBS_STOP_SECONDS = 10.0
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def build_app(deps: Deps, *, client: WebClient, oauth_settings: OAuthSettings | None = None) -> App:
    """The Bolt app: store-then-acknowledge (process_before_response) and every listener registered. With
    `oauth_settings` Bolt serves the install pages and authorizes each request with its workspace's installation."""
    settings = deps.settings
    app = ObservedApp(
        observer=deps.observer,
        client=client,  # carries the bot token (single-token mode) and SLACK_API_URL
        oauth_settings=oauth_settings,
        # Given here too, Bolt's authorize (and its token rotation) calls Slack through `client`, at SLACK_API_URL.
        installation_store=oauth_settings.installation_store if oauth_settings is not None else None,
        # Socket Mode requests are not signed; HTTP mode always verifies (from_env requires the secret there).
        signing_secret=settings.signing_secret or "unused-in-socket-mode",
        process_before_response=True,
        token_verification_enabled=False,
        # Rapport is neither a workflow step nor an AI assistant: Bolt's two middlewares for those would only cost
        # every event a few microseconds more.
        attaching_function_token_enabled=False,
        attaching_conversation_kwargs_enabled=False,
        name="rapport",
    )

    # The one handler for what no listener expected: the traceback logged once, the person answered politely.
    app.error(answer_unexpected_error)
    app.use(NameTheWorkspace(deps.observer))
    app.use(LearnTheOrganisation(deps))
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
        # Bolt runs the listener after its middleware, on this same thread: the bound holds for it. Over HTTP the
        # WSGI app lifts it once answered; a Socket Mode thread keeps it until its next request sets a new one.
        bound_waits()
        return next()


class ObservedApp(App):
    """The Bolt app, each request from Slack (on either transport: both call dispatch) counted by type and outcome,
    its acknowledgement timed, and its log lines named by a request id (the event's id, else a fresh one)."""

    def __init__(self, *, observer: Observer, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.observer = observer

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        """Dispatch as Bolt does, measured."""
        body = req.body if isinstance(req.body, dict) else {}
        kind = label(kind_of(body))
        event = body.get("event")
        what = kind
        if kind == "event_callback" and isinstance(event, dict):
            what = label(str(event.get("type") or ""), default=kind)
        request_id = str(body.get("event_id") or "") or uuid.uuid4().hex[:16]
        observer = self.observer
        started = time.perf_counter()
        outcome = "error"
        observer.request_started()
        token = start_request_log(request_id=request_id)
        try:
            answer = super().dispatch(req)
            outcome = _outcome(answer.status)
            return answer
        finally:
            end_request_log(token)
            observer.request_finished(what=what, kind=kind, outcome=outcome, seconds=time.perf_counter() - started)


class NameTheWorkspace(Middleware):
    """Once Bolt has authorised a request: its log lines name the installed workspace, and its Web API calls are
    counted (Bolt builds a plain WebClient for each request)."""

    def __init__(self, observer: Observer) -> None:
        self._observer = observer

    @property
    def name(self) -> str:
        """The name Bolt logs for this middleware."""
        return "NameTheWorkspace"

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        name_workspace(installed_team(req.context, req.body if isinstance(req.body, dict) else {}))
        if req.context.client is not None:
            measured(req.context.client, self._observer)
        return next()


class LearnTheOrganisation(Middleware):
    """A request under an org-wide (Enterprise Grid) install names the workspace's organisation: remembered, in this
    process and on the workspace's row, so that the jobs find the organisation's bot token for that workspace."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    @property
    def name(self) -> str:
        """The name Bolt logs for this middleware."""
        return "LearnTheOrganisation"

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        enterprise, deps = req.context.enterprise_id, self._deps
        if req.context.is_enterprise_install and enterprise:
            team = installed_team(req.context, req.body if isinstance(req.body, dict) else {})
            if team and deps.enterprises.get(team) != enterprise:
                with deps.session_factory.begin() as session:
                    workspace_rows.remember_enterprise(
                        session, team_id=team, enterprise_id=enterprise, now=deps.clock()
                    )
                deps.enterprises[team] = enterprise
        return next()


def _outcome(status: int) -> str:
    return "ok" if status < 400 else "rejected" if status < 500 else "error"


# The outbox lanes as /metrics names them.
LANE_NAMES = {outbox_rows.INTERACTIVE: "interactive", outbox_rows.BULK: "bulk"}


class OutboxBacklog:
    """A Prometheus collector reading, at scrape time, the rows due and not yet sent, by kind and lane: how many,
    and how long the oldest has been due."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def collect(self) -> Iterable[GaugeMetricFamily]:
        """Yield the backlog gauges."""
        rows = GaugeMetricFamily("rapport_outbox_backlog", "Outbox rows due and not yet sent", labels=["kind", "lane"])
        age = GaugeMetricFamily(
            "rapport_outbox_oldest_due_seconds",
            "How long the oldest due, unsent outbox row has waited",
            labels=["kind", "lane"],
        )
        now = self._clock()
        try:
            with self._engine.connect() as connection:
                backlog = outbox_rows.backlog(connection, now=now)
        except SQLAlchemyError:
            backlog = []
        for kind, lane, count, oldest in backlog:
            lane_name = LANE_NAMES.get(lane, str(lane))
            rows.add_metric([kind, lane_name], count)
            age.add_metric([kind, lane_name], max(0.0, (now - oldest).total_seconds()))
        yield rows
        yield age


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


class SendingHolds:
    """A Prometheus collector: 1 per workspace and method whose sending is on hold (Slack refused the token or a
    scope), read at scrape time."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def collect(self) -> Iterable[GaugeMetricFamily]:
        """Yield the hold gauge."""
        gauge = GaugeMetricFamily(
            "rapport_sending_on_hold",
            "1 while a workspace's sending (every method, or one) is on hold for Slack's auth or scope errors",
            labels=["team", "method", "reason", "needed"],
        )
        for hold in _holds(self._engine) or ():
            gauge.add_metric([hold["team_id"], hold["method"], hold["reason"], hold["needed"] or ""], 1)
        yield gauge


def _holds(engine: Engine) -> list[dict[str, Any]] | None:
    """Every sending hold, or None if the database cannot say."""
    try:
        with engine.connect() as connection:
            return hold_rows.all_holds(connection)
    except SQLAlchemyError:
        return None


def build_wsgi(
    app: App,
    *,
    engine: Engine,
    signing_secret: str,
    observer: Observer | None = None,
    readiness: Callable[[], dict[str, Any]] | None = None,
    serve_slack: bool = True,
) -> WsgiApp:
    """The HTTP surface: Slack at /slack/events, plus /healthz (alive), /readyz (ready for traffic) and /metrics.
    With `serve_slack=False` (Socket Mode) only the probes and /metrics: Slack's requests come over the socket."""
    if serve_slack and not signing_secret:
        raise ConfigError("SLACK_SIGNING_SECRET is not set: HTTP mode cannot tell Slack's requests from anyone's.")
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    verifier = SignatureVerifier(signing_secret or "unused-in-socket-mode")
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
    registry.register(SendingHolds(engine))  # type: ignore[arg-type]
    registries = [registry, *([observer.registry] if observer is not None else [])]
    ready = readiness or (lambda: _health(engine))

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
        elif path == "/readyz":
            body = ready()
            recording_start_response(
                "200 OK" if body["ok"] else "503 Service Unavailable", [("Content-Type", "application/json")]
            )
            result = [json.dumps(body).encode()]
        elif path == "/metrics":
            recording_start_response("200 OK", [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")])
            result = [b"".join(generate_latest(r) for r in registries)]
        elif not serve_slack:
            recording_start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            result = [b"not found: Slack's requests come over Socket Mode"]
        elif path == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            response = WsgiHttpResponse(**vars(_answer_slack(app, verifier, environ)))
            recording_start_response(response.status, response.get_headers())
            result = response.get_body()
        else:
            result = slack(environ, recording_start_response)
        known = path if path in (EVENTS_PATH, "/healthz", "/readyz", "/metrics") else "other"
        requests.labels(known, status_holder[0] if status_holder else "500").inc()
        latency.labels(known).observe(time.perf_counter() - started)
        return result

    return wsgi


MAX_BODY_BYTES = 1_000_000
# Slack's payloads nest a dozen levels at most (rich text in blocks in a view); parsers and walkers recurse per level.
MAX_JSON_DEPTH = 64
_TEXT = {"content-type": ["text/plain; charset=utf-8"]}
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_LEVEL = {"[": 1, "{": 1, "]": -1, "}": -1}


@dataclass(frozen=True)
class _Answer:
    """An HTTP answer, as WsgiHttpResponse takes it."""

    status: int
    headers: dict[str, list[str]]
    body: str


def _answer_slack(app: App, verifier: SignatureVerifier, environ: dict[str, Any]) -> _Answer:
    """Slack's request, in this order: read within the size limit, signature verified, then parsed within the depth
    limit and dispatched to Bolt. Nobody without the signing secret gets past the signature check: what an unsigned
    body holds is never read."""
    raw = _read_body(environ)
    if raw is None:
        return _Answer(413, _TEXT, "body too large")
    if not _signed_by_slack(verifier, environ, raw):
        log.debug("refused a request without a valid Slack signature")
        return _Answer(401, {"content-type": ["application/json"]}, json.dumps({"error": "invalid request"}))
    problem, request = _parsed(raw, environ)
    if request is None:
        return _Answer(400, _TEXT, problem)
    token = bound_waits()
    try:
        answer = app.dispatch(request)
    except Exception as error:  # only Bolt's own reading of a payload can escape dispatch: the one error handler
        # answers for everything a listener raises. A shape Bolt cannot read fails the same way on every retry.
        log.warning("Bolt could not read a %s (%s)", kind_of(request.body), type(error).__name__)
        return _Answer(400, _TEXT, "body is not a Slack payload")
    finally:
        unbound_waits(token)
    return _Answer(answer.status, {k: list(v) for k, v in answer.headers.items()}, answer.body)


def _read_body(environ: dict[str, Any]) -> bytes | None:
    """The request body; None if it is larger than MAX_BODY_BYTES (an unreadable length reads as no body)."""
    try:
        length = max(0, int(environ.get("CONTENT_LENGTH") or 0))
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return None
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _signed_by_slack(verifier: SignatureVerifier, environ: dict[str, Any], raw: bytes) -> bool:
    """Whether the body carries a fresh signature made with the app's signing secret."""
    timestamp, signature = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"), environ.get("HTTP_X_SLACK_SIGNATURE")
    try:
        return verifier.is_valid(body=raw, timestamp=timestamp, signature=signature)
    except ValueError:  # a timestamp that is not a number, a body that is not UTF-8
        return False


def _parsed(raw: bytes, environ: dict[str, Any]) -> tuple[str, BoltRequest | None]:
    """A signed body as Bolt's request, or why it is not a Slack payload."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "body is not UTF-8", None
    if not text:
        return "empty body", None
    content_type = str(environ.get("CONTENT_TYPE", "")).split(";")[0].strip().lower()
    # Bolt reads JSON when it is said or looks so, else a form whose `payload` field (if any) holds the JSON.
    if content_type == "application/json" or text.startswith("{"):
        json_text: str | None = text
    else:
        json_text = (
            dict(urllib.parse.parse_qsl(text, keep_blank_values=True)).get("payload") if "payload" in text else None
        )
    if json_text is not None and nested_deeper_than(json_text, MAX_JSON_DEPTH):
        return f"body is nested deeper than {MAX_JSON_DEPTH} levels", None
    try:
        request = BoltRequest(
            body=text, query=environ.get("QUERY_STRING", ""), headers=WsgiHttpRequest(environ).get_headers()
        )
    except (ValueError, TypeError, AttributeError, KeyError, IndexError):  # not JSON, or not the shape Bolt reads
        return "body is not a Slack payload", None
    body = request.body
    if not isinstance(body, dict) or not isinstance(body.get("event", {}), dict):
        return "body is not a Slack payload", None
    return "", request


def nested_deeper_than(text: str, limit: int) -> bool:
    """Whether JSON text nests arrays and objects deeper than `limit`, found without parsing it (a parser would
    descend as deep as the text goes before it could say no).

    Brackets in strings do not count: with escaped backslashes and quotes taken out, every other quote opens or
    closes a string. Brackets never closed count as levels too. Every step runs at C speed; a body with fewer
    brackets than the limit (most of Slack's) needs no more than counting them."""
    if text.count("[") + text.count("{") <= limit:
        return False
    outside_strings = "".join(text.replace("\\\\", "").replace('\\"', "").split('"')[::2])
    levels = accumulate(map(_LEVEL.__getitem__, _NOT_BRACKETS.sub("", outside_strings)))
    return max(levels, default=0) > limit


def _health(engine: Engine) -> dict[str, Any]:
    """The process answers and its database too (else 503). A sending hold is reported, not failed: the process is
    healthy and keeps storing what Slack sends, and a restart would not fix a revoked token or a missing scope."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return {"ok": False, "database": "unreachable", "error": type(error).__name__}
    holds = _holds(engine) or []
    if not holds:
        return {"ok": True, "database": "ok", "sending": "ok"}
    return {
        "ok": True,
        "database": "ok",
        "sending": "on hold",
        "holds": [
            {
                "team": h["team_id"],
                "method": h["method"],
                "reason": h["reason"],
                "needed": h["needed"],
                "since": h["since"].isoformat(),
                "what_to_do": sending_holds.what_to_do(
                    team_id=h["team_id"], method=h["method"], reason=h["reason"], needed=h["needed"]
                ),
            }
            for h in holds
        ],
    }


def _ready(
    engine: Engine, *, schema: migrate.Schema, observer: Observer, probe: Callable[[], object], stopping: bool
) -> dict[str, Any]:
    """/readyz: the database reachable and not behind this Rapport's schema, Slack answering lately, and not shutting
    down. A failed check names itself in `failed`; Slack is asked (auth.test) only when nothing was heard lately."""
    checks: dict[str, str] = {}
    try:
        current = migrate.current_revision(engine)
        # A revision this Rapport does not know is a newer one: a newer release migrated it during a rolling upgrade.
        usable = current == schema.head or (current is not None and current not in schema.known)
        checks["database"] = "ok" if usable else f"at {current or 'nothing'}, needs {schema.head}"
    except SQLAlchemyError as error:
        checks["database"] = f"unreachable ({type(error).__name__})"
    checks["slack"] = "ok" if observer.slack.reachable(now=time.monotonic(), probe=probe) else "unreachable"
    checks["shutdown"] = "shutting down" if stopping else "ok"
    failed = [name for name, state in checks.items() if state != "ok"]
    return {"ok": not failed, **checks, "failed": failed}


@dataclass
class Runtime:
    """A running Rapport: everything `rapport run`, the demo and the tests start and stop."""

    settings: Settings
    engine: Engine
    deps: Deps
    client: WebClient  # single-token mode: the bot's client; OAuth: a client without a token (oauth.v2.access)
    clients: WorkspaceClients  # each workspace's client, with its own bot token
    app: App
    scheduler: BackgroundScheduler
    team_id: str | None  # single-token mode: the one workspace; None with OAuth installs
    worker: str
    _schema: migrate.Schema | None = None

    def wsgi(self, *, serve_slack: bool = True) -> WsgiApp:
        """The WSGI application for HTTP mode (or, without `serve_slack`, the probes and /metrics of Socket Mode)."""
        return build_wsgi(
            self.app,
            engine=self.engine,
            signing_secret=self.settings.signing_secret or "",
            observer=self.deps.observer,
            readiness=self.readiness,
            serve_slack=serve_slack,
        )

    def readiness(self) -> dict[str, Any]:
        """What /readyz answers (see _ready)."""
        if self._schema is None:
            self._schema = migrate.shipped_schema(self.engine)
        return _ready(
            self.engine,
            schema=self._schema,
            observer=self.deps.observer,
            probe=self.client.auth_test if self.clients.is_single else self.client.api_test,
            stopping=self.deps.stopping.is_set(),
        )

    def warm_up(self) -> None:
        """Get ready for traffic: build the workspace's matcher and the promise matcher now, start the word model's
        worker, then freeze what start-up allocated.

        The first message then does not wait for the matcher, and the cyclic garbage collector stops walking
        the long-lived start-up heap (modules, the app, the directory) on every full collection, which
        otherwise costs each request a measurable share of its time.
        """
        with self.deps.session_factory.begin() as session:
            for team_id in [self.team_id] if self.team_id else workspace_rows.all_team_ids(session):
                self.deps.matchers.for_team(session, team_id=team_id)
        shipped_promise_matcher()  # read after the acknowledgement, but built before the first message, not by it
        self.deps.tone_scores([""])  # the word model's worker process, started and its model loaded
        gc.collect()
        gc.freeze()

    def start_jobs(self) -> None:
        """Start the scheduler (sender and housekeeping)."""
        if not self.scheduler.running:
            self.scheduler.start()

    def begin_shutdown(self) -> None:
        """From now on /readyz answers 503 and the sender takes no new row (the call in hand finishes)."""
        self.deps.stopping.set()

    def close(self, *, timeout: float = JOBS_STOP_SECONDS) -> None:
        """Stop the jobs (waiting up to `timeout` for the runs in hand), give back the outbox rows this process
        still holds, and release the database."""
        self.begin_shutdown()
        self.deps.after_ack.close()  # queued model checks are optional tips: dropped, not awaited
        if self.scheduler.running:
            stopper = threading.Thread(target=self.scheduler.shutdown, kwargs={"wait": True}, name="rapport-jobs-stop")
            stopper.start()
            stopper.join(timeout)
            if stopper.is_alive():
                log.warning("a job was still running after %g s; its outbox claims lapse on their own", timeout)
        try:
            released = outbox.release_claims(self.deps, worker=self.worker, now=self.deps.clock())
        except SQLAlchemyError as error:
            log.warning("could not give back the outbox rows in hand (%s); their claims lapse", type(error).__name__)
        else:
            if released:
                log.info("gave back %d outbox row(s) for another sender", released)
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
    return {**stories.RENDERERS, **triage.RENDERERS}


def outbox_rescuers(settings: Settings) -> Rescuers:
    """Every capability's answer to a row Slack refused for good, by outbox row kind."""
    return {
        **stories.rescuers(settings.admins),
        **digest.rescuers(settings.admins),
        **triage.rescuers(settings.admins),
    }


# Bolt refreshes a rotating bot token that expires within this many minutes (its default) for Slack's requests; the
# jobs (services.installs) within the second, shorter window, so that a busy workspace's requests refresh it first.
TOKEN_ROTATION_MINUTES = 120
JOBS_TOKEN_ROTATION_MINUTES = 60
# How long an OAuth `state` handed to a browser at /slack/install stays good.
OAUTH_STATE_SECONDS = 600


def build_runtime(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    auto_migrate: bool | None = None,
    scopes: Sequence[str] = (),
) -> Runtime:
    """Connect to Slack and the database and wire everything, ready to serve.

    Single-token mode (SLACK_BOT_TOKEN) is an installation of one: Bolt authorizes every request with that token and
    every job and the sender use it for whatever workspace they meet. With SLACK_CLIENT_ID/SLACK_CLIENT_SECRET and no
    bot token, Bolt's OAuth flow installs any number of workspaces (`scopes` are asked for at /slack/install) into
    slack_sdk's SQLAlchemy stores in Rapport's database; each request and each job uses its workspace's token."""
    oauth = not settings.bot_token
    if oauth and not (settings.client_id and settings.client_secret):
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set: set it to your app's bot token (xoxb-…) for one workspace, or set "
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to let any number of workspaces install Rapport."
        )
    if oauth and settings.socket_mode:
        raise ConfigError(
            "OAuth installs (SLACK_CLIENT_ID/SLACK_CLIENT_SECRET) need HTTP mode: Slack sends the browser back to "
            "/slack/oauth_redirect. Unset SLACK_APP_TOKEN, or set SLACK_BOT_TOKEN for one workspace."
        )
    observer = Observer()

    def make_client(token: str | None) -> MeasuredWebClient:
        made = MeasuredWebClient(token=token, base_url=settings.slack_api_url, timeout=SLACK_TIMEOUT_SECONDS)
        made.observer = observer
        return made

    client = make_client(settings.bot_token)
    identity = client.auth_test() if not oauth else None
    engine = prepare_database(settings, auto_migrate=auto_migrate)
    enterprises: dict[str, str] = {}
    oauth_settings: OAuthSettings | None = None
    if oauth:
        assert settings.client_id is not None and settings.client_secret is not None
        store = SQLAlchemyInstallationStore(client_id=settings.client_id, engine=engine, logger=log)
        clients = WorkspaceClients(
            token_for=installs.token_lookup(
                store,
                client_secret=settings.client_secret,
                api_client=client,
                enterprises=enterprises,
                rotate_minutes=JOBS_TOKEN_ROTATION_MINUTES,
            ),
            make_client=make_client,
            timeout=SLACK_TIMEOUT_SECONDS,
        )
    else:
        clients = WorkspaceClients.single(client)
    session_factory = make_session_factory(engine)
    deps = Deps(
        session_factory=session_factory,
        clock=clock,
        matchers=DirectoryMatchers(),
        settings=settings,
        renderers=outbox_renderers(),
        rescuers=outbox_rescuers(settings),
        observer=observer,
        enterprises=enterprises,
        clients=clients,
        tone_scores=shared_worker().scores,  # the word model in a worker process (see bot.runtime.model_worker)
    )
    if oauth:
        oauth_settings = _oauth_settings(settings, store=store, engine=engine, scopes=scopes, deps=deps)
    observer.registry.register(OutboxBacklog(engine, clock))  # type: ignore[arg-type]
    # The token works (auth.test just said so): every sending hold is looked at again by the sender's first pass.
    sending_holds.retry_holds_now(deps, now=clock())
    deps.tone.warm()
    team_id = _remember_identity(deps, identity) if identity is not None else None
    # First use: each workspace's own timezone, read from its people before any job needs it (a failed read only
    # leaves the one it had; the workspace-time job tries again).
    workspace_time.refresh_due(deps, now=clock(), client=clients)
    worker = worker_name()
    scheduler = build_scheduler(deps, client=clients, worker=worker)  # attaches itself to deps.wake_sender
    app = build_app(deps, client=client, oauth_settings=oauth_settings)
    if isinstance(app._authorize, InstallationStoreAuthorize):
        # Bolt asks auth.test about a workspace's token on every request unless it caches the answer (by token: a
        # rotated or new token is asked about once).
        app._authorize.cache_enabled = True
    return Runtime(
        settings=settings,
        engine=engine,
        deps=deps,
        client=client,
        clients=clients,
        app=app,
        scheduler=scheduler,
        team_id=team_id,
        worker=worker,
    )


def _remember_identity(deps: Deps, identity: Any) -> str:
    """Single-token mode: store what auth.test says of the workspace and the bot; its team id."""
    team_id = str(identity["team_id"])
    if identity.get("enterprise_id"):  # an Enterprise Grid organisation: its other workspaces' people are staff too
        deps.enterprises[team_id] = str(identity["enterprise_id"])
    with deps.session_factory.begin() as session:
        workspace_rows.update_identity(
            session,
            team_id=team_id,
            name=str(identity.get("team") or ""),
            url=str(identity.get("url") or ""),
            bot_user_id=str(identity.get("user_id") or ""),
            bot_id=str(identity.get("bot_id") or ""),
            now=deps.clock(),
        )
    return team_id


def _oauth_settings(
    settings: Settings, *, store: SQLAlchemyInstallationStore, engine: Engine, scopes: Sequence[str], deps: Deps
) -> OAuthSettings:
    """Bolt's OAuth flow: /slack/install redirects the browser to Slack's authorize page (no install page of our
    own), state kept in the database, installations in the store, tokens rotated when Slack rotates them."""
    assert settings.client_id is not None and settings.client_secret is not None
    oauth_settings = OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(scopes),
        installation_store=store,
        state_store=SQLAlchemyOAuthStateStore(expiration_seconds=OAUTH_STATE_SECONDS, engine=engine, logger=log),
        install_page_rendering_enabled=False,
        token_rotation_expiration_minutes=TOKEN_ROTATION_MINUTES,
        logger=log,
    )
    default = DefaultCallbackOptions(
        logger=log,
        state_utils=oauth_settings.state_utils,
        redirect_uri_page_renderer=oauth_settings.redirect_uri_page_renderer,
    )

    def installed(args: SuccessArgs) -> BoltResponse:
        _record_install(deps, args.installation)
        return default.success(args)

    oauth_settings.callback_options = CallbackOptions(success=installed, failure=default.failure)
    return oauth_settings


def _record_install(deps: Deps, installation: Any) -> None:
    """A workspace installed Rapport (or reinstalled it): its row, its identity, and its sending resumed at once
    (an uninstall or revocation had held it). An org-wide install names no workspace: each gets its row from its
    first event."""
    team_id, now = installation.team_id, deps.clock()
    if installation.enterprise_id and team_id:
        deps.enterprises[team_id] = installation.enterprise_id
    if deps.clients is not None and team_id:
        deps.clients.forget(team_id)
    if not team_id or installation.is_enterprise_install:
        return
    with deps.session_factory.begin() as session:
        workspace_rows.update_identity(
            session,
            team_id=team_id,
            name=installation.team_name or "",
            url="",
            bot_user_id=installation.bot_user_id or "",
            bot_id=installation.bot_id or "",
            now=now,
        )
        hold_rows.lift(session, team_id=team_id, method=hold_rows.EVERY_METHOD)
    log.info("workspace %s installed Rapport", team_id)
