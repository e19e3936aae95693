"""Promise offers: a teammate's promise with a time becomes a follow-up in one click.

The message path (bot.services.mentions) takes a first look at every teammate's message, in memory; only a message
that may hold a promise comes here, after its event is stored and acknowledged, and nothing here calls Slack: the
offer is queued in the outbox as an ephemeral to its author alone. Nothing is created until they click **Remind
me** (or save the prefilled form opened by **Change…**); **Not this time** dismisses it.

Never offered: when the workspace or the person turned offers off, past `DAILY_CAP` offers to the person in 24
hours, or when the person already has an open follow-up for the customer due within `NEAR` of the promised time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.blocks.followups import confirm_created
from bot.blocks.promises import build_offer
from bot.db.models import PromiseOffer
from bot.db.queries import customers as customer_rows
from bot.db.queries import followups as followup_rows
from bot.db.queries import outbox as outbox_rows
from bot.db.queries import promises as promise_rows
from bot.db.queries import settings as settings_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain.errors import RapportError
from bot.domain.matcher import CustomerMatcher
from bot.domain.messages import ChannelMessage
from bot.domain.promises import Promise, find_promise
from bot.domain.when import DATE_ORDERS, BadWhen, Due, WorkWeek, describe_due, resolve_due, zone
from bot.runtime.deps import Deps
from bot.services import home
from bot.services.followup_views import followup_view
from bot.views.promises import OfferView, PromiseSwitch

DAILY_CAP = 3  # offers per person in any 24 hours
CAP_WINDOW = timedelta(hours=24)
NEAR = timedelta(days=1)  # an open follow-up for the customer due this close to the promise already covers it
_YOUR_TIME = ", your time"


@dataclass(frozen=True)
class Candidate:
    """A teammate's message that may hold a promise (bot.domain.promises.may_promise), the customer of the channel
    it was posted in (None for an unlinked channel), and the workspace's name matcher as it was then."""

    message: ChannelMessage
    linked_customer_id: int | None
    names: CustomerMatcher

    @property
    def customer_id(self) -> int | None:
        """The customer the promise is about: the first one the message names, else the linked channel's."""
        named = self.names.customer_ids(self.message.text)
        return named[0] if named else self.linked_customer_id


# Where the workspace's date order can change what a promise's *when* says: a numeric date such as 3/4 or 3.4.
_NUMERIC_DATE = re.compile(r"\d[/.]\d")


@dataclass(frozen=True)
class _Reading:
    promise: Promise
    date_order: str


def _read_promise(text: str) -> _Reading | None:
    """The promise in a message as read in the month/day order, else (for a numeric date only) the day/month one."""
    for order in DATE_ORDERS:
        promise = find_promise(text, date_order=order)
        if promise is not None:
            return _Reading(promise, order)
        if not _NUMERIC_DATE.search(text):
            return None  # no date the other order could read differently
    return None


