"""Follow-ups: creating them from `/followup`, listing them, and queueing their reminder DMs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks.followups import build_handover, build_reminder, confirm_created
from bot.db.models import Customer, FollowUp
from bot.db.queries import customers as customer_rows
from bot.db.queries import events as event_rows
from bot.db.queries import followups as followup_rows
from bot.db.queries import mentions as mention_rows
from bot.db.queries import outbox as outbox_rows
from bot.db.queries import settings as settings_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain.errors import NOTE_FIELD, BadCommand
from bot.domain.followups import second_reminder_at
from bot.domain.matcher import normalize_name
from bot.domain.reactions import emoji_name, followup_emojis
from bot.domain.slack_text import visible_text
from bot.domain.when import BadWhen, When, WorkWeek, resolve, resolve_due, split_when, zone
from bot.runtime.deps import Deps
from bot.services import access, home
from bot.services.directory import resolve_customer
from bot.services.followup_views import followup_view
from bot.services.profiles import user_timezone
from bot.views.followups import ButtonResult, FollowUpView

LIST_LIMIT = 20
REMIND_BATCH = 500
NOTE_LIMIT = 2000
_PREFIX_WORDS = 6  # the longest customer name read off the front of the text
WHEN_HINT = "tomorrow at 10am · 3pm · in 3 days · next monday · EOD · Dec 15 · 2026-12-01 at 14:30"
_MRKDWN_QUOTED = re.compile(r"[*`]([^*`\n]+)[*`]")  # *what they typed*, `what to type`


@dataclass(frozen=True)
class _Plan:
    customer: Customer | None
    owners: tuple[str, ...]
    when: When | None
    note: str


def _customer_prefix(session: Session, *, team_id: str, text: str) -> tuple[Customer | None, str]:
    """The customer whose name or alias the text starts with (longest first), and the rest."""
    words = text.split()
    for count in range(min(_PREFIX_WORDS, len(words)), 0, -1):
        key = normalize_name(" ".join(words[:count]))
        customer = customer_rows.by_name_key(session, team_id=team_id, name_key=key) if key else None
        if customer is not None:
            return customer, " ".join(words[count:])
    return None, text


def _plan(deps: Deps, *, team_id: str, created_by: str, owners: tuple[str, ...], text: str) -> _Plan:
    with deps.session_factory.begin() as session:
        customer, rest = _customer_prefix(session, team_id=team_id, text=text)
        order = settings_rows.of_workspace(session, team_id=team_id, now=deps.clock()).date_order
        when, note = split_when(rest, date_order=order)
        if customer is None and note:
            named = deps.matchers.for_team(session, team_id=team_id).customer_ids(note)
            customer = customer_rows.get(session, team_id=team_id, customer_id=named[0]) if named else None
        if not note and customer is None:
            raise BadCommand(
                "What should I remind you about? Name a customer or add a note after the time.",
                example="/followup Acme tomorrow call back about the drive",
            )
        default_owner = customer.owner_user_id if customer is not None else created_by
        return _Plan(customer=customer, owners=owners or (default_owner,), when=when, note=note[:NOTE_LIMIT])


def date_order(deps: Deps, *, team_id: str) -> str:
    """How the workspace reads numeric dates in a *when*: "MDY" or "DMY" (for `/followup help`)."""
    with deps.session_factory.begin() as session:
        return settings_rows.of_workspace(session, team_id=team_id, now=deps.clock()).date_order


def create_followups(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    created_by: str,
    owners: tuple[str, ...],
    text: str,
    source_channel_id: str | None = None,
    source_ts: str | None = None,
) -> list[FollowUpView]:
    """One follow-up per owner, due at the *when* read in each owner's own timezone; nothing if any is bad."""
    plan = _plan(deps, team_id=team_id, created_by=created_by, owners=owners, text=text)
    return _create(deps, client, plan, team_id=team_id, created_by=created_by, source=(source_channel_id, source_ts))


@dataclass(frozen=True)
class FollowUpForm:
    """What the follow-up modal submits: each part in its own field."""

    owner: str
    customer: str
    when: str
    note: str
    source_channel_id: str | None = None
    source_ts: str | None = None


