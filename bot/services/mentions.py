"""Recording customer mentions from watched channels: new messages are group-committed, each keyed by event id.

The same pass decides tone tips (bot.services.nudges) and notes the messages that may hold a promise with a time
(bot.domain.promises.may_promise, two searches); those few are read whole, and offered as follow-ups, once their
events are stored and acknowledged (bot.services.promises, on the after-ack thread: an offer is optional, as a
model tip is)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from bot.blocks.intro import build_intro_note, build_shared_intro_note
from bot.db.queries import channels as channel_rows
from bot.db.queries import events as event_rows
from bot.db.queries import mentions as mention_rows
from bot.db.queries import outbox as outbox_rows
from bot.db.queries import waits as wait_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain.mentions import mentioned
from bot.domain.messages import ChannelMessage, ts_to_datetime
from bot.domain.promises import may_promise
from bot.domain.tone import ToneHit
from bot.runtime.caches import ToneSetup, Versions
from bot.runtime.deps import Deps
from bot.services import nudges, promises


def _ensure_workspace(deps: Deps, session: Session, *, team_id: str) -> None:
    """Create the workspace row the first time this process sees the team."""
    if team_id not in deps.known_teams:
        workspace_rows.ensure(session, team_id=team_id, now=deps.clock())


def _remember_workspaces(deps: Deps, team_ids: Iterable[str]) -> None:
    """After a commit: these workspaces exist, so later events skip the check."""
    deps.known_teams.update(team_ids)


def _first_event(deps: Deps, session: Session, *, team_id: str, event_id: str | None) -> bool:
    """Make sure the workspace exists and claim the event id; False for a retry already stored."""
    _ensure_workspace(deps, session, team_id=team_id)
    if event_id is None:
        return True
    return event_rows.claim(session, team_id=team_id, event_id=event_id, now=deps.clock())


def _mention_row(message: ChannelMessage, customer_id: int, excerpt_text: str) -> dict[str, Any]:
    """The mentions row for one customer named in a message."""
    return mention_rows.new_row(
        team_id=message.team_id,
        customer_id=customer_id,
        channel_id=message.channel_id,
        message_ts=message.ts,
        thread_ts=message.thread_ts,
        user_id=message.user_id,
        mentioned_at=ts_to_datetime(message.ts),
        excerpt=excerpt_text,
    )


def _note_wait_or_answer(
    message: ChannelMessage,
    customer_id: int,
    waits: list[dict[str, Any]],
    answers: list[tuple[str, str, str | None, datetime, str]],
) -> None:
    """In a customer's linked channel: a customer's top-level message starts waiting; a member's message answers."""
    if message.is_external:
        if message.is_top_level:  # a customer's reply in a thread is part of a conversation already going on
            waits.append(
                wait_rows.new_row(
                    team_id=message.team_id,
                    channel_id=message.channel_id,
                    message_ts=message.ts,
                    customer_id=customer_id,
                    user_id=message.user_id,
                    posted_at=ts_to_datetime(message.ts),
                )
            )
        return
    thread = None if message.is_top_level else message.thread_ts
    answers.append((message.team_id, message.channel_id, thread, ts_to_datetime(message.ts), message.user_id))


def _watch(deps: Deps, session: Session, message: ChannelMessage) -> int | None:
    """Mark the channel watched (Slack only sends its messages while the bot is in it); its linked customer."""
    linked = channel_rows.watch(session, team_id=message.team_id, channel_ids=[message.channel_id], now=deps.clock())
    return linked[message.channel_id]


def record_message(deps: Deps, *, event_id: str | None, message: ChannelMessage) -> int:
    """Store a mention for every customer a new message names; returns how many.

    Messages arriving at the same moment share one transaction (group commit); this returns once the
    transaction holding this one has committed.
    """
    return deps.message_batches.submit((event_id, message), lambda batch: record_messages(deps, batch))


