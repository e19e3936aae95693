"""The triage channel: one message per waiting customer, with Claim and Answered, updated in place; escalation
of the unclaimed; first-response times against the target.

A customer's message that waits past the alert minutes (services.unanswered) joins the customer's open triage
message, in the customer's own triage channel or the workspace's. The message is one outbox row posting it
(`triage:<id>`), then one chat.update row per change (`triage-update:<id>:<version>`), each rendered at send time
from what the database holds then, and sent after the post (it needs the post's ts). The open message is one per
customer across processes: a unique constraint opens it, a row lock serialises its changes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks.stories import STORIES_CHANNEL_PROBLEMS
from bot.blocks.text import permalink
from bot.blocks.triage import build_escalation, build_triage_channel_broken, build_triage_message
from bot.db.models import CustomerWait, OutboxMessage, TriageMessage
from bot.db.queries import customers as customer_rows
from bot.db.queries import mentions as mention_rows
from bot.db.queries import outbox as outbox_rows
from bot.db.queries import settings as settings_rows
from bot.db.queries import triage as triage_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain.customer_commands import SetTriage
from bot.domain.errors import RapportError
from bot.domain.when import WorkWeek, add_working_minutes, zone
from bot.runtime.deps import Deps
from bot.runtime.sender import Rescuer
from bot.services import access
from bot.services.admin_notice import tell_admins_once
from bot.services.directory import resolve_customer
from bot.services.settings import bot_is_in
from bot.views.triage import CustomerTriage, EscalationView, TriageView, TriageWaitLine

log = logging.getLogger(__name__)

TRIAGE_POST, TRIAGE_UPDATE, TRIAGE_ESCALATION = (
    triage_rows.TRIAGE_POST,
    triage_rows.TRIAGE_UPDATE,
    triage_rows.TRIAGE_ESCALATION,
)
SCAN_LIMIT = 500
post_key, update_key = triage_rows.post_key, triage_rows.update_key


@dataclass(frozen=True)
class _Targets:
    """A customer's triage channel, first-response target and escalation delay, and the workspace's working week."""

    channel_id: str | None
    target_minutes: int
    escalation_minutes: int
    week: WorkWeek
    timezone: str

    def after(self, posted_at: datetime, minutes: int) -> datetime:
        return add_working_minutes(posted_at, minutes, self.week, zone(self.timezone))


def targets(session: Session, *, team_id: str, customer_id: int | None, now: datetime) -> _Targets:
    """The customer's own triage settings where it has them, else the workspace's."""
    settings = settings_rows.of_workspace(session, team_id=team_id, now=now)
    channel, target, escalation = (
        triage_rows.customer_triage(session, team_id=team_id, customer_id=customer_id)
        if customer_id is not None
        else (None, None, None)
    )
    return _Targets(
        channel_id=channel or settings.triage_channel,
        target_minutes=target if target is not None else settings.first_response_target_minutes,
        escalation_minutes=escalation if escalation is not None else settings.escalation_minutes,
        week=WorkWeek.from_settings(settings.working_days, settings.working_hours_start, settings.working_hours_end),
        timezone=settings.timezone,
    )


# --- a customer's own triage settings (`/customer triage`) -----------------------------------------------------


def customer_triage(deps: Deps, client: WebClient, *, team_id: str, command: SetTriage, user_id: str) -> CustomerTriage:
    """Show, or change (its owner or an admin may), a customer's own triage channel, target and escalation delay;
    `off` gives it the workspace's again."""
    what = "/customer triage"
    with deps.session_factory.begin() as session:
        customer = resolve_customer(session, team_id=team_id, query=command.query, command=what)
        name, owner = customer.name, customer.owner_user_id
    if command.changes:
        access.require(
            deps,
            client,
            team_id=team_id,
            user_id=user_id,
            owners=(owner,),
            refusal=access.CUSTOMER_REFUSAL.format(name=name, what="change its triage settings"),
            example=f"/customer triage {name}",
        )
    if command.channel_id and not bot_is_in(deps, client, team_id=team_id, channel_id=command.channel_id):
        raise RapportError(
            f"I'm not in <#{command.channel_id}> yet: invite me with `/invite @Rapport` there, then try again.",
            example=f"/customer triage {name} <#{command.channel_id}>",
        )
    now = deps.clock()
    with deps.session_factory.begin() as session:
        customer = resolve_customer(session, team_id=team_id, query=command.query, command=what)
        if command.reset:
            customer.triage_channel_id = None
            customer.first_response_target_minutes = customer.escalation_minutes = None
        if command.channel_id is not None:
            customer.triage_channel_id = command.channel_id
        if command.target_minutes is not None:
            customer.first_response_target_minutes = command.target_minutes
        if command.escalation_minutes is not None:
            customer.escalation_minutes = command.escalation_minutes
        session.flush()
        rules = targets(session, team_id=team_id, customer_id=customer.id, now=now)
        return CustomerTriage(
            name=customer.name,
            channel_id=rules.channel_id,
            target_minutes=rules.target_minutes,
            escalation_minutes=rules.escalation_minutes,
            own_channel=customer.triage_channel_id is not None,
            own_target=customer.first_response_target_minutes is not None,
            own_escalation=customer.escalation_minutes is not None,
            changed=command.changes,
        )