def create_from_form(
    deps: Deps, client: WebClient, *, team_id: str, created_by: str, form: FollowUpForm
) -> list[FollowUpView]:
    """The modal's follow-up: the customer must be known, the *when* must read whole; nothing is created if not.

    The *when* is read by the same parser as `/followup`'s, so "at 3" is 15:00 in both; its errors are shown
    under the form's field, as plain text.
    """
    with deps.session_factory.begin() as session:
        customer = None
        if form.customer.strip():
            customer = resolve_customer(session, team_id=team_id, query=form.customer, command="/followup")
        order = settings_rows.of_workspace(session, team_id=team_id, now=deps.clock()).date_order
    when = None
    if form.when.strip():
        try:
            when, rest = split_when(form.when, date_order=order)
        except BadWhen as error:
            raise _for_form(error) from error
        if when is None or rest:
            raise BadWhen(f"I can't read “{' '.join(form.when.split())}” as one time.", example=WHEN_HINT)
    note = " ".join(form.note.split())
    if not note and customer is None:
        raise BadCommand(
            "What should I remind you about? Name a customer or write a note.", example=WHEN_HINT, field=NOTE_FIELD
        )
    owner = form.owner or (customer.owner_user_id if customer is not None else created_by)
    plan = _Plan(customer=customer, owners=(owner,), when=when, note=note[:NOTE_LIMIT])
    try:
        return _create(
            deps, client, plan, team_id=team_id, created_by=created_by, source=(form.source_channel_id, form.source_ts)
        )
    except BadWhen as error:  # a past time, or one over a year ahead
        raise _for_form(error) from error


def _for_form(error: BadWhen) -> BadWhen:
    """A *when* error as a form field shows it: plain text (Slack shows no mrkdwn there), quoting with “…”, and
    the *when* to type instead rather than a `/followup` command."""
    plain = _MRKDWN_QUOTED.sub(r"“\1”", error.message).replace("*", "").replace("`", "")
    return BadWhen(plain, example="" if error.suggestion else WHEN_HINT, suggestion=error.suggestion)


def _create(
    deps: Deps, client: WebClient, plan: _Plan, *, team_id: str, created_by: str, source: tuple[str | None, str | None]
) -> list[FollowUpView]:
    timezones = {
        owner: user_timezone(deps, client, team_id=team_id, user_id=owner, retry_busy=True) for owner in plan.owners
    }
    now = deps.clock()
    with deps.session_factory.begin() as session:
        settings = settings_rows.of_workspace(session, team_id=team_id, now=now)
        week = WorkWeek.from_settings(settings.working_days, settings.working_hours_start, settings.working_hours_end)
        due = {
            owner: resolve_due(
                plan.when,
                now=now,
                tz=zone(timezones[owner]),
                week=week,
                default_working_days=settings.default_followup_working_days,
            )
            for owner in plan.owners
        }
        url = _workspace_url(session, team_id=team_id)
        customer_id = plan.customer.id if plan.customer is not None else None
        customer_name = plan.customer.name if plan.customer is not None else None
        views = [
            followup_view(
                followup_rows.add(
                    session,
                    team_id=team_id,
                    owner_user_id=owner,
                    customer_id=customer_id,
                    kind="followup",
                    note=plan.note,
                    source_channel_id=source[0],
                    source_ts=source[1],
                    due_at=due[owner].at,
                    created_by=created_by,
                    created_at=now,
                ),
                customer_name=customer_name,
                workspace_url=url,
                due=due[owner],
                now=now,
            )
            for owner in plan.owners
        ]
        home.refresh(session, team_id=team_id, user_ids=plan.owners, now=now)
    deps.wake_sender()
    return views


def _workspace_url(session: Session, *, team_id: str) -> str:
    workspace = workspace_rows.get(session, team_id=team_id)
    return workspace.url if workspace is not None else ""