def record_messages(deps: Deps, batch: Sequence[tuple[str | None, ChannelMessage]]) -> list[int]:
    """Store the mentions of several new messages in one transaction; the count stored for each."""
    now = deps.clock()
    teams = {message.team_id for _, message in batch}
    if teams - deps.known_teams:
        with deps.session_factory.begin() as session:
            for team_id in teams:
                _ensure_workspace(deps, session, team_id=team_id)
        _remember_workspaces(deps, teams)
    rows: dict[tuple[str, str, int], tuple[int, dict[str, Any]]] = {}
    waits: list[dict[str, Any]] = []
    answers: list[tuple[str, str, str | None, datetime, str]] = []
    watched: list[tuple[str, Versions, dict[str, int | None]]] = []
    for_model: list[tuple[ToneSetup, ChannelMessage]] = []
    nudged = 0
    promised: dict[str, list[promises.Candidate]] = {}
    # The per-message statements run on the driver's connection (see bot.db.queries.intake): this is the hottest path.
    with deps.intake.transaction() as db:
        keys = [(message.team_id, event_id) for event_id, message in batch if event_id is not None]
        unseen = db.claim_events(keys, now=now) if keys else set()
        fresh: dict[str, list[tuple[int, ChannelMessage]]] = {}
        for index, (event_id, message) in enumerate(batch):
            if event_id is not None:
                key = (message.team_id, event_id)
                if key not in unseen:
                    continue  # a retry, stored before (or twice in this very batch)
                unseen.discard(key)
            fresh.setdefault(message.team_id, []).append((index, message))
        for team_id, items in fresh.items():
            directory_version, channels_version, settings_version = db.team_versions(team_id=team_id)
            versions = (directory_version, channels_version)
            matcher = deps.matchers.get(
                team_id=team_id, version=directory_version, load=partial(db.customer_names, team_id=team_id)
            )
            tone = deps.tone.get(
                team_id=team_id, version=settings_version, load=partial(db.tone_settings, team_id=team_id)
            )
            channel_ids = [message.channel_id for _, message in items]
            linked, unknown = deps.channels.lookup(team_id=team_id, versions=versions, channel_ids=channel_ids)
            if unknown:
                newly = db.watch_channels(team_id=team_id, channel_ids=unknown, now=now)
                linked.update(newly)
                watched.append((team_id, versions, newly))
            toned: list[tuple[ChannelMessage, list[ToneHit]]] = []
            for index, message in items:
                linked_customer = linked[message.channel_id]
                for customer_id, text in mentioned(matcher, message, linked_customer=linked_customer).items():
                    row = _mention_row(message, customer_id, text)
                    rows.setdefault((message.channel_id, message.ts, customer_id), (index, row))
                if linked_customer is not None:
                    _note_wait_or_answer(message, linked_customer, waits, answers)
                if hits := tone.hits(message):
                    toned.append((message, hits))
                elif tone.may_tip(message) and message.text:
                    for_model.append((tone, message))
                if not message.is_external and may_promise(message.text):  # read whole after the acknowledgement
                    promised.setdefault(team_id, []).append(promises.Candidate(message, linked_customer, matcher))
            if toned:
                nudged += nudges.queue_nudges(db, team_id=team_id, found=toned, now=now)
        inserted = db.add_mentions([row for _, row in rows.values()])
        if waits or answers:
            # Waits first: a member's answer in this same batch then finds the message it answers.
            db.add_waits(waits)
            nudged += db.answer_waits(answers, now=now)  # triage messages to update, sent like the nudges
    for team_id, versions, newly in watched:
        deps.channels.remember(team_id=team_id, versions=versions, linked=newly)
    if nudged:
        deps.wake_sender()
    if for_model:  # committed: the acknowledgement need not wait for the model
        deps.model_checks.add(deps.after_ack, for_model, partial(nudges.check_with_model, deps), what="the tone model")
    for team_id, candidates in promised.items():  # rare, and an offer is optional: it too need not delay the ack
        deps.after_ack.submit(
            partial(promises.offer, deps, team_id=team_id, candidates=candidates), what="the promise offers"
        )
    counts = [0] * len(batch)
    for mention_key, (index, _) in rows.items():
        counts[index] += mention_key in inserted
    return counts


def record_edit(deps: Deps, *, event_id: str | None, message: ChannelMessage) -> None:
    """Bring a message's mentions in line with its edited text."""
    with deps.session_factory.begin() as session:
        if not _first_event(deps, session, team_id=message.team_id, event_id=event_id):
            return
        linked = _watch(deps, session, message)
        matcher = deps.matchers.for_team(session, team_id=message.team_id)
        wanted = mentioned(matcher, message, linked_customer=linked)
        existing = mention_rows.of_message(
            session, team_id=message.team_id, channel_id=message.channel_id, message_ts=message.ts
        )
        stale = [m.id for m in existing if m.customer_id not in wanted]
        mention_rows.delete_by_ids(session, team_id=message.team_id, ids=stale)
        for mention in existing:
            if mention.customer_id in wanted:
                mention.excerpt = wanted.pop(mention.customer_id)
        mention_rows.add(
            session, team_id=message.team_id, rows=[_mention_row(message, c, text) for c, text in wanted.items()]
        )


def record_deletion(deps: Deps, *, event_id: str | None, team_id: str, channel_id: str, ts: str) -> int:
    """Remove every mention (and so every excerpt) of a deleted message; returns how many.

    A deleted customer message no longer waits for an answer either.
    """
    with deps.session_factory.begin() as session:
        if not _first_event(deps, session, team_id=team_id, event_id=event_id):
            return 0
        wait_rows.delete_of_message(session, team_id=team_id, channel_id=channel_id, message_ts=ts)
        return mention_rows.delete_of_message(session, team_id=team_id, channel_id=channel_id, message_ts=ts)


def bot_joined_channel(
    deps: Deps, *, event_id: str | None, team_id: str, channel_id: str, shared: bool = False
) -> None:
    """Start watching a channel and queue the note saying what Rapport records there: written for both sides when
    the channel is shared with another organisation (`shared`) or already linked to a customer."""
    now = deps.clock()
    with deps.session_factory.begin() as session:
        if not _first_event(deps, session, team_id=team_id, event_id=event_id):
            return
        row = channel_rows.upsert(
            session, team_id=team_id, channel_id=channel_id, now=now, is_watched=True, joined_at=now
        )
        note = build_shared_intro_note() if shared or row.customer_id is not None else build_intro_note()
        outbox_rows.enqueue(
            session,
            team_id=team_id,
            kind="intro",
            idempotency_key=f"intro:{channel_id}:{event_id or now.isoformat()}",
            method="chat.postMessage",
            payload={"channel": channel_id, **note},
            not_before=now,
            now=now,
            lane=outbox_rows.INTERACTIVE,  # someone just invited Rapport: the note answers them
        )
    deps.wake_sender()


def bot_left_channel(deps: Deps, *, event_id: str | None, team_id: str, channel_id: str) -> None:
    """Stop watching a channel the bot was removed from."""
    with deps.session_factory.begin() as session:
        if not _first_event(deps, session, team_id=team_id, event_id=event_id):
            return
        channel_rows.upsert(session, team_id=team_id, channel_id=channel_id, now=deps.clock(), is_watched=False)
