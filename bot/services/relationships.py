"""Relationships: the weekly "gone quiet" DM to each customer owner, customer-since anniversaries, and the
quiet DM's buttons (Plan a check-in, Snooze 30 days).

The two queueing functions are jobs' work: plain functions of `now`, safe in several processes at once,
because each DM is an outbox row whose idempotency key names its intent (`quiet:<owner>:<monday>`,
`anniversary:<customer>:<year>`). Their per-tick cost is a couple of queries per workspace; customers are
only read for the owners whose 09:00 has come and whom this process has not settled yet (see NudgeMemo).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks.relationships import build_anniversary, build_quiet_nudge
from bot.db.models import Customer
from bot.db.queries import customers as customer_rows
from bot.db.queries import followups as followup_rows
from bot.db.queries import outbox as outbox_rows
from bot.db.queries import relationships as relationship_rows
from bot.db.queries import settings as settings_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain.errors import BadCommand
from bot.domain.relationships import (
    NUDGE_TIME,
    anniversary_years,
    is_quiet,
    quiet_week,
    relationship_start,
    since_dates_for,
)
from bot.domain.when import WorkWeek, resolve, zone
from bot.runtime.clients import Clients, client_for
from bot.runtime.deps import Deps
from bot.services import access, home
from bot.services.profiles import user_timezone
from bot.views.relationships import Anniversary, CheckIn, QuietCustomer, QuietNudge, QuietSnooze

log = logging.getLogger(__name__)

QUIET_LISTED = 5
QUIET_SNOOZE = timedelta(days=30)
CHECKIN_NOTE = "Check in: it has been quiet for a while, make sure everything is still good"
# An owner whose Slack profile could not be fetched is tried again after this long (UTC meanwhile).
PROFILE_RETRY = timedelta(hours=1)
_MEMO_LIMIT = 100_000


@dataclass
class NudgeMemo:
    """What this process has already settled: a cache that spares the database, never the truth.

    Forgetting it (a restart, another process) only costs one more look: the outbox keys keep every DM
    single, and the quiet list is read as of Monday 09:00, so a later look finds no one new.
    """

    settled: set[tuple[str, str]] = field(default_factory=set)
    profile_tried: dict[tuple[str, str], datetime] = field(default_factory=dict)

    def seen(self, team_id: str, key: str) -> bool:
        """Whether `key` was settled for the workspace."""
        return (team_id, key) in self.settled

    def settle(self, team_id: str, keys: list[str]) -> None:
        """Remember keys as settled (old weeks' and days' keys are dropped now and then)."""
        if len(self.settled) > _MEMO_LIMIT:
            self.settled.clear()
        self.settled.update((team_id, key) for key in keys)


@dataclass(frozen=True)
class _Owners:
    """A workspace's customer owners with their timezones, and its directory version."""

    zones: dict[str, str]
    directory_version: int


def _owners(deps: Deps, *, client: Clients | None, memo: NudgeMemo, now: datetime) -> dict[str, _Owners]:
    """Every workspace's customer owners and their Slack timezones (fetched once if never cached)."""
    with deps.session_factory.begin() as session:
        cached = {
            team_id: relationship_rows.owner_timezones(session, team_id=team_id)
            for team_id in workspace_rows.all_team_ids(session)
        }
        versions = {team_id: workspace_rows.directory_version(session, team_id=team_id) for team_id in cached}
    found: dict[str, _Owners] = {}
    for team_id, owners in cached.items():
        zones: dict[str, str] = {}
        for owner, tz in owners.items():
            team_client = client_for(client, team_id) if client is not None else None
            if tz is None and team_client is not None:
                tried = memo.profile_tried.get((team_id, owner))
                if tried is None or now - tried >= PROFILE_RETRY:
                    memo.profile_tried[(team_id, owner)] = now
                    tz = user_timezone(deps, team_client, team_id=team_id, user_id=owner)
            zones[owner] = tz or "UTC"
        found[team_id] = _Owners(zones=zones, directory_version=versions[team_id])
    return found


