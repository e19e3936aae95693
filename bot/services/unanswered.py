"""Customers' messages nobody answered: one DM to the customer's owner once the alert minutes (working time) pass.

Waits are recorded and answered on the message hot path (services.mentions, db.queries.intake); this module turns
the overdue ones into outbox rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.blocks.unanswered import build_unanswered_alert
from bot.db.models import CustomerWait
from bot.db.queries import channels as channel_rows
from bot.db.queries import customers as customer_rows
from bot.db.queries import mentions as mention_rows
from bot.db.queries import outbox as outbox_rows
from bot.db.queries import settings as settings_rows
from bot.db.queries import waits as wait_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain.away import alert_recipients, parse_away_statuses
from bot.domain.when import WorkWeek, add_working_minutes, zone
from bot.runtime.clients import Clients
from bot.runtime.deps import Deps
from bot.services import away, triage
from bot.views.unanswered import UnansweredView

SCAN_LIMIT = 1000
# A deadline passed this long ago means the bot was down or the job stopped: telling the owner now, days
# late, is noise rather than help, so such a wait expires without a DM.
STALE_AFTER = timedelta(days=3)


@dataclass(frozen=True)
class _Rules:
    """A workspace's alert minutes and working week, read once per run."""

    minutes: int
    week: WorkWeek
    timezone: str
    workspace_url: str

    def deadline(self, posted_at: datetime) -> datetime:
        return add_working_minutes(posted_at, self.minutes, self.week, zone(self.timezone))


def _rules(session: Session, *, team_id: str, now: datetime) -> _Rules:
    settings = settings_rows.of_workspace(session, team_id=team_id, now=now)
    week = WorkWeek.from_settings(settings.working_days, settings.working_hours_start, settings.working_hours_end)
    workspace = workspace_rows.get(session, team_id=team_id)
    return _Rules(
        minutes=max(1, settings.unanswered_minutes),
        week=week,
        timezone=settings.timezone,
        workspace_url=workspace.url if workspace is not None else "",
    )


@dataclass
class AlertReport:
    """What one run did."""

    alerted: int = 0
    expired: int = 0


def queue_alerts(deps: Deps, *, now: datetime, limit: int = SCAN_LIMIT, client: Clients | None = None) -> AlertReport:
    """Queue one DM to the owner for every customer message whose working-minutes deadline passed unanswered.

    A plain function of `now`, safe in several processes at once: the overdue waits are locked (SKIP LOCKED
    on PostgreSQL, SQLite's write lock) and marked alerted in the transaction that queues the DM, whose
    idempotency key names the message. A wait whose channel is no longer linked to its customer, or whose
    deadline passed more than STALE_AFTER ago, expires without a DM. While the owner is away, the customer's backup
    owner gets a DM too (services.away looks at owners first, outside the transaction, with `client`).
    """
    report = AlertReport()
    looks = _look_at_owners(deps, client, now=now, limit=limit)
    with deps.session_factory.begin() as session:
        waiting = wait_rows.waiting(session, limit=limit)
        if not waiting:
            return report
        rules = {team_id: _rules(session, team_id=team_id, now=now) for team_id in {k[0] for k, _ in waiting}}
        # Only the overdue ones are locked: a member's answer to a newer message never waits on this job.
        overdue = [key for key, posted_at in waiting if rules[key[0]].deadline(posted_at) <= now]
        due = wait_rows.lock_waiting(session, keys=overdue)
        for team_id in {w.team_id for w in due}:  # a few queries per workspace, one per alert
            mine = [w for w in due if w.team_id == team_id]
            links = channel_rows.customer_links(session, team_id=team_id, channel_ids=[w.channel_id for w in mine])
            customers = customer_rows.names_and_owners(session, team_id=team_id, ids=[w.customer_id for w in mine])
            backups = customer_rows.backups(session, team_id=team_id, ids=[w.customer_id for w in mine])
            for wait in mine:
                deadline = rules[team_id].deadline(wait.posted_at)
                customer = customers.get(wait.customer_id)
                wait.closed_at = now
                if customer is None or links.get(wait.channel_id) != wait.customer_id or now - deadline > STALE_AFTER:
                    wait.state = "expired"
                    report.expired += 1
                    continue
                wait.state = "alerted"
                _enqueue_alert(
                    session, wait, customer, rules[team_id], now=now, backup=backups.get(wait.customer_id), looks=looks
                )
                triage.add_alerted_wait(session, wait, now=now)  # and the triage channel's message, if one is set
                report.alerted += 1
    if report.alerted:
        deps.wake_sender()
    return report


def queue_unanswered_alerts(deps: Deps, *, now: datetime, client: Clients | None = None) -> int:
    """Queue one DM to the owner for each customer message left unanswered past its working-minutes deadline (and
    one to the backup owner while the owner is away: `client` looks at owners' presence and status)."""
    total = 0
    while True:
        report = queue_alerts(deps, now=now, client=client)
        total += report.alerted
        if report.alerted + report.expired == 0:
            return total


def _look_at_owners(deps: Deps, client: Clients | None, *, now: datetime, limit: int) -> away.OwnerLooks:
    """Before any lock is taken: presence and status of the owners (with a backup) of messages waiting."""
    if client is None:
        return away.OwnerLooks()
    with deps.session_factory.begin() as session:
        owners = wait_rows.owners_with_backups(session, limit=limit)
        statuses = {
            team_id: parse_away_statuses(settings_rows.of_workspace(session, team_id=team_id, now=now).away_statuses)
            for team_id in {team_id for team_id, _ in owners}
        }
    return away.look_at_owners(deps, client, owners=owners, statuses=statuses, now=now)


def _enqueue_alert(
    session: Session,
    wait: CustomerWait,
    customer: tuple[str, str],
    rules: _Rules,
    *,
    now: datetime,
    backup: str | None = None,
    looks: away.OwnerLooks | None = None,
) -> None:
    """The owner's DM about one unanswered message, into the outbox; while the owner is away, the backup's too."""
    name, owner = customer
    absence = (
        looks.absence(team_id=wait.team_id, user_id=owner, now=now, minutes=rules.minutes, wait_started=wait.posted_at)
        if looks is not None and backup is not None
        else None
    )
    excerpt = mention_rows.excerpt_of(
        session,
        team_id=wait.team_id,
        customer_id=wait.customer_id,
        channel_id=wait.channel_id,
        message_ts=wait.message_ts,
    )
    view = UnansweredView(
        customer_name=name,
        owner_user_id=owner,
        author_user_id=wait.user_id,
        channel_id=wait.channel_id,
        message_ts=wait.message_ts,
        posted_at=wait.posted_at,
        excerpt=excerpt,
        minutes=rules.minutes,
        workspace_url=rules.workspace_url,
        backup_user_id=backup,
        absence=absence,
    )
    for recipient in alert_recipients(owner=owner, backup=backup, absence=absence):
        key = f"unanswered:{wait.channel_id}:{wait.message_ts}"
        outbox_rows.enqueue(
            session,
            team_id=wait.team_id,
            kind="unanswered",
            idempotency_key=key if recipient.role == "owner" else f"{key}:backup",
            method="chat.postMessage",
            payload={"channel": recipient.user_id, **build_unanswered_alert(replace(view, role=recipient.role))},
            not_before=now,
            now=now,
        )
