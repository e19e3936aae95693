"""`rapport doctor`: is this install ready to run? Each check returns a result with a sentence, and the fix when it
fails: the bot token, its scopes, the clock against Slack's, the database, Socket Mode, the stories channel."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from http.client import HTTPException
from pathlib import Path
from typing import Any, Literal
from urllib.error import URLError
from urllib.parse import urlsplit

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.db import migrate
from bot.db.queries import settings as settings_rows
from bot.db.session import READ_ONLY, make_engine, make_session_factory
from bot.runtime.deps import Clock, system_clock
from bot.services import installs

# Rapport (Bolt) refuses Slack's signed requests more than 300 s off its own clock; warn well before that.
CLOCK_TOLERANCE = timedelta(seconds=60)
SLACK_TIMEOUT_SECONDS = 10
DATABASE_TIMEOUT_SECONDS = 10

Status = Literal["ok", "fail", "skip"]
REINSTALL = "install the app again (OAuth & Permissions → Install to Workspace) and set SLACK_BOT_TOKEN"
PICK_ANOTHER = "or pick another stories channel in `/rapport settings`"


@dataclass(frozen=True)
class CheckResult:
    """One line of the report: what was checked, how it went, and (when it failed) how to fix it."""

    name: str
    status: Status
    detail: str

    @property
    def passed(self) -> bool:
        """A skipped check (nothing to check) does not fail the report."""
        return self.status != "fail"


@dataclass(frozen=True)
class SlackAnswer:
    """One Web API answer as the checks read it: body, headers (lower-case names) and when it was asked and
    answered; or, when no answer came, why."""

    method: str
    sent_at: datetime
    received_at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    unreachable: str | None = None

    @property
    def ok(self) -> bool:
        """Whether Slack answered `ok: true`."""
        return self.unreachable is None and self.data.get("ok") is True

    @property
    def error(self) -> str:
        """Slack's error code (or a note that there is none)."""
        return str(self.data.get("error") or "no error code")


def ask_slack(client: WebClient, method: str, *, clock: Clock, **args: Any) -> SlackAnswer:
    """Call one Web API method; a refusal or a network failure is an answer too, never an exception."""
    sent_at = clock()
    try:
        response = client.api_call(method, params=args or None)
    except SlackApiError as error:
        response = error.response
    except (SlackClientError, OSError, HTTPException) as error:
        return SlackAnswer(
            method=method,
            sent_at=sent_at,
            received_at=clock(),
            unreachable=f"cannot reach Slack at {client.base_url} ({_reason(error)})",
        )
    data = response.data if isinstance(response.data, dict) else {}
    headers = {str(name).lower(): str(value) for name, value in response.headers.items()}
    return SlackAnswer(method=method, sent_at=sent_at, received_at=clock(), data=data, headers=headers)


def _reason(error: BaseException) -> str:
    if isinstance(error, URLError) and error.reason is not None:
        reason: Any = error.reason
        return str(getattr(reason, "strerror", None) or reason)
    if isinstance(error, TimeoutError):
        return f"no answer within {SLACK_TIMEOUT_SECONDS} s"
    return str(getattr(error, "strerror", None) or error) or type(error).__name__


# --- Slack: the token, its scopes, the clock --------------------------------------------------------------------


def check_token(answer: SlackAnswer, *, token_set: bool, oauth: bool = False) -> CheckResult:
    """auth.test with the bot token: Slack knows it, and says whose it is. With OAuth installs there is no one
    token to check: each workspace's is in the database."""
    if not token_set and oauth:
        detail = (
            "OAuth installs (SLACK_CLIENT_ID/SLACK_CLIENT_SECRET): each workspace's bot token is kept in the "
            "database; install at /slack/install, and /healthz names a workspace whose sending is on hold"
        )
        return CheckResult("token", "skip", detail)
    if not token_set:
        detail = "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions"
        return CheckResult("token", "fail", detail)
    if answer.unreachable:
        detail = f"{answer.unreachable}: check the network (proxy, firewall) and SLACK_API_URL"
        return CheckResult("token", "fail", detail)
    if answer.ok:
        data = answer.data
        return CheckResult(
            "token",
            "ok",
            f"bot @{data.get('user')} ({data.get('user_id')}) in {data.get('team')} ({data.get('team_id')})",
        )
    error = answer.error
    if error in ("token_revoked", "account_inactive"):
        detail = f"token revoked ({error}): the app was uninstalled or its token reset; {REINSTALL}"
    elif error in ("invalid_auth", "not_authed"):
        detail = f"Slack does not know this token ({error}): {REINSTALL} to its Bot User OAuth Token (xoxb-…)"
    elif error == "token_expired":
        detail = (
            "the token expired (token_expired: token rotation is on): turn token rotation off under "
            f"OAuth & Permissions, then {REINSTALL}"
        )
    else:
        detail = f"Slack refused auth.test ({error}): check SLACK_API_URL, or {REINSTALL}"
    return CheckResult("token", "fail", detail)