# --- the alert job and the buttons ---------------------------------------------------------------------------


def add_alerted_wait(session: Session, wait: CustomerWait, *, now: datetime) -> bool:
    """List a wait the alert job just alerted on its customer's triage message, in the job's transaction: the
    message is posted once, then updated in place; False when no triage channel applies."""
    channel = targets(session, team_id=wait.team_id, customer_id=wait.customer_id, now=now).channel_id
    if channel is None:
        return False
    triage = triage_rows.open_for_customer(
        session, team_id=wait.team_id, customer_id=wait.customer_id, channel_id=channel, now=now
    )
    post = triage_rows.lock_post(session, row_id=triage.post_outbox_id) if triage.post_outbox_id else None
    if post is not None and post.state in ("failed", "skipped"):
        # Slack refused the post for good (Rapport not in the channel, the channel archived): that message will
        # never show, so it is closed and this wait opens a fresh one, in the channel that applies now.
        triage.is_open, triage.closed_at = None, now
        session.flush()
        triage = triage_rows.open_for_customer(
            session, team_id=wait.team_id, customer_id=wait.customer_id, channel_id=channel, now=now
        )
    wait.triage_id = triage.id
    if triage.post_outbox_id is None:
        outbox_rows.enqueue(
            session,
            team_id=triage.team_id,
            kind=TRIAGE_POST,
            idempotency_key=post_key(triage.id),
            method="chat.postMessage",
            payload={"triage_id": triage.id},
            not_before=now,
            now=now,
        )
        post = outbox_rows.by_key(session, team_id=triage.team_id, idempotency_key=post_key(triage.id))
        assert post is not None
        triage.post_outbox_id = post.id
    else:
        changed(session, triage, now=now)
    return True


def changed(session: Session, triage: TriageMessage, *, now: datetime, lane: int = outbox_rows.BULK) -> None:
    """Queue the chat.update that shows a (locked) triage message's change; none while its post is still to be
    sent, since the post is drawn at send time and will show it."""
    triage.version += 1
    if triage.post_outbox_id is None:
        return
    post = triage_rows.lock_post(session, row_id=triage.post_outbox_id)
    if post is None or post.state in ("pending", "failed", "skipped"):
        return  # drawn when sent, or never shown at all
    outbox_rows.enqueue(
        session,
        team_id=triage.team_id,
        kind=TRIAGE_UPDATE,
        idempotency_key=update_key(triage.id, triage.version),
        method="chat.update",
        payload=triage_rows.update_payload(triage.id, triage.version),
        not_before=now,
        now=now,
        depends_on_id=post.id,
        lane=lane,
    )


def _locked(session: Session, *, team_id: str, triage_id: int) -> TriageMessage:
    triage = triage_rows.get_locked(session, team_id=team_id, triage_id=triage_id)
    if triage is None:
        raise RapportError("I couldn't find that triage message any more.")
    return triage


def claim(deps: Deps, *, team_id: str, triage_id: int, user_id: str) -> None:
    """Claim: the clicker becomes responsible for the customer's waiting messages; the message says so."""
    now = deps.clock()
    with deps.session_factory.begin() as session:
        triage = _locked(session, team_id=team_id, triage_id=triage_id)
        if triage.is_open is None:
            raise RapportError("Those messages are already answered: nothing left to claim.", example="/customer list")
        if triage.claimed_by == user_id:
            return  # a second click, or Slack's retry
        triage.claimed_by, triage.claimed_at = user_id, now
        changed(session, triage, now=now, lane=outbox_rows.INTERACTIVE)
    deps.wake_sender()


