"""Slack user profiles (timezone, admin flags, who the person is), cached in the database and refreshed when a day
old; who an author is is also kept in each process (`Deps.people`), so the message path asks neither the database
nor Slack about a person it knows."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.db.queries import settings as settings_rows
from bot.domain.people import Kind, is_slackbot, kind_of_profile
from bot.runtime.deps import PROFILE_TTL, Deps

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Profile:
    """What Rapport uses of a Slack user profile."""

    tz: str
    is_admin: bool
    is_owner: bool
    kind: Kind = Kind.STAFF


def _fetch(
    deps: Deps, client: WebClient, *, team_id: str, user_id: str, now: datetime, raise_busy: bool = False
) -> Profile | None:
    """Ask users.info and cache the answer; None if Slack cannot say (with `raise_busy`, a 429 or 5xx is raised)."""
    try:
        user = client.users_info(user=user_id)["user"] or {}
    except SlackApiError as error:
        if raise_busy and (error.response.status_code == 429 or error.response.status_code >= 500):
            raise
        log.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
        return None
    except (SlackClientError, OSError) as error:
        log.warning("users.info failed for %s: %s", user_id, type(error).__name__)
        return None
    profile = user.get("profile") or {}
    kind = kind_of_profile(user, team_id=team_id, enterprise_id=deps.enterprises.get(team_id))
    found = Profile(
        tz=str(user.get("tz") or "UTC")[:64],
        is_admin=bool(user.get("is_admin")),
        is_owner=bool(user.get("is_owner")),
        kind=kind,
    )
    with deps.session_factory.begin() as session:
        settings_rows.save_user_profile(
            session,
            team_id=team_id,
            user_id=user_id,
            now=now,
            name=str(user.get("name") or "")[:200],
            real_name=str(user.get("real_name") or profile.get("real_name") or "")[:200],
            email=(str(profile["email"])[:254] if profile.get("email") else None),
            tz=found.tz,
            is_admin=found.is_admin,
            is_owner=found.is_owner,
            is_bot=kind is Kind.BOT,
            is_external=kind is Kind.EXTERNAL,
            deleted=bool(user.get("deleted")),
        )
    deps.people.remember(team_id=team_id, user_id=user_id, kind=kind, read_at=now)
    return found


def _cached(deps: Deps, *, team_id: str, user_id: str) -> tuple[Profile, datetime] | None:
    with deps.session_factory.begin() as session:
        row = settings_rows.user_profile(session, team_id=team_id, user_id=user_id)
        if row is None:
            return None
        kind = Kind.BOT if row.is_bot else Kind.EXTERNAL if row.is_external else Kind.STAFF
        return Profile(tz=row.tz, is_admin=row.is_admin, is_owner=row.is_owner, kind=kind), row.fetched_at


def user_timezone(deps: Deps, client: WebClient, *, team_id: str, user_id: str, retry_busy: bool = False) -> str:
    """The user's IANA timezone: the cached one while fresh, else from users.info (UTC if Slack cannot say).

    With `retry_busy` (a person's request or an event, which can be answered with an error and tried again), a
    read Slack refused for now (429, 5xx) of a profile never cached is raised rather than guessed as UTC: the person
    gets a sentence, and Slack delivers an event again (bot.listeners.adapter)."""
    now = deps.clock()
    cached = _cached(deps, team_id=team_id, user_id=user_id)
    if cached is not None and now - cached[1] < PROFILE_TTL:
        return cached[0].tz
    fetched = _fetch(deps, client, team_id=team_id, user_id=user_id, now=now, raise_busy=retry_busy and not cached)
    if fetched is not None:
        return fetched.tz
    return cached[0].tz if cached is not None else "UTC"


def fresh_profile(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> Profile | None:
    """The profile as Slack says it now (for admin checks), else the cached one, else None."""
    fetched = _fetch(deps, client, team_id=team_id, user_id=user_id, now=deps.clock())
    if fetched is not None:
        return fetched
    cached = _cached(deps, team_id=team_id, user_id=user_id)
    return cached[0] if cached is not None else None


def person_kind(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    fallback: Kind | Callable[[], Kind],
    retry_busy: bool = False,
) -> Kind:
    """Who a person is to the workspace: what this process knows, else the database's profile while fresh, else
    users.info. When Slack cannot say, the stale profile if there is one, else `fallback` (the guess from the
    message's own fields, worked out only then when it is a function), and the log says so; the event is not lost.

    With `retry_busy` (an event, which Slack delivers again), a read Slack refused for now (429, 5xx) of a person
    never cached is raised rather than guessed: a customer is never taken for staff while Slack is busy."""
    if is_slackbot(user_id):
        return Kind.BOT
    now = deps.clock()
    known = deps.people.get(team_id=team_id, user_id=user_id, now=now)
    if known is not None:
        return known
    cached = _cached(deps, team_id=team_id, user_id=user_id)
    if cached is not None and now - cached[1] < PROFILE_TTL:
        deps.people.remember(team_id=team_id, user_id=user_id, kind=cached[0].kind, read_at=cached[1])
        return cached[0].kind
    fetched = _fetch(deps, client, team_id=team_id, user_id=user_id, now=now, raise_busy=retry_busy and cached is None)
    if fetched is not None:
        return fetched.kind
    decided = cached[0].kind if cached is not None else fallback() if callable(fallback) else fallback
    source = "a stale profile" if cached is not None else "the message"
    log.warning("could not read who %s is; decided %s from %s", user_id, decided.value, source)
    return decided


def has_departed(deps: Deps, client: WebClient, *, team_id: str, user_id: str, now: datetime) -> bool | None:
    """Whether the person is no longer a member (deactivated or removed: users.info `deleted`), as Slack says it now
    (the caller keeps the answer briefly); the cached profile when Slack cannot say, else None (not known)."""
    _fetch(deps, client, team_id=team_id, user_id=user_id, now=now)  # logs it when Slack cannot say
    with deps.session_factory.begin() as session:
        row = settings_rows.user_profile(session, team_id=team_id, user_id=user_id)
        return row.deleted if row is not None else None