def create_from_reaction(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    event_id: str | None,
    reactor: str,
    emoji: str,
    channel_id: str,
    ts: str,
) -> list[FollowUpView]:
    """The follow-up emoji on a message: a follow-up per customer it names (for that customer's owner), else one
    for the reactor; due at the workspace default, linked to the message. Anything else, or a retry, is nothing."""
    now = deps.clock()
    with deps.session_factory.begin() as session:
        settings = settings_rows.of_workspace(session, team_id=team_id, now=now)
        if emoji_name(emoji) not in followup_emojis(settings.followup_emoji):
            return []
        named = {  # the excerpt (stored as Slack text) as the words the note shows
            m.customer_id: visible_text(m.excerpt or "")
            for m in mention_rows.of_message(session, team_id=team_id, channel_id=channel_id, message_ts=ts)
        }
        customers = customer_rows.by_ids(session, team_id=team_id, ids=list(named))
        plans: list[tuple[str, int | None, str | None, str]] = [
            (c.owner_user_id, c.id, c.name, named[c.id]) for c in customers
        ] or [(reactor, None, None, "")]
    timezones = {
        owner: user_timezone(deps, client, team_id=team_id, user_id=owner, retry_busy=True) for owner, *_ in plans
    }
    with deps.session_factory.begin() as session:
        workspace_rows.ensure(session, team_id=team_id, now=now)
        if event_id is not None and not event_rows.claim(session, team_id=team_id, event_id=event_id, now=now):
            return []  # Slack's retry of a reaction already turned into follow-ups
        if followup_rows.has_open_from(session, team_id=team_id, created_by=reactor, channel_id=channel_id, ts=ts):
            return []  # the same person reacting again (after removing it) changes nothing twice
        week = WorkWeek.from_settings(settings.working_days, settings.working_hours_start, settings.working_hours_end)
        url = _workspace_url(session, team_id=team_id)
        views = []
        for owner, customer_id, customer_name, excerpt_text in plans:
            due = resolve_due(
                None,
                now=now,
                tz=zone(timezones[owner]),
                week=week,
                default_working_days=settings.default_followup_working_days,
            )
            row = followup_rows.add(
                session,
                team_id=team_id,
                owner_user_id=owner,
                customer_id=customer_id,
                kind="followup",
                note=excerpt_text[:NOTE_LIMIT],
                source_channel_id=channel_id,
                source_ts=ts,
                due_at=due.at,
                created_by=reactor,
                created_at=now,
            )
            views.append(followup_view(row, customer_name=customer_name, workspace_url=url, due=due, now=now))
        outbox_rows.enqueue(
            session,
            team_id=team_id,
            kind="followup_confirmation",
            idempotency_key=f"followup-reaction:{channel_id}:{ts}:{reactor}:{views[0].id}",
            method="chat.postEphemeral",
            payload={"channel": channel_id, "user": reactor, **confirm_created(views, creator=reactor)},
            not_before=now,
            now=now,
            lane=outbox_rows.INTERACTIVE,
        )
        home.refresh(session, team_id=team_id, user_ids=[owner for owner, *_ in plans], now=now)
    deps.wake_sender()
    return views


def prefill_from_message(deps: Deps, *, team_id: str, user_id: str, text: str) -> tuple[str | None, str]:
    """For the "Follow up on this" modal: the first customer the message names, and who should own it."""
    with deps.session_factory.begin() as session:
        named = deps.matchers.for_team(session, team_id=team_id).customer_ids(text)
        customer = customer_rows.get(session, team_id=team_id, customer_id=named[0]) if named else None
        if customer is None:
            return None, user_id
        return customer.name, customer.owner_user_id


def list_open(deps: Deps, *, team_id: str, user_id: str) -> list[FollowUpView]:
    """A person's open follow-ups, most overdue first."""
    with deps.session_factory.begin() as session:
        rows = followup_rows.open_of_owner(session, team_id=team_id, owner_user_id=user_id, limit=LIST_LIMIT)
        names = customer_rows.names_by_id(session, team_id=team_id, ids=[r.customer_id for r in rows if r.customer_id])
        workspace = workspace_rows.get(session, team_id=team_id)
        url = workspace.url if workspace is not None else ""
        return [
            followup_view(r, customer_name=names.get(r.customer_id) if r.customer_id else None, workspace_url=url)
            for r in rows
        ]


def queue_reminders(deps: Deps, *, now: datetime, limit: int = REMIND_BATCH) -> int:
    """Queue the reminder DMs of every follow-up that came due (however long ago: nothing is skipped)."""
    total = 0
    while (queued := _queue_reminder_batch(deps, now=now, limit=limit)) > 0:
        total += queued
    return total