def mark_answered(deps: Deps, *, team_id: str, triage_id: int, user_id: str) -> None:
    """Answered: every message the triage message lists is answered (by the clicker, now) and it closes."""
    now = deps.clock()
    with deps.session_factory.begin() as session:
        triage = _locked(session, team_id=team_id, triage_id=triage_id)
        if triage.is_open is None:
            return  # already answered, in Slack or by another click
        for wait in triage_rows.waits_of(session, team_id=team_id, triage_id=triage.id):
            if wait.state == "alerted":
                wait.state, wait.answered_by, wait.closed_at = "answered", user_id, now
        triage.is_open, triage.closed_at, triage.closed_by = None, now, user_id
        changed(session, triage, now=now, lane=outbox_rows.INTERACTIVE)
    deps.wake_sender()


# --- escalation ------------------------------------------------------------------------------------------------


@dataclass
class EscalationReport:
    """What one run did."""

    escalated: int = 0


def queue_escalations(deps: Deps, *, now: datetime, limit: int = SCAN_LIMIT) -> int:
    """Post once more, marked escalated and mentioning the owner, every open triage message nobody claimed whose
    oldest waiting message passed the escalation delay (working minutes; 0 never escalates).

    A plain function of `now`, safe in several processes: the messages are locked (SKIP LOCKED on PostgreSQL)
    and marked escalated in the transaction that queues the post, keyed `triage-escalation:<id>`.
    """
    escalated = 0
    with deps.session_factory.begin() as session:
        candidates = triage_rows.lock_open(session, ids=triage_rows.to_escalate(session, limit=limit))
        for triage in candidates:
            rules = targets(session, team_id=triage.team_id, customer_id=triage.customer_id, now=now)
            if rules.escalation_minutes <= 0 or triage.post_outbox_id is None:
                continue
            waiting = [
                w
                for w in triage_rows.waits_of(session, team_id=triage.team_id, triage_id=triage.id)
                if w.state == "alerted"
            ]
            if not waiting or rules.after(waiting[0].posted_at, rules.escalation_minutes) > now:
                continue
            triage.escalated_at = now
            outbox_rows.enqueue(
                session,
                team_id=triage.team_id,
                kind=TRIAGE_ESCALATION,
                idempotency_key=f"triage-escalation:{triage.id}",
                method="chat.postMessage",
                payload={"triage_id": triage.id, "escalation_minutes": rules.escalation_minutes},
                not_before=now,
                now=now,
                depends_on_id=triage.post_outbox_id,
            )
            changed(session, triage, now=now)
            escalated += 1
    if escalated:
        deps.wake_sender()
    return escalated


# --- rendering at send time --------------------------------------------------------------------------------


def _view(session: Session, triage: TriageMessage, *, as_of: datetime) -> TriageView | None:
    customer = customer_rows.get(session, team_id=triage.team_id, customer_id=triage.customer_id)
    if customer is None:
        return None
    workspace = workspace_rows.get(session, team_id=triage.team_id)
    waits = triage_rows.waits_of(session, team_id=triage.team_id, triage_id=triage.id)
    lines = []
    for index, wait in enumerate(waits):
        answered = wait.state == "answered" and wait.closed_at is not None
        excerpt = (
            mention_rows.excerpt_of(
                session,
                team_id=wait.team_id,
                customer_id=wait.customer_id,
                channel_id=wait.channel_id,
                message_ts=wait.message_ts,
            )
            if index < 30  # only the ones shown (blocks.triage.MAX_LINES_SHOWN)
            else None
        )
        end = wait.closed_at if answered and wait.closed_at is not None else as_of
        lines.append(
            TriageWaitLine(
                author_user_id=wait.user_id,
                channel_id=wait.channel_id,
                message_ts=wait.message_ts,
                posted_at=wait.posted_at,
                excerpt=excerpt,
                answered_by=(wait.answered_by or triage.closed_by or "") if answered else None,
                waited=end - wait.posted_at,
            )
        )
    closed_after = triage.closed_at - waits[0].posted_at if triage.closed_at is not None and waits else None
    return TriageView(
        triage_id=triage.id,
        customer_name=customer.name,
        owner_user_id=customer.owner_user_id,
        workspace_url=workspace.url if workspace is not None else "",
        lines=tuple(lines),
        claimed_by=triage.claimed_by,
        claimed_at=triage.claimed_at,
        escalated_at=triage.escalated_at,
        closed_by=triage.closed_by if triage.is_open is None else None,
        closed_after=closed_after,
        as_of=as_of,
    )


