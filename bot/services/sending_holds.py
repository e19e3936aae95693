"""Sending holds: when Slack refuses the bot's token, or a scope a method needs, the workspace's outbox waits.

A hold is a row (bot.db.queries.holds) that keeps the sender from claiming the outbox rows it covers: every row of
the workspace for a refused token (`invalid_auth`, `token_revoked`, `account_inactive`, …) or an uninstall, the rows
of one Web API method for `missing_scope`. The rows stay pending; nothing fails and nothing is lost. When a hold's
time comes the sender asks Slack again with `auth.test` (whose `x-oauth-scopes` header names the granted scopes):
once the token works, and the scope is granted, the hold is lifted and the rows go out in their order. Otherwise
it asks again later: after 30 seconds, then doubling, at most every 5 minutes. Start-up asks at once.

Each hold is logged once, when it starts, with what to do (never the token): at ERROR for Slack's refusal, at WARNING
for an uninstall (someone's decision); and once, at WARNING, when it ends.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.db.queries import holds as hold_rows
from bot.runtime.clients import Clients, client_for
from bot.runtime.deps import Deps

log = logging.getLogger(__name__)

EVERY_METHOD = hold_rows.EVERY_METHOD
# Slack's answers that mean the bot's token itself no longer works: nothing can be sent until it does.
AUTH_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "team_access_not_granted",
        "org_login_required",
        "ekm_access_denied",
    }
)
# Events that stop a workspace's sending at once (Slack sends them to apps subscribed to them).
STOPPING_EVENTS = frozenset({"app_uninstalled", "tokens_revoked"})
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(minutes=5)


def retry_in(probes: int) -> timedelta:
    """How long a hold waits before asking Slack again, after `probes` answers that it still stands."""
    return min(FIRST_RETRY * 2 ** min(probes, 10), MAX_RETRY)


def slack_code(error: SlackApiError) -> str:
    """Slack's error code for a refused call ("" when its answer has none)."""
    data = error.response.data
    return str(data.get("error") or "") if isinstance(data, dict) else ""


@dataclass(frozen=True)
class TokenCheck:
    """What `auth.test` says of the bot's token now."""

    works: bool
    code: str = ""  # Slack's error code (or the failure's name) when it does not
    scopes: frozenset[str] | None = None  # the granted scopes (`x-oauth-scopes`), when Slack says

    def grants(self, needed: str | None) -> bool:
        """Whether the token works and has one of the scopes Slack said were needed (comma-separated)."""
        if not self.works:
            return False
        if not needed or self.scopes is None:
            return True
        return any(scope.strip() in self.scopes for scope in needed.split(","))


def check_token(client: WebClient) -> TokenCheck:
    """Ask Slack whether the bot's token works (auth.test), and which scopes it has."""
    try:
        response = client.auth_test()
    except SlackApiError as error:
        return TokenCheck(works=False, code=slack_code(error) or f"http_{error.response.status_code}")
    except (SlackClientError, OSError) as error:
        return TokenCheck(works=False, code=type(error).__name__)
    header = next((v for k, v in (response.headers or {}).items() if k.lower() == "x-oauth-scopes"), None)
    if isinstance(header, list):
        header = header[0] if header else None
    scopes = frozenset(s.strip() for s in header.split(",") if s.strip()) if isinstance(header, str) else None
    return TokenCheck(works=True, scopes=scopes)


def hold_sending(
    deps: Deps, *, team_id: str, method: str, reason: str, now: datetime, needed: str | None = None
) -> bool:
    """Hold the workspace's sending (of every method, or of one whose scope is missing); True if the hold is new
    (and then logged, with what to do)."""
    with deps.session_factory.begin() as session:
        new = hold_rows.hold(
            session, team_id=team_id, method=method, reason=reason, needed=needed, now=now, retry_at=now + FIRST_RETRY
        )
    if new:
        # A refusal is an error to fix; an uninstall is someone's decision, said as a warning.
        level = logging.WARNING if reason in STOPPING_EVENTS else logging.ERROR
        log.log(level, "%s", what_to_do(team_id=team_id, method=method, reason=reason, needed=needed))
    return new


def what_to_do(*, team_id: str, method: str, reason: str, needed: str | None) -> str:
    """The hold explained to whoever runs Rapport: what Slack said, that nothing is lost, and how to fix it."""
    if method != EVERY_METHOD:
        scope = f"the scope `{needed}`" if needed else "a scope"
        return (
            f"Sending {method} is on hold for workspace {team_id}: Slack says the app lacks {scope} (missing_scope). "
            "Nothing is lost: those messages wait. Add the scope to the app (OAuth & Permissions, or the manifest "
            "`rapport manifest` prints) and reinstall it; sending resumes by itself within 5 minutes, or at once "
            "on restart."
        )
    if reason in STOPPING_EVENTS:
        cause = "Slack says the app was uninstalled" if reason == "app_uninstalled" else "Slack revoked the bot token"
        return (
            f"Sending is on hold for workspace {team_id}: {cause} ({reason}). Nothing is lost: messages wait, and "
            "the workspace's data is kept until retention or `rapport purge`. Reinstall the app (at /slack/install "
            "with OAuth installs, where sending resumes at once; else set its new bot token, SLACK_BOT_TOKEN, and "
            "restart Rapport)."
        )
    return (
        f"Sending is on hold for workspace {team_id}: Slack refuses the bot token ({reason}). Nothing is lost: "
        "messages wait. Set a valid bot token (SLACK_BOT_TOKEN, from the app's OAuth & Permissions page; reinstall "
        "the app if it was revoked) and restart Rapport; if the token comes back by itself, sending resumes "
        "within 5 minutes."
    )


def probe_due_holds(deps: Deps, clients: Clients, *, now: datetime) -> None:
    """Ask Slack again, with each workspace's own token, about every hold whose time has come; lift those it
    answers, put the others off (a workspace no longer installed stays held)."""
    with deps.session_factory.begin() as session:
        due = [(h.team_id, h.method, h.reason, h.needed, h.probes) for h in hold_rows.due(session, now=now)]
    checks: dict[str, TokenCheck] = {}
    for team_id, method, reason, needed, probes in due:
        if team_id not in checks:
            client = client_for(clients, team_id)
            checks[team_id] = check_token(client) if client is not None else TokenCheck(works=False, code=reason)
        cured = checks[team_id].grants(needed if method != EVERY_METHOD else None)
        with deps.session_factory.begin() as session:
            if cured:
                lifted = hold_rows.lift(session, team_id=team_id, method=method)
            else:
                hold_rows.hold(
                    session,
                    team_id=team_id,
                    method=method,
                    reason=reason,
                    needed=needed,
                    now=now,
                    retry_at=now + retry_in(probes + 1),
                )
        if cured and lifted:
            what = "sending" if method == EVERY_METHOD else f"sending {method}"
            log.warning("Slack accepts the bot again: %s resumed for workspace %s (it was %s)", what, team_id, reason)


def retry_holds_now(deps: Deps, *, now: datetime) -> None:
    """At start-up: ask Slack about every hold at the sender's first pass (the token may have been fixed)."""
    with deps.session_factory.begin() as session:
        hold_rows.retry_all_now(session, now=now)


def stop_sending(deps: Deps, *, team_id: str, event: str, now: datetime) -> None:
    """`app_uninstalled` or the bot's `tokens_revoked`: the workspace's sending stops at once; its messages wait."""
    if not hold_sending(deps, team_id=team_id, method=EVERY_METHOD, reason=event, now=now):
        log.info("%s for workspace %s: its sending was already on hold", event, team_id)