def _queue_reminder_batch(deps: Deps, *, now: datetime, limit: int) -> int:
    """Turn up to `limit` due follow-ups into reminder DMs in the outbox (first, and one working day later the second).

    A plain function of `now`, safe in several processes at once: rows are locked (SKIP LOCKED on
    PostgreSQL; SQLite's write lock), and each DM's idempotency key names the follow-up, its due time
    and the attempt, so a reminder can only ever be queued once.
    """
    queued = 0
    with deps.session_factory.begin() as session:
        rows = followup_rows.to_remind(session, now=now, second_before=now - timedelta(hours=20), limit=limit)
        if not rows:
            return 0
        weeks: dict[str, WorkWeek] = {}
        urls: dict[str, str] = {}
        timezones: dict[str, dict[str, str]] = {}
        customers: dict[str, dict[int, str]] = {}
        for team_id in {r.team_id for r in rows}:  # a few queries per workspace, none per follow-up
            mine = [r for r in rows if r.team_id == team_id]
            settings = settings_rows.of_workspace(session, team_id=team_id, now=now)
            weeks[team_id] = WorkWeek.from_settings(
                settings.working_days, settings.working_hours_start, settings.working_hours_end
            )
            workspace = workspace_rows.get(session, team_id=team_id)
            urls[team_id] = workspace.url if workspace is not None else ""
            owners = [r.owner_user_id for r in mine]
            timezones[team_id] = settings_rows.profile_timezones(session, team_id=team_id, user_ids=owners)
            ids = [r.customer_id for r in mine if r.customer_id]
            customers[team_id] = customer_rows.names_by_id(session, team_id=team_id, ids=ids)
        for row in rows:
            if row.reminders_sent == 1:
                assert row.last_reminded_at is not None
                tz = timezones[row.team_id].get(row.owner_user_id, "UTC")
                if second_reminder_at(row.last_reminded_at, tz=tz, week=weeks[row.team_id]) > now:
                    continue
            names = customers[row.team_id]
            view = followup_view(
                row,
                customer_name=names.get(row.customer_id) if row.customer_id else None,
                workspace_url=urls[row.team_id],
            )
            attempt = row.reminders_sent + 1
            outbox_rows.enqueue(
                session,
                team_id=row.team_id,
                kind="reminder",
                idempotency_key=f"reminder:{row.id}:{row.due_at.isoformat()}:{attempt}",
                method="chat.postMessage",
                payload={"channel": row.owner_user_id, **build_reminder(view, second=attempt > 1)},
                not_before=now,
                now=now,
            )
            row.reminders_sent, row.last_reminded_at = attempt, now
            queued += 1
    if queued:
        deps.wake_sender()
    return queued


CHECK_BACK_DAYS = 3
CHECK_BACK_NOTE = "Check back in: make sure everything is still good"
_SNOOZES = {
    "1h": When(kind="delay", amount=60, text="1 hour"),
    "tomorrow": When(kind="days", amount=1, text="tomorrow"),
    "next_week": When(kind="next_week", text="next week"),
}


def _load(session: Session, *, team_id: str, followup_id: int) -> FollowUp:
    row = followup_rows.get(session, team_id=team_id, followup_id=followup_id)
    if row is None:
        raise BadCommand("That follow-up no longer exists.", example="/followup list")
    return row


def _result(session: Session, row: FollowUp, changed: bool) -> ButtonResult:
    names = customer_rows.names_by_id(session, team_id=row.team_id, ids=[row.customer_id] if row.customer_id else [])
    view = followup_view(
        row,
        customer_name=names.get(row.customer_id) if row.customer_id else None,
        workspace_url=_workspace_url(session, team_id=row.team_id),
    )
    return ButtonResult(view=view, changed=changed, state=row.state, closed_by=row.closed_by)


def require_hands(deps: Deps, client: WebClient, *, team_id: str, followup_id: int, user_id: str) -> None:
    """Raise NotAllowed unless the person is the follow-up's owner, its creator or an admin (docs/permissions.md)."""
    with deps.session_factory.begin() as session:
        row = _load(session, team_id=team_id, followup_id=followup_id)
        hands = (row.owner_user_id, row.created_by)
    access.require(
        deps,
        client,
        team_id=team_id,
        user_id=user_id,
        owners=hands,
        refusal=access.FOLLOWUP_REFUSAL,
        example=access.FOLLOWUP_EXAMPLE,
    )


def mark_done(deps: Deps, client: WebClient, *, team_id: str, followup_id: int, user_id: str) -> ButtonResult:
    """Close an open follow-up as done (its owner, creator or an admin); a closed one is left as it is."""
    require_hands(deps, client, team_id=team_id, followup_id=followup_id, user_id=user_id)
    now = deps.clock()
    with deps.session_factory.begin() as session:
        row = _load(session, team_id=team_id, followup_id=followup_id)
        changed = row.state == "open"
        if changed:
            row.state, row.closed_by, row.closed_at = "done", user_id, now
            home.refresh(session, team_id=team_id, user_ids=[row.owner_user_id], now=now)
        result = _result(session, row, changed)
    deps.wake_sender()
    return result