def render(session: Session, row: OutboxMessage, dependency: OutboxMessage | None) -> dict[str, Any] | None:
    """The Web API arguments of a triage outbox row as of now; None when there is nothing to send any more."""
    triage = triage_rows.get(session, team_id=row.team_id, triage_id=int(row.payload.get("triage_id") or 0))
    if triage is None:
        return None
    as_of = max(row.created_at, row.not_before)
    if row.kind == TRIAGE_ESCALATION:
        if dependency is None or not dependency.result_ts or triage.claimed_by is not None or triage.is_open is None:
            return None  # claimed or answered since: nobody needs calling
        customer = customer_rows.get(session, team_id=row.team_id, customer_id=triage.customer_id)
        workspace = workspace_rows.get(session, team_id=row.team_id)
        waits = [
            w for w in triage_rows.waits_of(session, team_id=row.team_id, triage_id=triage.id) if w.state == "alerted"
        ]
        if customer is None or not waits:
            return None
        escalation = EscalationView(
            customer_name=customer.name,
            owner_user_id=customer.owner_user_id,
            waiting=len(waits),
            oldest_waited=as_of - waits[0].posted_at,
            escalation_minutes=int(row.payload.get("escalation_minutes") or 0),
            triage_link=permalink(
                workspace.url if workspace is not None else "", str(dependency.result_channel), dependency.result_ts
            ),
        )
        return {"channel": triage.channel_id, "unfurl_links": False, **build_escalation(escalation)}
    view = _view(session, triage, as_of=as_of)
    if view is None:
        return None
    if row.kind == TRIAGE_POST:
        return {"channel": triage.channel_id, "unfurl_links": False, **build_triage_message(view)}
    if dependency is None or not dependency.result_ts:
        return None
    if int(row.payload.get("version") or 0) < triage.version and _newer_update_waits(session, triage):
        return None  # a later change's update is queued: it shows this one too
    return {"channel": dependency.result_channel, "ts": dependency.result_ts, **build_triage_message(view)}


def _newer_update_waits(session: Session, triage: TriageMessage) -> bool:
    latest = outbox_rows.by_key(session, team_id=triage.team_id, idempotency_key=update_key(triage.id, triage.version))
    return latest is not None and latest.state in ("pending", "sending")


RENDERERS = {TRIAGE_POST: render, TRIAGE_UPDATE: render, TRIAGE_ESCALATION: render}


# --- when the triage channel refuses ------------------------------------------------------------------------------

TRIAGE_CHANNEL_BROKEN = "triage_channel_broken"


def rescuers(admins: frozenset[str]) -> Mapping[str, Rescuer]:
    """What the sender does when a triage channel refuses a triage message or an escalation for good (archived,
    Rapport removed, gone): the admins (those in RAPPORT_ADMINS, and whoever chose the workspace's triage channel) are
    told once per channel, problem and settings version. The row still fails: the customer's next wait opens a fresh
    message, and the owners' DMs go as ever."""

    def refused(session: Session, row: OutboxMessage, code: str, now: datetime) -> bool:
        if code not in STORIES_CHANNEL_PROBLEMS:
            return False
        triage = triage_rows.get(session, team_id=row.team_id, triage_id=int(row.payload.get("triage_id") or 0))
        if triage is None:
            return False
        tell_admins_once(
            session,
            row,
            setting="triage_channel",
            channel_id=triage.channel_id,
            code=code,
            kind=TRIAGE_CHANNEL_BROKEN,
            message=build_triage_channel_broken(triage.channel_id, code),
            admins=admins,
            now=now,
        )
        log.warning("the triage channel %s of workspace %s refused a post (%s)", triage.channel_id, row.team_id, code)
        return False

    return MappingProxyType({kind: refused for kind in (triage_rows.TRIAGE_POST, triage_rows.TRIAGE_ESCALATION)})
