"""Slack user profiles (timezone, admin flags), cached in the database and refreshed when a day old."""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.db import queries
from bot.services.deps import Deps

log = logging.getLogger(__name__)

PROFILE_TTL = timedelta(days=1)


def user_timezone(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> str:
    """The user's IANA timezone: the cached one while fresh, else from users.info (UTC if Slack cannot say)."""
    now = deps.clock()
    with deps.session_factory.begin() as session:
        cached = queries.user_profile(session, team_id=team_id, user_id=user_id)
        if cached is not None and now - cached.fetched_at < PROFILE_TTL:
            return cached.tz
        stale_tz = cached.tz if cached is not None else None
    try:
        user = client.users_info(user=user_id)["user"] or {}
    except (SlackApiError, SlackClientError, OSError) as error:
        log.warning("users.info failed for %s: %s; using %s", user_id, error, stale_tz or "UTC")
        return stale_tz or "UTC"
    profile = user.get("profile") or {}
    tz = str(user.get("tz") or "UTC")
    with deps.session_factory.begin() as session:
        queries.save_user_profile(
            session,
            team_id=team_id,
            user_id=user_id,
            now=now,
            name=str(user.get("name") or "")[:200],
            real_name=str(user.get("real_name") or profile.get("real_name") or "")[:200],
            email=(str(profile["email"])[:254] if profile.get("email") else None),
            tz=tz[:64],
            is_admin=bool(user.get("is_admin")),
            is_owner=bool(user.get("is_owner")),
            is_bot=bool(user.get("is_bot")),
            is_external=bool(user.get("is_stranger") or (user.get("team_id") not in (None, team_id))),
            deleted=bool(user.get("deleted")),
        )
    return tz
