"""Whether a customer's owner is away, for the unanswered-message alert: Slack presence, status and membership,
looked at by the alert job (never on an event's acknowledgement path) and kept briefly in each process.

The rule itself is bot.domain.away. Only owners of customers with a backup owner are looked at: with nobody to
alert instead, the owner's DM goes as always and says nothing about presence. A Slack error (ratelimited,
missing_scope for users:read or users.profile:read, a timeout) leaves the owner "not known to be away", is logged,
and never holds an alert back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.domain.away import (
    Absence,
    AwayStatuses,
    next_away_since,
    owner_absence,
    presence_absence,
    status_absence,
)
from bot.runtime.caches import StatusSeen
from bot.runtime.clients import Clients, client_for
from bot.runtime.deps import Deps
from bot.services import profiles

log = logging.getLogger(__name__)

# A presence is looked at again after this (Tier 3: 50+ a minute); the alert job runs every 30 s.
PRESENCE_TTL = timedelta(seconds=60)
# A status (and whether the person left) is read again after this (Tier 4).
STATUS_TTL = timedelta(minutes=5)

Person = tuple[str, str]  # (team_id, user_id)


@dataclass(frozen=True)
class OwnerLooks:
    """What the looks at owners found, for judging each waiting message (bot.domain.away)."""

    statuses: dict[str, AwayStatuses] = field(default_factory=dict)  # by team
    seen: dict[Person, StatusSeen] = field(default_factory=dict)
    away_since: dict[Person, datetime] = field(default_factory=dict)

    def absence(
        self, *, team_id: str, user_id: str, now: datetime, minutes: int, wait_started: datetime
    ) -> Absence | None:
        """Why the owner counts as away for a message that waited since `wait_started`; None: not known to be."""
        person = (team_id, user_id)
        seen = self.seen.get(person)
        statuses = self.statuses.get(team_id)
        status = (
            status_absence(emoji=seen.emoji, text=seen.text, expiration=seen.expiration, now=now, statuses=statuses)
            if seen is not None and statuses is not None
            else None
        )
        presence = presence_absence(
            away_since=self.away_since.get(person), now=now, minutes=minutes, wait_started=wait_started
        )
        return owner_absence(gone=seen is not None and seen.departed, status=status, presence=presence)


def look_at_owners(
    deps: Deps, clients: Clients | None, *, owners: Iterable[Person], statuses: dict[str, AwayStatuses], now: datetime
) -> OwnerLooks:
    """Look at each owner's presence (at most every PRESENCE_TTL) and status (every STATUS_TTL); outside any
    transaction, since each may be a Web API call."""
    looks = OwnerLooks(statuses=dict(statuses))
    if clients is None:
        return looks
    for team_id, user_id in dict.fromkeys(owners):
        client = client_for(clients, team_id)
        if client is None:
            continue
        since = _presence(deps, client, team_id=team_id, user_id=user_id, now=now)
        if since is not None:
            looks.away_since[(team_id, user_id)] = since
        seen = _status(deps, client, team_id=team_id, user_id=user_id, now=now)
        if seen is not None:
            looks.seen[(team_id, user_id)] = seen
    return looks


def _slack_failure(method: str, user_id: str, error: Exception) -> None:
    if isinstance(error, SlackApiError):
        reason = str(error.response.get("error") or error.response.status_code)
        needed = error.response.get("needed")
        if needed:
            reason += f" (needs {needed})"
    else:
        reason = type(error).__name__
    log.warning("%s failed for %s: %s; the owner is taken as not known to be away", method, user_id, reason)


def _presence(deps: Deps, client: WebClient, *, team_id: str, user_id: str, now: datetime) -> datetime | None:
    """Since when the person has been seen away (None: seen active, or not known)."""
    previous = deps.away.presence(team_id=team_id, user_id=user_id)
    if previous is not None and now - previous[1] < PRESENCE_TTL:
        return previous[0]
    try:
        presence = str(client.users_getPresence(user=user_id).get("presence") or "")
    except (SlackApiError, SlackClientError, OSError) as error:
        _slack_failure("users.getPresence", user_id, error)
        return None  # not looked at: the previous look stays, and a long gap starts the count again
    since = next_away_since(previous=previous, away=presence == "away", now=now)
    deps.away.remember_presence(team_id=team_id, user_id=user_id, away_since=since, looked_at=now)
    return since


def _status(deps: Deps, client: WebClient, *, team_id: str, user_id: str, now: datetime) -> StatusSeen | None:
    """The person's status and whether they left, as last read (read again after STATUS_TTL); None: not known."""
    previous = deps.away.status(team_id=team_id, user_id=user_id)
    if previous is not None and now - previous[1] < STATUS_TTL:
        return previous[0]
    departed = profiles.has_departed(deps, client, team_id=team_id, user_id=user_id, now=now)
    seen: StatusSeen | None
    try:
        profile = client.users_profile_get(user=user_id).get("profile") or {}
        expiration = profile.get("status_expiration")
        seen = StatusSeen(
            emoji=str(profile.get("status_emoji") or ""),
            text=str(profile.get("status_text") or ""),
            expiration=expiration if isinstance(expiration, int) else 0,
            departed=bool(departed),
        )
    except (SlackApiError, SlackClientError, OSError) as error:
        _slack_failure("users.profile.get", user_id, error)
        seen = StatusSeen(emoji="", text="", expiration=0, departed=True) if departed else None
    deps.away.remember_status(team_id=team_id, user_id=user_id, status=seen, read_at=now)
    return seen