def granted_scopes(answer: SlackAnswer) -> list[str] | None:
    """The scopes Slack says the token has (its `x-oauth-scopes` header), or None if it did not say."""
    header = answer.headers.get("x-oauth-scopes")
    if header is None:
        return None
    return [scope.strip() for scope in header.split(",") if scope.strip()]


def check_scopes(answer: SlackAnswer, *, needed: Sequence[str]) -> CheckResult:
    """Every scope the manifest asks for is granted to the bot token."""
    if not answer.ok:
        return CheckResult("scopes", "skip", "not checked: it needs a working token")
    granted = granted_scopes(answer)
    if granted is None:
        return CheckResult(
            "scopes",
            "skip",
            "Slack's answer did not list the token's scopes (no x-oauth-scopes header): compare the app's "
            "OAuth & Permissions page with `rapport manifest`",
        )
    missing = [scope for scope in needed if scope not in granted]
    if missing:
        names = ", ".join(f"`{scope}`" for scope in missing)
        plural = len(missing) > 1
        return CheckResult(
            "scopes",
            "fail",
            f"missing scope{'s' if plural else ''} {names}: add {'them' if plural else 'it'} under "
            "OAuth & Permissions (or paste `rapport manifest` into the app's manifest) and reinstall the app",
        )
    detail = f"all {len(needed)} scopes the manifest asks for are granted"
    extra = sorted(set(granted) - set(needed))
    if extra:
        detail += (
            f"; also granted but not used: {', '.join(f'`{scope}`' for scope in extra)} "
            "(remove them under OAuth & Permissions and reinstall the app when convenient)"
        )
    return CheckResult("scopes", "ok", detail)


def clock_offset(*, slack_date: datetime, sent_at: datetime, received_at: datetime) -> timedelta:
    """How far this machine's clock is ahead of Slack's (negative: behind), from an answer's `Date` header.

    The header is Slack's time rounded down to the second, stamped between sending and receiving: compare the
    middle of its second with the middle of the round trip.
    """
    slack_time = slack_date + timedelta(milliseconds=500)
    local_time = sent_at + (received_at - sent_at) / 2
    return local_time - slack_time


def check_clock(answer: SlackAnswer) -> CheckResult:
    """This machine's clock against the `Date` header of Slack's answer."""
    if answer.unreachable:
        return CheckResult("clock", "skip", "not checked: Slack did not answer")
    header = answer.headers.get("date")
    slack_date: datetime | None
    try:
        slack_date = parsedate_to_datetime(header) if header else None
    except (TypeError, ValueError):
        slack_date = None
    if slack_date is None or slack_date.tzinfo is None:
        return CheckResult("clock", "skip", "not checked: Slack's answer had no readable Date header")
    offset = clock_offset(slack_date=slack_date, sent_at=answer.sent_at, received_at=answer.received_at)
    seconds = offset.total_seconds()
    if abs(seconds) < 1.5:
        return CheckResult("clock", "ok", "within 1 s of Slack's")
    off = f"{math.floor(abs(seconds) + 0.5)} s {'ahead of' if seconds > 0 else 'behind'} Slack's"
    if abs(offset) <= CLOCK_TOLERANCE:
        return CheckResult("clock", "ok", f"{off} (fine up to {CLOCK_TOLERANCE.seconds} s)")
    return CheckResult(
        "clock",
        "fail",
        f"{off}: Rapport refuses Slack's requests once they are 300 s off, and reminders run late or early; "
        "turn on time sync (`timedatectl set-ntp true`, chrony or ntpd)",
    )


# --- the database ------------------------------------------------------------------------------------------------