def snooze(deps: Deps, client: WebClient, *, team_id: str, followup_id: int, user_id: str, choice: str) -> ButtonResult:
    """Push an open follow-up to 1 hour, tomorrow 09:00 or next week (the owner's time); reminders start over."""
    when = _SNOOZES.get(choice)
    if when is None:
        raise BadCommand("I can snooze for 1 hour, until tomorrow, or until next week.", example="/followup list")
    require_hands(deps, client, team_id=team_id, followup_id=followup_id, user_id=user_id)
    with deps.session_factory.begin() as session:
        owner = _load(session, team_id=team_id, followup_id=followup_id).owner_user_id
    tz = user_timezone(deps, client, team_id=team_id, user_id=owner, retry_busy=True)
    now = deps.clock()
    with deps.session_factory.begin() as session:
        row = _load(session, team_id=team_id, followup_id=followup_id)
        if row.state != "open":
            return _result(session, row, False)
        settings = settings_rows.of_workspace(session, team_id=team_id, now=now)
        week = WorkWeek.from_settings(settings.working_days, settings.working_hours_start, settings.working_hours_end)
        row.due_at = resolve(when, now=now, tz=zone(tz), week=week)
        row.reminders_sent, row.last_reminded_at = 0, None
        home.refresh(session, team_id=team_id, user_ids=[row.owner_user_id], now=now)
        result = _result(session, row, True)
    deps.wake_sender()
    return result


def reassign(
    deps: Deps, client: WebClient, *, team_id: str, followup_id: int, user_id: str, new_owner: str
) -> ButtonResult:
    """Hand an open follow-up to someone else, who gets a DM about it at once (its owner, creator or an admin)."""
    require_hands(deps, client, team_id=team_id, followup_id=followup_id, user_id=user_id)
    now = deps.clock()
    with deps.session_factory.begin() as session:
        row = _load(session, team_id=team_id, followup_id=followup_id)
        if row.state != "open" or row.owner_user_id == new_owner:
            return _result(session, row, False)
        previous, row.owner_user_id = row.owner_user_id, new_owner
        # Already due: the handover DM is the new owner's first reminder. Otherwise it is reminded when due.
        row.reminders_sent, row.last_reminded_at = (1, now) if row.due_at <= now else (0, None)
        result = _result(session, row, True)
        outbox_rows.enqueue(
            session,
            team_id=team_id,
            kind="handover",
            idempotency_key=f"handover:{row.id}:{new_owner}:{now.isoformat()}",
            method="chat.postMessage",
            payload={"channel": new_owner, **build_handover(result.view, by=user_id)},
            not_before=now,
            now=now,
            lane=outbox_rows.INTERACTIVE,
        )
        home.refresh(session, team_id=team_id, user_ids=[previous, new_owner], now=now)
    deps.wake_sender()
    return result


def check_back(deps: Deps, client: WebClient, *, team_id: str, followup_id: int, user_id: str) -> FollowUpView:
    """After a done follow-up: a check-in for its owner in 3 days (09:00 their time), once per follow-up (its
    owner, creator or an admin)."""
    require_hands(deps, client, team_id=team_id, followup_id=followup_id, user_id=user_id)
    with deps.session_factory.begin() as session:
        done = _load(session, team_id=team_id, followup_id=followup_id)
        owner = done.owner_user_id
    tz = user_timezone(deps, client, team_id=team_id, user_id=owner, retry_busy=True)
    now = deps.clock()
    with deps.session_factory.begin() as session:
        done = _load(session, team_id=team_id, followup_id=followup_id)
        existing = followup_rows.checkin_of(session, team_id=team_id, followup_id=done.id)
        if existing is not None:
            return _result(session, existing, False).view
        due = resolve(When(kind="days", amount=CHECK_BACK_DAYS), now=now, tz=zone(tz), week=WorkWeek())
        row = followup_rows.add(
            session,
            team_id=team_id,
            owner_user_id=owner,
            customer_id=done.customer_id,
            kind="checkin",
            note=CHECK_BACK_NOTE,
            source_channel_id=done.source_channel_id,
            source_ts=done.source_ts,
            checkin_of_id=done.id,
            due_at=due,
            created_by=user_id,
            created_at=now,
        )
        home.refresh(session, team_id=team_id, user_ids=[owner], now=now)
        view = _result(session, row, True).view
    deps.wake_sender()
    return view
