"""Slack user profiles (timezone, admin flags), cached in the database and refreshed when a day old."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.db.queries import settings as settings_rows
from bot.runtime.deps import Deps

log = logging.getLogger(__name__)

PROFILE_TTL = timedelta(days=1)


@dataclass(frozen=True)
class Profile:
    """What Rapport uses of a Slack user profile."""

    tz: str
    is_admin: bool
    is_owner: bool


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
    found = Profile(
        tz=str(user.get("tz") or "UTC")[:64], is_admin=bool(user.get("is_admin")), is_owner=bool(user.get("is_owner"))
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
            is_bot=bool(user.get("is_bot")),
            is_external=bool(user.get("is_stranger") or (user.get("team_id") not in (None, team_id))),
            deleted=bool(user.get("deleted")),
        )
    return found


def _cached(deps: Deps, *, team_id: str, user_id: str) -> tuple[Profile, datetime] | None:
    with deps.session_factory.begin() as session:
        row = settings_rows.user_profile(session, team_id=team_id, user_id=user_id)
        if row is None:
            return None
        return Profile(tz=row.tz, is_admin=row.is_admin, is_owner=row.is_owner), row.fetched_at


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