def check_database(database_url: str) -> tuple[CheckResult, Engine | None]:
    """The database answers and is migrated to the newest revision; returns its engine for the checks that read
    it (None when it cannot be read)."""
    url = make_url(database_url)
    where = url.render_as_string(hide_password=True)
    if url.get_backend_name() != "sqlite":
        engine = make_engine(database_url, connect_args={"connect_timeout": DATABASE_TIMEOUT_SECONDS})
    elif url.database in (None, "", ":memory:"):
        engine = make_engine(database_url)
    else:
        path = Path(str(url.database)).expanduser()
        if not path.is_file():
            # Opening it would create an empty file: say so instead.
            return CheckResult(
                "database",
                "fail",
                f"there is no database at {path.resolve()}: run `rapport migrate` to create it, or set DATABASE_URL "
                "to Rapport's database",
            ), None
        engine = make_engine(database_url)
    try:
        current = migrate.current_revision(engine)
    except SQLAlchemyError as error:
        engine.dispose()
        reason = (str(getattr(error, "orig", None) or error).strip().splitlines() or ["no answer"])[0]
        return CheckResult(
            "database",
            "fail",
            f"cannot reach the database at {where} ({reason}): check DATABASE_URL and that the database is running",
        ), None
    head = migrate.head_revision(engine)
    if current == head:
        return CheckResult("database", "ok", f"{where} at {head}, the newest revision"), engine
    engine.dispose()
    if current is None:
        detail = f"the database at {where} is empty, needs {head}: run `rapport migrate`"
    elif _known_revision(engine, current):
        detail = f"database at {current}, needs {head}: run `rapport migrate`"
    else:
        detail = (
            f"database at {current}, a revision this Rapport does not know (its newest is {head}): a newer Rapport "
            "migrated it; run that version"
        )
    return CheckResult("database", "fail", detail), None