def offer(deps: Deps, *, team_id: str, candidates: Sequence[Candidate]) -> int:
    """Queue an offer for each candidate that passes the switches, the cap and the open follow-ups; how many.

    Runs after the acknowledgement. A message without a promise of the rules, or whose *when* cannot be read in
    either date order ("I will follow up with their admin" in a sentence that only mentions "next week" before it),
    is dropped before any database work."""
    read = [(c, reading) for c in candidates if (reading := _read_promise(c.message.text)) is not None]
    if not read:
        return 0
    now = deps.clock()
    queued = 0
    with deps.session_factory.begin() as session:
        settings = settings_rows.of_workspace(session, team_id=team_id, now=now)
        if not settings.promise_offers_enabled:
            return 0
        week = WorkWeek.from_settings(settings.working_days, settings.working_hours_start, settings.working_hours_end)
        timezones = settings_rows.profile_timezones(
            session, team_id=team_id, user_ids=[c.message.user_id for c, _ in read]
        )
        for candidate, first_reading in read:
            message = candidate.message
            user_id = message.user_id
            if not promise_rows.user_promises_enabled(session, team_id=team_id, user_id=user_id):
                continue
            promise: Promise | None = first_reading.promise
            if settings.date_order != first_reading.date_order and _NUMERIC_DATE.search(message.text):
                promise = find_promise(message.text, date_order=settings.date_order)  # "3/4" reads differently
            if promise is None:
                continue
            try:
                tz = zone(timezones.get(user_id) or settings.timezone)
                due = resolve_due(promise.when, now=now, tz=tz, week=week)
            except BadWhen:
                continue  # a time already past, or over a year ahead: nothing to remind
            if (
                promise_rows.offered_since(session, team_id=team_id, user_id=user_id, since=now - CAP_WINDOW)
                >= DAILY_CAP
            ):
                continue
            customer_id = candidate.customer_id
            if customer_id is not None and promise_rows.has_open_followup_near(
                session,
                team_id=team_id,
                owner_user_id=user_id,
                customer_id=customer_id,
                start=due.at - NEAR,
                end=due.at + NEAR,
            ):
                continue
            row = promise_rows.add(
                session,
                team_id=team_id,
                user_id=user_id,
                channel_id=message.channel_id,
                message_ts=message.ts,
                customer_id=customer_id,
                rule_id=promise.rule_id[:80],
                when_text=promise.when.text[:100],
                due_at=due.at,
                note=promise.sentence,
                created_at=now,
            )
            if row is None:
                continue  # this message was offered before
            day = describe_due(replace(due, assumptions=()), now=now)
            view = _view(session, row, due_day=day.removesuffix(_YOUR_TIME), assumptions=due.assumptions)
            _queue_offer(session, message, view, now=now)
            queued += 1
    if queued:
        deps.wake_sender()
    return queued


def _view(session: Session, row: PromiseOffer, *, due_day: str, assumptions: tuple[str, ...] = ()) -> OfferView:
    customer = (
        customer_rows.get(session, team_id=row.team_id, customer_id=row.customer_id)
        if row.customer_id is not None
        else None
    )
    return OfferView(
        id=row.id,
        user_id=row.user_id,
        customer_name=customer.name if customer is not None else None,
        note=row.note,
        when_text=row.when_text,
        due_day=due_day,
        due_assumptions=assumptions,
    )


def _queue_offer(session: Session, message: ChannelMessage, view: OfferView, *, now: datetime) -> None:
    payload: dict[str, Any] = {"channel": message.channel_id, "user": message.user_id}
    if not message.is_top_level:
        payload["thread_ts"] = message.thread_ts
    payload.update(build_offer(view))
    outbox_rows.enqueue(
        session,
        team_id=message.team_id,
        kind="promise_offer",
        idempotency_key=f"promise:{message.channel_id}:{message.ts}",
        method="chat.postEphemeral",
        payload=payload,
        not_before=now,
        now=now,
        lane=outbox_rows.INTERACTIVE,  # an answer to a person, worth most while the promise is fresh
    )


def _own_offer(session: Session, *, team_id: str, offer_id: int, user_id: str) -> PromiseOffer:
    row = promise_rows.get(session, team_id=team_id, offer_id=offer_id)
    if row is None or row.user_id != user_id:
        raise RapportError("I couldn't find that promise; it may have been offered to someone else.")
    return row


