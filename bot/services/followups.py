"""Follow-ups: creating them from `/followup`, listing them (with filters), queueing their reminder DMs, and
steering them: done, snoozed (presets or a picked time), reassigned, edited, cancelled."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks.followups import (
    build_cancelled,
    build_edited,
    build_handover,
    build_reassigned,
    build_reminder,
    build_snoozed,
    confirm_created,
)
from bot.db.models import Customer, FollowUp
from bot.db.queries import customers as customer_rows
from bot.db.queries import events as event_rows
from bot.db.queries import followups as followup_rows
from bot.db.queries import mentions as mention_rows
from bot.db.queries import outbox as outbox_rows
from bot.db.queries import settings as settings_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain.errors import DAY_FIELD, NOTE_FIELD, WHEN_FIELD, BadCommand
from bot.domain.followup_commands import ListFollowUps
from bot.domain.followups import second_reminder_at
from bot.domain.matcher import normalize_name
from bot.domain.reactions import emoji_name, followup_emojis
from bot.domain.recurrence import Rule, describe, refuse_trailing_rule, split_recurrence
from bot.domain.slack_text import visible_text
from bot.domain.when import MAX_AHEAD, BadWhen, Due, When, WorkWeek, resolve, resolve_due, split_when, zone
from bot.runtime.deps import Deps
from bot.services import access, home, recurring
from bot.services.directory import resolve_customer
from bot.services.followup_views import followup_view, rule_of
from bot.services.profiles import user_timezone
from bot.views.followups import ButtonResult, FollowUpEdit, FollowUpListing, FollowUpView

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
    rule: Rule | None = None  # a repeating follow-up's rhythm (then `when` is None)


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
        rule, note = split_recurrence(rest)
        when = None
        if rule is None:
            when, note = split_when(rest, date_order=order)
            refuse_trailing_rule(note)
        if customer is None and note:
            named = deps.matchers.for_team(session, team_id=team_id).customer_ids(note)
            customer = customer_rows.get(session, team_id=team_id, customer_id=named[0]) if named else None
        if not note and customer is None:
            raise BadCommand(
                "What should I remind you about? Name a customer or add a note after the time.",
                example="/followup Acme tomorrow call back about the drive",
            )
        default_owner = customer.owner_user_id if customer is not None else created_by
        return _Plan(customer=customer, owners=owners or (default_owner,), when=when, note=note[:NOTE_LIMIT], rule=rule)


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
    when, rule = None, None
    if form.when.strip():
        try:
            rule, rest = split_recurrence(form.when)
            if rule is None:
                when, rest = split_when(form.when, date_order=order)
        except BadWhen as error:
            raise _for_form(error) from error
        if (when is None and rule is None) or rest:
            raise BadWhen(f"I can't read “{' '.join(form.when.split())}” as one time.", example=WHEN_HINT)
    note = " ".join(form.note.split())
    if not note and customer is None:
        raise BadCommand(
            "What should I remind you about? Name a customer or write a note.", example=WHEN_HINT, field=NOTE_FIELD
        )
    owner = form.owner or (customer.owner_user_id if customer is not None else created_by)
    plan = _Plan(customer=customer, owners=(owner,), when=when, note=note[:NOTE_LIMIT], rule=rule)
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
        if plan.rule is not None:
            views = [
                _start_repeating(
                    session,
                    plan,
                    plan.rule,
                    team_id=team_id,
                    owner=owner,
                    tz=timezones[owner],
                    now=now,
                    created_by=created_by,
                    source=source,
                )
                for owner in plan.owners
            ]
            home.refresh(session, team_id=team_id, user_ids=plan.owners, now=now)
            deps.wake_sender()
            return views
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


def _start_repeating(
    session: Session,
    plan: _Plan,
    rule: Rule,
    *,
    team_id: str,
    owner: str,
    tz: str,
    now: datetime,
    created_by: str,
    source: tuple[str | None, str | None],
) -> FollowUpView:
    """A rhythm for one owner and its first occurrence, as the confirmation shows it (the rule in words)."""
    row = recurring.start(
        session,
        team_id=team_id,
        owner=owner,
        customer_id=plan.customer.id if plan.customer is not None else None,
        note=plan.note,
        rule=rule,
        tz=tz,
        now=now,
        created_by=created_by,
        source=source,
    )
    assert row.recurrence is not None
    local = row.due_at.astimezone(zone(tz))
    due = Due(at=row.due_at, local=local, words=rule.words, assumptions=rule.assumptions)
    view = followup_view(
        row,
        customer_name=plan.customer.name if plan.customer is not None else None,
        workspace_url=_workspace_url(session, team_id=team_id),
        due=due,
        now=now,
    )
    return replace(view, rule_words=describe(rule_of(row.recurrence)))


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


def list_filtered(deps: Deps, *, team_id: str, user_id: str, command: ListFollowUps) -> FollowUpListing:
    """`/followup list` with its filters: the caller's open follow-ups, or `@owner`'s, or a customer's (whoever
    owns them, unless an owner is named too); `overdue` keeps those already due. An unknown customer is explained."""
    now = deps.clock()
    with deps.session_factory.begin() as session:
        customer = None
        if command.customer:
            customer = resolve_customer(session, team_id=team_id, query=command.customer, command="/followup list")
        owner = command.owner or (None if customer is not None else user_id)
        rows = followup_rows.open_where(
            session,
            team_id=team_id,
            owner_user_id=owner,
            customer_id=customer.id if customer is not None else None,
            due_before=now if command.overdue else None,
            limit=LIST_LIMIT,
        )
        names = customer_rows.names_by_id(session, team_id=team_id, ids=[r.customer_id for r in rows if r.customer_id])
        url = _workspace_url(session, team_id=team_id)
        views = [
            followup_view(r, customer_name=names.get(r.customer_id) if r.customer_id else None, workspace_url=url)
            for r in rows
        ]
    return FollowUpListing(
        viewer=user_id,
        owner_user_id=owner,
        customer_name=customer.name if customer is not None else None,
        overdue=command.overdue,
        followups=views,
    )


def queue_reminders(deps: Deps, *, now: datetime, limit: int = REMIND_BATCH) -> int:
    """Queue the reminder DMs of every follow-up that came due (however long ago: nothing is skipped). Repeating
    follow-ups roll on first: of the occurrences that came while one was still open, only the latest is reminded."""
    recurring.roll_due(deps, now=now)
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
_SNOOZES = {  # Slack's own snooze presets; tomorrow and next week at 09:00 the owner's time
    "20m": When(kind="delay", amount=20, text="20 minutes"),
    "1h": When(kind="delay", amount=60, text="1 hour"),
    "3h": When(kind="delay", amount=180, text="3 hours"),
    "tomorrow": When(kind="days", amount=1, text="tomorrow"),
    "next_week": When(kind="next_week", text="next week"),
}
SNOOZE_HINT = "I can snooze for 20 minutes, 1 hour or 3 hours, until tomorrow or next week, or until a time you pick."


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
            following = recurring.plan_next(session, row, now=now)
            owners = [row.owner_user_id] + ([following.owner_user_id] if following is not None else [])
            home.refresh(session, team_id=team_id, user_ids=owners, now=now)
        result = _result(session, row, changed)
    deps.wake_sender()
    return result


def stop_repeating(deps: Deps, client: WebClient, *, team_id: str, followup_id: int, user_id: str) -> ButtonResult:
    """Stop an occurrence's rhythm (its owner, creator or an admin): no next one is planned; this one stays as it is.
    `changed` is False when it was stopped already."""
    require_hands(deps, client, team_id=team_id, followup_id=followup_id, user_id=user_id)
    now = deps.clock()
    with deps.session_factory.begin() as session:
        row = _load(session, team_id=team_id, followup_id=followup_id)
        if row.recurrence_id is None:
            raise BadCommand("This follow-up does not repeat, so there is nothing to stop.", example="/followup list")
        changed = recurring.stop(session, row, user_id=user_id, now=now)
        home.refresh(session, team_id=team_id, user_ids=[row.owner_user_id], now=now)
        result = _result(session, row, changed)
    deps.wake_sender()
    return result


def snooze(deps: Deps, client: WebClient, *, team_id: str, followup_id: int, user_id: str, choice: str) -> ButtonResult:
    """Push an open follow-up by a preset (20 minutes, 1 hour, 3 hours; tomorrow or next week at 09:00 the owner's
    time); reminders start over."""
    when = _SNOOZES.get(choice)
    if when is None:
        raise BadCommand(SNOOZE_HINT, example="/followup list")
    return _snooze_to(deps, client, team_id=team_id, followup_id=followup_id, user_id=user_id, when=when)


def _snooze_to(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    followup_id: int,
    user_id: str,
    when: When | None = None,
    picked: tuple[date, time] | None = None,
    reminder: tuple[str, str] | None = None,
) -> ButtonResult:
    """Move an open follow-up to a *when*, or to a picked day and time (read in the owner's zone; refused under
    the form's fields if past or over a year ahead); a closed one is left as it is."""
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
        row.due_at = (
            picked_instant(picked, tz=tz, now=now) if picked else resolve(when, now=now, tz=zone(tz), week=week)
        )
        row.reminders_sent, row.last_reminded_at = 0, None
        home.refresh(session, team_id=team_id, user_ids=[row.owner_user_id], now=now)
        result = _result(session, row, True)
        body = build_snoozed(result.view, changed=True)
        _update_reminder(session, team_id=team_id, reminder=reminder, body=body, now=now)
    deps.wake_sender()
    return result


def picked_instant(picked: tuple[date, time], *, tz: str, now: datetime) -> datetime:
    """The UTC instant of a day and time picked in a form, on the wall clock of `tz`; BadWhen (naming the form's
    form's field) if it is past or more than a year ahead."""
    day, at = picked
    local = datetime.combine(day, at, tzinfo=zone(tz))
    due = local.astimezone(UTC)
    if due <= now:
        local_now = now.astimezone(zone(tz))
        raise BadCommand(
            f"{local:%A} {local.day} {local:%b} at {local:%H:%M} is already past: it is {local_now:%A %H:%M} "
            f"in {tz}. Pick a time still ahead.",
            field=WHEN_FIELD,
        )
    if due - now > MAX_AHEAD:
        raise BadCommand("That is more than a year away. Pick a day within the next year.", field=DAY_FIELD)
    return due


def snooze_until(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    followup_id: int,
    user_id: str,
    day: str,
    at: str,
    reminder: tuple[str, str] | None = None,
) -> ButtonResult:
    """ "Pick a time…": the day (YYYY-MM-DD) and time (HH:MM) a date and a time picker sent, in the owner's zone;
    the `reminder` DM (channel, ts) the form was opened from, if any, then says until when."""
    try:
        picked_day = date.fromisoformat(day)
    except ValueError:
        raise BadCommand("Pick a day.", field=DAY_FIELD) from None
    try:
        picked_at = time.fromisoformat(at)
    except ValueError:
        raise BadCommand("Pick a time.", field=WHEN_FIELD) from None
    return _snooze_to(
        deps,
        client,
        team_id=team_id,
        followup_id=followup_id,
        user_id=user_id,
        picked=(picked_day, picked_at),
        reminder=reminder,
    )


def _update_reminder(
    session: Session, *, team_id: str, reminder: tuple[str, str] | None, body: dict[str, Any], now: datetime
) -> None:
    """Update the reminder DM a form was opened from (a form has no response_url to answer the DM through)."""
    if reminder is None:
        return
    channel, ts = reminder
    outbox_rows.enqueue(
        session,
        team_id=team_id,
        kind="reminder_update",
        idempotency_key=f"reminder-update:{channel}:{ts}:{now.isoformat()}:{uuid.uuid4().hex[:8]}",
        method="chat.update",
        payload={"channel": channel, "ts": ts, **body},
        not_before=now,
        now=now,
        lane=outbox_rows.INTERACTIVE,
    )


def pick_time_prefill(
    deps: Deps, client: WebClient, *, team_id: str, followup_id: int, user_id: str
) -> tuple[FollowUpView, str, date]:
    """What "Pick a time…" opens on: the open follow-up, its owner's timezone and the owner's tomorrow."""
    require_hands(deps, client, team_id=team_id, followup_id=followup_id, user_id=user_id)
    with deps.session_factory.begin() as session:
        result = _require_open(_result(session, _load(session, team_id=team_id, followup_id=followup_id), False))
    tz = user_timezone(deps, client, team_id=team_id, user_id=result.view.owner_user_id, retry_busy=True)
    tomorrow = deps.clock().astimezone(zone(tz)).date() + timedelta(days=1)
    return result.view, tz, tomorrow


def _require_open(result: ButtonResult) -> ButtonResult:
    """The follow-up, if still open; else a polite line saying who closed it (nothing changes)."""
    if result.state == "open":
        return result
    who = f"<@{result.closed_by}>" if result.closed_by else "someone"
    state = "done" if result.state == "done" else "cancelled"
    raise BadCommand(f"This follow-up is already {state} (by {who}), so nothing changed.", example="/followup list")


def cancel(deps: Deps, client: WebClient, *, team_id: str, followup_id: int, user_id: str) -> ButtonResult:
    """Cancel an open follow-up (its owner, creator or an admin): kept, as cancelled by whom and when; its
    reminders not yet sent never go, and those sent are updated in place. A closed one is left as it is."""
    require_hands(deps, client, team_id=team_id, followup_id=followup_id, user_id=user_id)
    now = deps.clock()
    with deps.session_factory.begin() as session:
        row = _load(session, team_id=team_id, followup_id=followup_id)
        if row.state != "open":
            return _result(session, row, False)
        row.state, row.closed_by, row.closed_at = "cancelled", user_id, now
        result = _result(session, row, True)
        _withdraw_reminders(session, row, result, now=now)
        following = recurring.plan_next(session, row, now=now)  # cancelling an occurrence skips this one only
        owners = [row.owner_user_id] + ([following.owner_user_id] if following is not None else [])
        home.refresh(session, team_id=team_id, user_ids=owners, now=now)
    deps.wake_sender()
    return result


def _withdraw_reminders(session: Session, row: FollowUp, result: ButtonResult, *, now: datetime) -> None:
    """A cancelled follow-up's reminder (and handover) DMs: not sent yet, never sent; sent (or being sent),
    updated in place to say who cancelled it."""
    body = build_cancelled(result.view, closed_by=result.closed_by, changed=True, state=result.state)
    for kind in ("reminder", "handover"):
        for dm in outbox_rows.with_key_prefix(session, team_id=row.team_id, kind=kind, prefix=f"{kind}:{row.id}:"):
            if dm.state in ("failed", "skipped") or outbox_rows.skip_pending(session, row_id=dm.id):
                continue
            outbox_rows.enqueue(
                session,
                team_id=row.team_id,
                kind="reminder_cancelled",
                idempotency_key=f"reminder-cancelled:{row.id}:{dm.id}",
                method="chat.update",
                payload=body,  # the channel and ts are the DM's, filled in by the sender
                not_before=now,
                now=now,
                depends_on_id=dm.id,
                lane=outbox_rows.INTERACTIVE,
            )


def edit_prefill(deps: Deps, client: WebClient, *, team_id: str, followup_id: int, user_id: str) -> FollowUpEdit:
    """What the edit form opens with (its owner, creator or an admin; an open follow-up): the due time written as
    the parser reads it back ("2026-12-03 at 15:00"), in the owner's zone."""
    require_hands(deps, client, team_id=team_id, followup_id=followup_id, user_id=user_id)
    with deps.session_factory.begin() as session:
        result = _require_open(_result(session, _load(session, team_id=team_id, followup_id=followup_id), False))
    view = result.view
    local = view.due_at.astimezone(zone(user_timezone(deps, client, team_id=team_id, user_id=view.owner_user_id)))
    return FollowUpEdit(
        id=view.id,
        owner_user_id=view.owner_user_id,
        customer_name=view.customer_name,
        when_text=f"{local:%Y-%m-%d} at {local:%H:%M}",
        note=view.note,
    )


def save_edit(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    followup_id: int,
    form: FollowUpForm,
    kept_when: str,
    reminder: tuple[str, str] | None = None,
) -> FollowUpView:
    """The edit form's changes, saved to the same follow-up: the customer must be known, a changed *when* is read
    by `/followup`'s parser in the (new) owner's zone; the *when* as prefilled (or empty) keeps the due time.
    A new owner is told, as with Reassign; the `reminder` DM the form was opened from, if any, is updated. Nothing
    changes if any part is bad."""
    require_hands(deps, client, team_id=team_id, followup_id=followup_id, user_id=user_id)
    with deps.session_factory.begin() as session:
        customer = None
        if form.customer.strip():
            customer = resolve_customer(session, team_id=team_id, query=form.customer, command="/followup")
        order = settings_rows.of_workspace(session, team_id=team_id, now=deps.clock()).date_order
        current_owner = _load(session, team_id=team_id, followup_id=followup_id).owner_user_id
    when = (
        _form_when(form.when, order) if " ".join(form.when.split()) not in ("", " ".join(kept_when.split())) else None
    )
    note = " ".join(form.note.split())
    if not note and customer is None:
        raise BadCommand(
            "What should I remind you about? Name a customer or write a note.", example=WHEN_HINT, field=NOTE_FIELD
        )
    owner = form.owner or current_owner
    tz = user_timezone(deps, client, team_id=team_id, user_id=owner, retry_busy=True) if when is not None else "UTC"
    now = deps.clock()
    with deps.session_factory.begin() as session:
        row = _load(session, team_id=team_id, followup_id=followup_id)
        _require_open(_result(session, row, False))
        due: Due | None = None
        if when is not None:
            settings = settings_rows.of_workspace(session, team_id=team_id, now=now)
            week = WorkWeek.from_settings(
                settings.working_days, settings.working_hours_start, settings.working_hours_end
            )
            try:
                due = resolve_due(when, now=now, tz=zone(tz), week=week)
            except BadWhen as error:  # a past time, or one over a year ahead
                raise _for_form(error) from error
            row.due_at, row.reminders_sent, row.last_reminded_at = due.at, 0, None
        row.customer_id = customer.id if customer is not None else None
        row.note = note[:NOTE_LIMIT]
        previous = row.owner_user_id
        view = followup_view(
            row,
            customer_name=customer.name if customer is not None else None,
            workspace_url=_workspace_url(session, team_id=team_id),
            due=due,
            now=now,
        )
        if owner != previous:
            row.owner_user_id = owner
            row.reminders_sent, row.last_reminded_at = (1, now) if row.due_at <= now else (0, None)
            view = replace(view, owner_user_id=owner)
            _hand_over(session, row, view, by=user_id, now=now)
        body = build_edited(view) if owner == previous else build_reassigned(view, changed=True)
        _update_reminder(session, team_id=team_id, reminder=reminder, body=body, now=now)
        home.refresh(session, team_id=team_id, user_ids=[previous, owner], now=now)
    deps.wake_sender()
    return view


def _form_when(text: str, order: str) -> When:
    """A form's *when*, read whole by `/followup`'s parser; its errors as a form field shows them. An edit changes
    one follow-up: a rhythm typed there is refused with the way to change one."""
    try:
        if split_recurrence(text)[0] is not None:
            raise BadWhen(
                "An edit changes this follow-up only. To change how it repeats, use Stop repeating on its reminder "
                "and create a new one, like “every 2 weeks”.",
                example="",
            )
        when, rest = split_when(text, date_order=order)
    except BadWhen as error:
        raise _for_form(error) from error
    if when is None or rest:
        raise BadWhen(f"I can't read “{' '.join(text.split())}” as one time.", example=WHEN_HINT)
    return when


def _hand_over(session: Session, row: FollowUp, view: FollowUpView, *, by: str, now: datetime) -> None:
    """The DM telling a follow-up's new owner about it, at once."""
    outbox_rows.enqueue(
        session,
        team_id=row.team_id,
        kind="handover",
        idempotency_key=f"handover:{row.id}:{row.owner_user_id}:{now.isoformat()}",
        method="chat.postMessage",
        payload={"channel": row.owner_user_id, **build_handover(view, by=by)},
        not_before=now,
        now=now,
        lane=outbox_rows.INTERACTIVE,
    )


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
        _hand_over(session, row, result.view, by=user_id, now=now)
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