def _known_revision(engine: Engine, revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(migrate.alembic_config(engine)).get_revision(revision) is not None
    except CommandError:
        return False


# --- Socket Mode and the stories channel -------------------------------------------------------------------------


def check_socket_mode(answer: SlackAnswer | None, *, api_url: str) -> CheckResult:
    """With SLACK_APP_TOKEN, apps.connections.open hands out a WebSocket URL (wss://)."""
    if answer is None:
        return CheckResult("socket mode", "skip", "not used: SLACK_APP_TOKEN is not set, so Rapport runs in HTTP mode")
    if answer.unreachable:
        return CheckResult("socket mode", "fail", f"{answer.unreachable}: check the network and SLACK_API_URL")
    if not answer.ok:
        error = answer.error
        if error in ("invalid_auth", "token_revoked", "not_authed", "account_inactive"):
            fix = (
                f"Slack refused the app-level token ({error}): create one with the `connections:write` scope under "
                "Basic Information → App-Level Tokens and set SLACK_APP_TOKEN to it"
            )
        else:
            fix = (
                f"apps.connections.open failed ({error}): turn Socket Mode on under Settings → Socket Mode, and check "
                "that SLACK_APP_TOKEN has the `connections:write` scope"
            )
        return CheckResult("socket mode", "fail", fix)
    link = urlsplit(str(answer.data.get("url") or ""))
    # Slack hands out wss:// only; a plain ws:// link is accepted from a local, plain-http Slack (the simulator).
    schemes = {"wss"} if api_url.startswith("https://") else {"wss", "ws"}
    if link.scheme not in schemes or not link.hostname:
        return CheckResult(
            "socket mode",
            "fail",
            f"apps.connections.open gave no wss:// URL ({link.scheme or 'none'}://…): check SLACK_API_URL points at "
            "Slack (https://slack.com/api/)",
        )
    return CheckResult("socket mode", "ok", f"Slack opens connections ({link.scheme}://{link.netloc}/…)")


def stories_channel_of(engine: Engine, *, team_id: str) -> str | None:
    """The stories channel the workspace's admins chose, if any (read only)."""
    with make_session_factory(engine).begin() as session:
        session.connection(execution_options={READ_ONLY: True})
        return settings_rows.stories_channel(session, team_id=team_id)


def check_stories_channel(channel_id: str | None, answer: SlackAnswer | None) -> CheckResult:
    """The stories channel (if one is chosen) still has Rapport in it and is not archived (conversations.info)."""
    if channel_id is None or answer is None:
        return CheckResult("stories channel", "skip", "none chosen (an admin can pick one in `/rapport settings`)")
    if answer.unreachable:
        return CheckResult("stories channel", "fail", f"{answer.unreachable}: check the network and SLACK_API_URL")
    if not answer.ok:
        error = answer.error
        if error == "channel_not_found":
            detail = (
                f"Slack shows Rapport no channel {channel_id}: it was deleted, or it is private and Rapport was "
                f"removed; invite Rapport (`/invite @Rapport` in it) {PICK_ANOTHER}"
            )
        elif error == "missing_scope":
            needed = answer.data.get("needed") or "channels:read, groups:read"
            detail = (
                f"Slack refused conversations.info (missing_scope: `{needed}`): add it under OAuth & Permissions "
                "and reinstall the app"
            )
        else:
            detail = f"Slack refused conversations.info for {channel_id} ({error}): try again, {PICK_ANOTHER}"
        return CheckResult("stories channel", "fail", detail)
    channel = answer.data.get("channel") or {}
    name = f"#{channel.get('name') or channel_id} ({channel_id})"
    if channel.get("is_archived"):
        return CheckResult(
            "stories channel", "fail", f"{name} is archived: unarchive it and invite Rapport again, {PICK_ANOTHER}"
        )
    if not channel.get("is_member"):
        return CheckResult(
            "stories channel",
            "fail",
            f"Rapport is not in {name} any more: invite it back (`/invite @Rapport` in that channel) {PICK_ANOTHER}",
        )
    return CheckResult("stories channel", "ok", f"{name}: Rapport is a member")


# --- all of them -------------------------------------------------------------------------------------------------


def run_checks(
    settings: Settings,
    *,
    needed_scopes: Sequence[str],
    clock: Clock = system_clock,
    bot_token: str | None = None,
    team: str | None = None,
) -> list[CheckResult]:
    """Run every check, in report order: token, scopes, clock, database, Socket Mode, stories channel; with the
    given bot token (one OAuth installation's), else SLACK_BOT_TOKEN's, which must then be `team`'s when given."""
    token = bot_token or settings.bot_token
    bot = _client(token, settings.slack_api_url)
    # Without a token, auth.test still answers (not_authed), with Slack's Date for the clock check.
    identity = ask_slack(bot, "auth.test", clock=clock)
    token_check = check_token(identity, token_set=token is not None, oauth=settings.client_id is not None)
    if token_check.status == "ok" and team is not None and identity.data.get("team_id") != team:
        token_check = CheckResult(
            "token",
            "fail",
            f"SLACK_BOT_TOKEN is the bot token of {identity.data.get('team')} ({identity.data.get('team_id')}), "
            f"not of {team}: leave out --team, or set SLACK_BOT_TOKEN to that workspace's token",
        )
    results = [token_check, check_scopes(identity, needed=needed_scopes), check_clock(identity)]
    database, engine = check_database(settings.database_url)
    results.append(database)
    socket = None
    if settings.app_token:
        socket = ask_slack(_client(settings.app_token, settings.slack_api_url), "apps.connections.open", clock=clock)
    results.append(check_socket_mode(socket, api_url=settings.slack_api_url))
    results.append(_stories(bot, engine, identity=identity, clock=clock))
    if engine is not None:
        engine.dispose()
    return results


@dataclass(frozen=True)
class Section:
    """The checks of one installation (OAuth mode: `workspace` names it), or of the one bot token (None)."""

    workspace: str | None
    results: list[CheckResult]


def run_report(
    settings: Settings, *, needed_scopes: Sequence[str], team: str | None = None, clock: Clock = system_clock
) -> list[Section]:
    """Every check, once with SLACK_BOT_TOKEN; with OAuth installs, for the installation `team` names, or for each
    installation in turn (ConfigError, listing them, when `team` is not installed)."""
    if settings.bot_token or not (settings.client_id and settings.client_secret):
        return [Section(None, run_checks(settings, needed_scopes=needed_scopes, clock=clock, team=team))]
    _, engine = check_database(settings.database_url)
    if engine is None:  # the report says why; no installation can be read
        return [Section(None, run_checks(settings, needed_scopes=needed_scopes, clock=clock))]
    try:
        chosen = installs.workspace_tokens(
            engine,
            settings=settings,
            api_client=_client(None, settings.slack_api_url),
            team=team,
            every=team is None,
        )
    finally:
        engine.dispose()
    if not chosen:
        return [Section(None, run_checks(settings, needed_scopes=needed_scopes, clock=clock))]
    return [
        Section(
            chosen_one.installation.label
            if team in (None, chosen_one.installation.team_id)
            else f"{team}, through {chosen_one.installation.label}",
            run_checks(settings, needed_scopes=needed_scopes, clock=clock, bot_token=chosen_one.token),
        )
        for chosen_one in chosen
    ]


def _stories(bot: WebClient, engine: Engine | None, *, identity: SlackAnswer, clock: Clock) -> CheckResult:
    if not identity.ok:
        return CheckResult("stories channel", "skip", "not checked: it needs a working token")
    if engine is None:
        return CheckResult("stories channel", "skip", "not checked: it needs the database")
    try:
        channel_id = stories_channel_of(engine, team_id=str(identity.data.get("team_id")))
    except SQLAlchemyError as error:
        reason = (str(getattr(error, "orig", None) or error).strip().splitlines() or ["no answer"])[0]
        return CheckResult("stories channel", "fail", f"cannot read the workspace's settings ({reason}): try again")
    if channel_id is None:
        return check_stories_channel(None, None)
    return check_stories_channel(channel_id, ask_slack(bot, "conversations.info", clock=clock, channel=channel_id))


def _client(token: str | None, api_url: str) -> WebClient:
    # The checks report failures themselves: slack_sdk's own error log would only repeat them.
    quiet = logging.getLogger("bot.doctor.slack")
    quiet.setLevel(logging.CRITICAL)
    return WebClient(token=token, base_url=api_url, timeout=SLACK_TIMEOUT_SECONDS, logger=quiet)