def accept(deps: Deps, *, team_id: str, offer_id: int, user_id: str) -> dict[str, Any] | None:
    """Remind me: the follow-up, created once however often the button is clicked; its confirmation, or None when
    the offer was already answered."""
    now = deps.clock()
    with deps.session_factory.begin() as session:
        row = _own_offer(session, team_id=team_id, offer_id=offer_id, user_id=user_id)
        if not promise_rows.answer(session, team_id=team_id, offer_id=offer_id, state="accepted", now=now):
            return None
        followup = followup_rows.add(
            session,
            team_id=team_id,
            owner_user_id=user_id,
            customer_id=row.customer_id,
            kind="followup",
            note=row.note,
            source_channel_id=row.channel_id,
            source_ts=row.message_ts,
            due_at=max(row.due_at, now),  # clicked after the promised time: due at once
            created_by=user_id,
            created_at=now,
        )
        promise_rows.link_followup(session, team_id=team_id, offer_id=offer_id, followup_id=followup.id)
        view = _view(session, row, due_day="")
        timezone = settings_rows.profile_timezones(session, team_id=team_id, user_ids=[user_id]).get(user_id)
        tz = zone(timezone or settings_rows.of_workspace(session, team_id=team_id, now=now).timezone)
        due = Due(at=followup.due_at, local=followup.due_at.astimezone(tz), words=row.when_text)
        workspace = workspace_rows.get(session, team_id=team_id)
        shown = followup_view(
            followup,
            customer_name=view.customer_name,
            workspace_url=workspace.url if workspace is not None else "",
            due=due,
            now=now,
        )
        home.refresh(session, team_id=team_id, user_ids=[user_id], now=now)
    deps.wake_sender()
    return confirm_created([shown], creator=user_id)


@dataclass(frozen=True)
class OfferForm:
    """What Change… prefills the follow-up form with."""

    offer_id: int
    owner_user_id: str
    customer_name: str | None
    when_text: str
    note: str
    channel_id: str
    message_ts: str


def change_prefill(deps: Deps, *, team_id: str, offer_id: int, user_id: str) -> OfferForm:
    """Change…: the follow-up form's values (the offer stays open until the form is saved)."""
    with deps.session_factory.begin() as session:
        row = _own_offer(session, team_id=team_id, offer_id=offer_id, user_id=user_id)
        if row.state != "offered":
            raise RapportError("This promise was already taken care of.", example="/followup list")
        view = _view(session, row, due_day="")
        return OfferForm(
            offer_id=row.id,
            owner_user_id=user_id,
            customer_name=view.customer_name,
            when_text=row.when_text,
            note=row.note,
            channel_id=row.channel_id,
            message_ts=row.message_ts,
        )


def mark_changed(deps: Deps, *, team_id: str, offer_id: int, user_id: str, followup_id: int) -> None:
    """The form opened by Change… was saved: the offer is answered, so Remind me cannot add a second follow-up."""
    now = deps.clock()
    with deps.session_factory.begin() as session:
        row = promise_rows.get(session, team_id=team_id, offer_id=offer_id)
        if row is None or row.user_id != user_id:
            return
        if promise_rows.answer(session, team_id=team_id, offer_id=offer_id, state="changed", now=now):
            promise_rows.link_followup(session, team_id=team_id, offer_id=offer_id, followup_id=followup_id)


def dismiss(deps: Deps, *, team_id: str, offer_id: int, user_id: str) -> None:
    """Not this time: the offer is answered and its note forgotten."""
    now = deps.clock()
    with deps.session_factory.begin() as session:
        _own_offer(session, team_id=team_id, offer_id=offer_id, user_id=user_id)
        promise_rows.answer(session, team_id=team_id, offer_id=offer_id, state="dismissed", now=now)


def switch(deps: Deps, *, team_id: str, user_id: str, enabled: bool) -> PromiseSwitch:
    """`/rapport promises on|off` (and the Home tab's button): one person's offers."""
    now = deps.clock()
    with deps.session_factory.begin() as session:
        promise_rows.set_user_promises(session, team_id=team_id, user_id=user_id, enabled=enabled, now=now)
        workspace_enabled = settings_rows.of_workspace(session, team_id=team_id, now=now).promise_offers_enabled
        home.refresh(session, team_id=team_id, user_ids=[user_id], now=now)
    deps.wake_sender()
    return PromiseSwitch(enabled=enabled, workspace_enabled=workspace_enabled)
