"""Tone nudges: which messages get a private tip, the cool-down, and what the author does with the tip.

New messages are checked on the intake hot path (bot.services.mentions), inside the transaction that stores
their mentions, so a nudge is queued exactly when its event is stored; each process's cached rules are in
bot.runtime.caches. A message the rules found nothing in, where a tip was possible, is then given to the word
model (bot.domain.tone_model) after that transaction commits, on the after-acknowledgement thread
(bot.runtime.after_ack): `check_with_model` queues its tip the same way, with the same cool-down. A crash between
the acknowledgement and the model's verdict loses at most that optional tip.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.blocks.nudges import build_nudge
from bot.db.queries import outbox as outbox_rows
from bot.db.queries import settings as settings_rows
from bot.db.queries.intake import IntakeTransaction
from bot.db.session import turned_away
from bot.domain import tone_model
from bot.domain.messages import ChannelMessage
from bot.domain.tone import ToneHit, shown_words
from bot.runtime.caches import ToneSetup
from bot.runtime.deps import Deps
from bot.services import home
from bot.views.nudges import NudgeSwitch

log = logging.getLogger(__name__)

COOLDOWN = timedelta(hours=24)
MODEL_ATTEMPTS = 3  # tries at queuing the word model's tips while the database turns the transaction away


def queue_nudges(
    db: IntakeTransaction, *, team_id: str, found: Sequence[tuple[ChannelMessage, list[ToneHit]]], now: datetime
) -> int:
    """Queue one private tip per message, for the first category its author is not cooling down in.

    Skipped: people who turned tips off. The cool-down is claimed with one conditional upsert, so two
    processes handling the same person's messages at once still send one tip per category per 24 hours.
    """
    if not found:
        return 0
    off = db.users_with_nudges_off(team_id=team_id, user_ids=[message.user_id for message, _ in found])
    nudges: list[dict[str, Any]] = []
    outbox: list[dict[str, Any]] = []
    for message, hits in found:
        if message.user_id in off:
            continue
        for hit in hits:
            if not db.start_cooldown(
                team_id=team_id, user_id=message.user_id, category=hit.rule.category, now=now, cutoff=now - COOLDOWN
            ):
                continue
            nudges.append(
                settings_rows.new_nudge_row(
                    team_id=team_id,
                    user_id=message.user_id,
                    category=hit.rule.category,
                    rule_id=hit.rule.id[:80],
                    channel_id=message.channel_id,
                    message_ts=message.ts,
                    now=now,
                )
            )
            payload: dict[str, Any] = {"channel": message.channel_id, "user": message.user_id}
            if not message.is_top_level:
                payload["thread_ts"] = message.thread_ts
            payload.update(build_nudge(hit, channel_id=message.channel_id, ts=message.ts))
            key = f"nudge:{message.channel_id}:{message.ts}"
            outbox.append(
                outbox_rows.new_row(
                    team_id=team_id,
                    kind="nudge",
                    idempotency_key=key,
                    method="chat.postEphemeral",
                    payload=payload,
                    not_before=now,
                    now=now,
                    lane=outbox_rows.INTERACTIVE,  # a tip is worth most while the message is fresh
                )
            )
            break
    db.add_nudges(nudges=nudges, outbox=outbox)
    return len(outbox)


def check_with_model(deps: Deps, messages: Sequence[tuple[ToneSetup, ChannelMessage]]) -> int:
    """After the acknowledgement: the word model's verdict on stored messages the rules found nothing in (each one
    a tip was possible for), gathered from every event since the last round and scored in one call; a confident
    one is queued as a rule's tip is, with its category's shipped alternative.

    A message a rule the workspace disabled fires on is left alone. Each message reaches here once (its event id
    was claimed when it was stored; a retry is not), and the cool-down and the outbox key keep a tip single even
    so. Returns how many tips were queued.
    """
    heard = [message for tone, message in messages if not tone.silenced_by_workspace(message)]
    found: dict[str, list[tuple[ChannelMessage, list[ToneHit]]]] = {}
    for message, verdict in zip(heard, deps.tone_scores([m.text for m in heard]), strict=True):
        if verdict is not None:
            hit = ToneHit(tone_model.default_rule(verdict[0]), shown_words(message.text))
            found.setdefault(message.team_id, []).append((message, [hit]))
    return sum(_queue_model_tips(deps, team_id=team_id, found=tips) for team_id, tips in found.items())


def _queue_model_tips(deps: Deps, *, team_id: str, found: list[tuple[ChannelMessage, list[ToneHit]]]) -> int:
    for attempt in range(1, MODEL_ATTEMPTS + 1):
        try:
            with deps.intake.transaction() as db:
                queued = queue_nudges(db, team_id=team_id, found=found, now=deps.clock())
        except Exception as error:
            if not turned_away(error):
                raise
            if attempt == MODEL_ATTEMPTS:  # an optional tip: said in the log, not worth holding the thread longer
                log.warning("the word model's %d tip(s) were not queued: the database is busy", len(found))
                return 0
        else:
            if queued:
                deps.wake_sender()
            return queued
    return 0


def _respond(session: Session, *, team_id: str, user_id: str, channel_id: str, ts: str, response: str) -> None:
    settings_rows.set_nudge_response(
        session, team_id=team_id, user_id=user_id, channel_id=channel_id, message_ts=ts, response=response
    )


def thank(deps: Deps, *, team_id: str, user_id: str, channel_id: str, ts: str) -> None:
    """The author found the tip useful."""
    with deps.session_factory.begin() as session:
        _respond(session, team_id=team_id, user_id=user_id, channel_id=channel_id, ts=ts, response="thanks")


def opt_out(deps: Deps, *, team_id: str, user_id: str, channel_id: str, ts: str) -> None:
    """Don't show me these: the author's tips are off from now on."""
    now = deps.clock()
    with deps.session_factory.begin() as session:
        _respond(session, team_id=team_id, user_id=user_id, channel_id=channel_id, ts=ts, response="optout")
        settings_rows.set_user_nudges(session, team_id=team_id, user_id=user_id, enabled=False, now=now)
        home.refresh(session, team_id=team_id, user_ids=[user_id], now=now)
    deps.wake_sender()


def switch(deps: Deps, *, team_id: str, user_id: str, enabled: bool) -> NudgeSwitch:
    """`/rapport nudges on|off` (and the Home tab's button): one person's tips."""
    now = deps.clock()
    with deps.session_factory.begin() as session:
        settings_rows.set_user_nudges(session, team_id=team_id, user_id=user_id, enabled=enabled, now=now)
        workspace_enabled = settings_rows.of_workspace(session, team_id=team_id, now=now).nudges_enabled
        home.refresh(session, team_id=team_id, user_ids=[user_id], now=now)
    deps.wake_sender()
    return NudgeSwitch(enabled=enabled, workspace_enabled=workspace_enabled)