def _quiet_nudge(
    session: Session, *, team_id: str, owner: str, start: datetime, week_of: date, quiet_days: int
) -> QuietNudge | None:
    """The owner's customers quiet as of Monday 09:00 (`start`) and untouched since, longest relationship first."""
    quiet = []
    for row in relationship_rows.owner_customers_with_touches(
        session, team_id=team_id, owner_user_id=owner, not_snoozed_at=start
    ):
        customer = row.customer
        began = relationship_start(since=customer.since, created_at=customer.created_at)
        latest = max(row.last_touch, began) if row.last_touch is not None else began
        if is_quiet(latest, at=start, quiet_days=quiet_days):
            quiet.append(
                QuietCustomer(
                    id=customer.id,
                    name=customer.name,
                    since=customer.since,
                    last_touch=row.last_touch,
                    added_at=customer.created_at,
                )
            )
    if not quiet:
        return None
    quiet.sort(key=lambda c: (c.since is None, c.since or date.max, c.added_at, c.id))
    return QuietNudge(
        owner_user_id=owner,
        week_of=week_of,
        quiet_days=quiet_days,
        customers=tuple(quiet[:QUIET_LISTED]),
        more=max(0, len(quiet) - QUIET_LISTED),
    )


def queue_quiet_nudges(
    deps: Deps, *, now: datetime, client: Clients | None = None, memo: NudgeMemo | None = None
) -> int:
    """Queue this week's gone-quiet DM for each owner whose Monday 09:00 (their time) has passed.

    One DM per owner per week (key `quiet:<owner>:<monday>`), and only in the owner's current working week:
    after downtime the week's DM still goes out (until Friday ends), a previous week's never. The list is
    read as of Monday 09:00 and leaves out customers touched or snoozed since, so a late run cannot list
    anyone Monday would not have.
    """
    memo = memo if memo is not None else NudgeMemo()
    queued = 0
    for team_id, owners in _owners(deps, client=client, memo=memo, now=now).items():
        due: dict[str, tuple[str, datetime, date]] = {}
        for owner, tz in owners.zones.items():
            monday, start, end = quiet_week(now, zone(tz))
            key = f"quiet:{owner}:{monday.isoformat()}"
            if start <= now < end and not memo.seen(team_id, key):
                due[owner] = (key, start, monday)
        if not due:
            continue
        with deps.session_factory.begin() as session:
            done = outbox_rows.existing_keys(session, team_id=team_id, keys=[key for key, *_ in due.values()])
            quiet_days = settings_rows.of_workspace(session, team_id=team_id, now=now).quiet_days
            for owner, (key, start, monday) in due.items():
                nudge = (
                    None
                    if key in done
                    else _quiet_nudge(
                        session, team_id=team_id, owner=owner, start=start, week_of=monday, quiet_days=quiet_days
                    )
                )
                if nudge is not None:
                    queued += outbox_rows.enqueue(
                        session,
                        team_id=team_id,
                        kind="quiet",
                        idempotency_key=key,
                        method="chat.postMessage",
                        not_before=now,
                        now=now,
                        payload={"channel": owner, **build_quiet_nudge(nudge)},
                    )
        memo.settle(team_id, [key for key, *_ in due.values()])
    if queued:
        deps.wake_sender()
    return queued


def queue_anniversaries(
    deps: Deps, *, now: datetime, client: Clients | None = None, memo: NudgeMemo | None = None
) -> int:
    """Queue an anniversary DM for each customer whose customer-since anniversary it is, from 09:00 owner's time.

    Once per customer per year (key `anniversary:<customer>:<year>`), and only on the owner's local
    anniversary day: after downtime it still goes out later that day, never on a later one.
    """
    memo = memo if memo is not None else NudgeMemo()
    queued = 0
    for team_id, owners in _owners(deps, client=client, memo=memo, now=now).items():
        by_day: dict[date, list[str]] = {}
        settled: list[str] = []
        for owner, tz in owners.zones.items():
            local = now.astimezone(zone(tz))
            # With the directory version: a customer added or changed mid-day is looked at that same day.
            memo_key = f"anniversaries:{owner}:{local.date().isoformat()}:{owners.directory_version}"
            if local.time() >= NUDGE_TIME and not memo.seen(team_id, memo_key):
                by_day.setdefault(local.date(), []).append(owner)
                settled.append(memo_key)
        if not by_day:
            continue
        with deps.session_factory.begin() as session:
            for day, day_owners in by_day.items():
                found = relationship_rows.customers_with_since(
                    session, team_id=team_id, owner_user_ids=day_owners, since=since_dates_for(day)
                )
                keys = {customer.id: f"anniversary:{customer.id}:{day.year}" for customer in found}
                done = outbox_rows.existing_keys(session, team_id=team_id, keys=list(keys.values()))
                for customer in found:
                    since = customer.since
                    years = anniversary_years(since, day) if since is not None else 0
                    if since is not None and years and keys[customer.id] not in done:
                        view = Anniversary(
                            customer_id=customer.id,
                            customer_name=customer.name,
                            owner_user_id=customer.owner_user_id,
                            since=since,
                            years=years,
                        )
                        queued += outbox_rows.enqueue(
                            session,
                            team_id=team_id,
                            kind="anniversary",
                            idempotency_key=keys[customer.id],
                            method="chat.postMessage",
                            payload={"channel": customer.owner_user_id, **build_anniversary(view)},
                            not_before=now,
                            now=now,
                        )
        memo.settle(team_id, settled)
    if queued:
        deps.wake_sender()
    return queued


def _customer(session: Session, *, team_id: str, customer_id: int) -> Customer:
    customer = customer_rows.for_update(session, team_id=team_id, customer_id=customer_id)
    if customer is None:
        raise BadCommand("That customer is no longer in the directory.", example="/customer list")
    return customer


def _require_owner(deps: Deps, client: WebClient, *, team_id: str, customer_id: int, user_id: str) -> None:
    """The gone-quiet DM's buttons act for the customer's owner (now: it may have changed since) or an admin."""
    with deps.session_factory.begin() as session:
        customer = _customer(session, team_id=team_id, customer_id=customer_id)
        name, owner = customer.name, customer.owner_user_id
    access.require(
        deps,
        client,
        team_id=team_id,
        user_id=user_id,
        owners=(owner,),
        refusal=access.QUIET_REFUSAL.format(name=name),
        example=f"/customer {name}",
    )


def plan_checkin(deps: Deps, client: WebClient, *, team_id: str, customer_id: int, user_id: str) -> CheckIn:
    """A check-in follow-up for the customer, owned by whoever clicked, due at the workspace default
    (2 working days, 09:00 their time); an open check-in already planned is kept, not doubled. For the customer's
    owner or an admin."""
    _require_owner(deps, client, team_id=team_id, customer_id=customer_id, user_id=user_id)
    tz = user_timezone(deps, client, team_id=team_id, user_id=user_id, retry_busy=True)
    now = deps.clock()
    with deps.session_factory.begin() as session:
        customer = _customer(session, team_id=team_id, customer_id=customer_id)
        existing = followup_rows.open_checkin(session, team_id=team_id, customer_id=customer.id, owner_user_id=user_id)
        if existing is not None:
            return CheckIn(customer_name=customer.name, owner_user_id=user_id, due_at=existing.due_at, changed=False)
        settings = settings_rows.of_workspace(session, team_id=team_id, now=now)
        week = WorkWeek.from_settings(settings.working_days, settings.working_hours_start, settings.working_hours_end)
        due = resolve(
            None, now=now, tz=zone(tz), week=week, default_working_days=settings.default_followup_working_days
        )
        followup_rows.add(
            session,
            team_id=team_id,
            owner_user_id=user_id,
            customer_id=customer.id,
            kind="checkin",
            note=CHECKIN_NOTE,
            source_channel_id=None,
            source_ts=None,
            due_at=due,
            created_by=user_id,
            created_at=now,
        )
        home.refresh(session, team_id=team_id, user_ids=[user_id], now=now)
        checkin = CheckIn(customer_name=customer.name, owner_user_id=user_id, due_at=due, changed=True)
    deps.wake_sender()
    return checkin


def snooze_quiet(deps: Deps, client: WebClient, *, team_id: str, customer_id: int, user_id: str) -> QuietSnooze:
    """Keep the customer off gone-quiet DMs for 30 days (its owner or an admin); a running snooze is left as it is."""
    _require_owner(deps, client, team_id=team_id, customer_id=customer_id, user_id=user_id)
    now = deps.clock()
    with deps.session_factory.begin() as session:
        customer = _customer(session, team_id=team_id, customer_id=customer_id)
        until = customer.quiet_snoozed_until
        if until is not None and until > now:
            return QuietSnooze(customer_name=customer.name, until=until, changed=False)
        customer.quiet_snoozed_until = now + QUIET_SNOOZE
        return QuietSnooze(customer_name=customer.name, until=now + QUIET_SNOOZE, changed=True)
