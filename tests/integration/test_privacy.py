"""Retention and forget-me on a real database: exactly what they promise is removed, and nothing else."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.db.models import (
    FollowUp,
    Mention,
    Nudge,
    NudgeCooldown,
    OutboxMessage,
    PromiseOffer,
    Story,
    UserProfile,
    UserSettings,
)
from bot.db.queries import outbox as outbox_rows
from bot.db.queries import promises as promise_rows
from bot.db.queries import settings as settings_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain.customer_commands import AddCustomer
from bot.domain.messages import ChannelMessage
from bot.runtime.deps import Deps
from bot.services import directory, mentions, privacy
from tests.conftest import TEAM, FakeClock

OTHER_TEAM = "T0OTHER01"


def _ts(when: datetime, n: int = 0) -> str:
    return f"{int(when.timestamp())}.{n:06d}"


def _say(deps: Deps, text: str, *, when: datetime, user: str = "U0LEE", team: str = TEAM, n: int = 0) -> str:
    ts = _ts(when, n)
    message = ChannelMessage(team_id=team, channel_id="C0SUPPORT", ts=ts, thread_ts=None, user_id=user, text=text)
    mentions.record_message(deps, event_id=f"Ev{team}{ts}{user}", message=message)
    return ts


def _excerpts(deps: Deps, team: str = TEAM) -> dict[tuple[str, str], str | None]:
    with deps.session_factory.begin() as session:
        rows = session.execute(
            select(Mention.message_ts, Mention.user_id, Mention.excerpt).where(Mention.team_id == team)
        ).all()
    return {(r[0], r[1]): r[2] for r in rows}


def _directory(deps: Deps, team: str = TEAM) -> None:
    directory.add_customer(
        deps, team_id=team, command=AddCustomer(name="Acme Corp", aliases=("Acme",)), created_by="U0DANA"
    )


def test_retention_drops_old_excerpts_in_batches_and_keeps_the_mentions(deps: Deps, clock: FakeClock) -> None:
    _directory(deps)
    _directory(deps, OTHER_TEAM)
    now = clock()
    old = [
        _say(deps, f"Acme call {n}", when=now - timedelta(days=days), n=n)
        for n, days in enumerate((200, 120, 91, 90.5))
    ]
    recent = [
        _say(deps, f"Acme call {n}", when=now - timedelta(days=days), n=n)
        for n, days in enumerate((89.9, 30, 0.1), start=10)
    ]
    other = _say(deps, "Acme in the other workspace", when=now - timedelta(days=40), team=OTHER_TEAM)
    with deps.session_factory.begin() as session:
        settings_rows.of_workspace(session, team_id=OTHER_TEAM, now=now).retention_days = 30

    report = privacy.apply_retention(deps, now=now, batch=2)  # batches of 2: the loop must go on until done

    assert report.excerpts == len(old) + 1
    excerpts = _excerpts(deps)
    assert len(excerpts) == len(old) + len(recent)  # every mention is still there
    assert all(excerpts[(ts, "U0LEE")] is None for ts in old)
    assert all(excerpts[(ts, "U0LEE")] for ts in recent)
    assert _excerpts(deps, OTHER_TEAM) == {(other, "U0LEE"): None}  # that workspace's own 30 days
    with deps.session_factory.begin() as session:
        kept = session.execute(
            select(Mention.channel_id, Mention.user_id, Mention.mentioned_at).where(Mention.message_ts == old[0])
        ).one()
    assert kept[0] == "C0SUPPORT" and kept[1] == "U0LEE" and kept[2] < now - timedelta(days=199)
    # A second run finds nothing left to do.
    assert privacy.apply_retention(deps, now=now).excerpts == 0


def test_retention_empties_old_sent_messages_but_keeps_their_keys(deps: Deps, clock: FakeClock) -> None:
    now = clock()
    long_ago = now - timedelta(days=100)
    with deps.session_factory.begin() as session:
        workspace_rows.ensure(session, team_id=TEAM, now=now)
        for key, kind, state, created in (
            ("unanswered:C0ACME:1", "unanswered", "sent", long_ago),
            ("nudge:C0SUPPORT:1", "nudge", "failed", long_ago),
            ("waiting", "reminder", "pending", long_ago),
            ("shoutout", "shoutout", "sent", long_ago),
            ("fresh", "unanswered", "sent", now - timedelta(days=1)),
        ):
            outbox_rows.enqueue(
                session,
                team_id=TEAM,
                kind=kind,
                idempotency_key=key,
                method="chat.postMessage",
                payload={"channel": "U0LEE", "text": "Bob wrote: my drive is broken"},
                not_before=created,
                now=created,
            )
            session.execute(
                OutboxMessage.__table__.update().where(OutboxMessage.idempotency_key == key).values(state=state)
            )
    report = privacy.apply_retention(deps, now=now)
    assert report.outbox_payloads == 2
    with deps.session_factory.begin() as session:
        rows = {r.idempotency_key: r for r in session.scalars(select(OutboxMessage))}
        assert rows["unanswered:C0ACME:1"].payload == {} and rows["nudge:C0SUPPORT:1"].payload == {}
        assert rows["unanswered:C0ACME:1"].redacted_at == now
        for kept in ("waiting", "shoutout", "fresh"):
            assert rows[kept].payload["text"] == "Bob wrote: my drive is broken"
        # The key still stops a second send.
        assert not outbox_rows.enqueue(
            session,
            team_id=TEAM,
            kind="unanswered",
            idempotency_key="unanswered:C0ACME:1",
            method="chat.postMessage",
            payload={},
            not_before=now,
            now=now,
        )


def test_forget_me_removes_the_callers_excerpts_nudges_and_settings_only(deps: Deps, clock: FakeClock) -> None:
    _directory(deps)
    now = clock()
    lee = _say(deps, "Acme asked Lee", when=now - timedelta(hours=2))
    dana = _say(deps, "Acme asked Dana", when=now - timedelta(hours=1), user="U0DANA")
    with deps.session_factory.begin() as session:
        for user in ("U0LEE", "U0DANA"):
            session.add(
                Nudge(
                    team_id=TEAM,
                    user_id=user,
                    category="brush_off",
                    rule_id="r",
                    channel_id="C0SUPPORT",
                    message_ts="1.1",
                    created_at=now,
                )
            )
            session.add(NudgeCooldown(team_id=TEAM, user_id=user, category="brush_off", last_nudged_at=now))
            settings_rows.set_user_nudges(session, team_id=TEAM, user_id=user, enabled=False, now=now)
            settings_rows.save_user_profile(session, team_id=TEAM, user_id=user, now=now, tz="Europe/Berlin")
        session.add(
            FollowUp(
                team_id=TEAM, owner_user_id="U0LEE", note="call Acme", due_at=now, created_by="U0LEE", created_at=now
            )
        )
        session.add(Story(team_id=TEAM, via="kudos", text="Lee stayed on it", created_by="U0DANA", created_at=now))

    forgotten = privacy.forget_me(deps, team_id=TEAM, user_id="U0LEE")

    assert (forgotten.excerpts, forgotten.nudges, forgotten.settings) == (1, 1, 1)
    excerpts = _excerpts(deps)
    assert excerpts[(lee, "U0LEE")] is None and excerpts[(dana, "U0DANA")] == "Acme asked Dana"
    with deps.session_factory.begin() as session:
        assert session.scalars(select(Nudge.user_id)).all() == ["U0DANA"]
        assert session.scalars(select(NudgeCooldown.user_id)).all() == ["U0DANA"]
        assert session.scalars(select(UserSettings.user_id)).all() == ["U0DANA"]
        assert session.scalars(select(UserProfile.user_id)).all() == ["U0DANA"]
        assert settings_rows.user_nudges_enabled(session, team_id=TEAM, user_id="U0LEE")  # back to the default
        assert session.scalars(select(FollowUp.note)).all() == ["call Acme"]  # follow-ups and stories stay
        assert session.scalars(select(Story.text)).all() == ["Lee stayed on it"]
        assert len(session.scalars(select(Mention.id)).all()) == 2  # mentions keep their metadata
    # Doing it again finds nothing more.
    again = privacy.forget_me(deps, team_id=TEAM, user_id="U0LEE")
    assert (again.excerpts, again.nudges, again.settings) == (0, 0, 0)


def test_forget_me_leaves_no_mention_of_the_person_in_other_peoples_excerpts(deps: Deps, clock: FakeClock) -> None:
    _directory(deps)
    _directory(deps, OTHER_TEAM)
    now = clock()
    dana = _say(deps, "Acme asked <@U0LEE> and <@U0KIRI>, <@U0LEE> again", when=now, user="U0DANA")
    other = _say(deps, "Acme asked <@U0LEE>", when=now, user="U0DANA", team=OTHER_TEAM)
    assert _excerpts(deps)[(dana, "U0DANA")] == "Acme asked <@U0LEE> and <@U0KIRI>, <@U0LEE> again"

    privacy.forget_me(deps, team_id=TEAM, user_id="U0LEE")

    assert _excerpts(deps)[(dana, "U0DANA")] == "Acme asked @someone and <@U0KIRI>, @someone again"
    assert _excerpts(deps, OTHER_TEAM) == {(other, "U0DANA"): "Acme asked <@U0LEE>"}  # only this workspace


def test_retention_forgets_the_words_of_promise_offers_never_answered(deps: Deps, clock: FakeClock) -> None:
    now = clock()
    with deps.session_factory.begin() as session:
        workspace_rows.ensure(session, team_id=TEAM, now=now)
        for ts, created in (("1.000001", now - timedelta(days=100)), ("2.000002", now - timedelta(days=1))):
            promise_rows.add(
                session,
                team_id=TEAM,
                user_id="U0LEE",
                channel_id="C0SUPPORT",
                message_ts=ts,
                customer_id=None,
                rule_id="promise.will-do",
                when_text="tomorrow",
                due_at=created + timedelta(days=1),
                note="I'll call Bob back tomorrow",
                created_at=created,
            )
    assert privacy.apply_retention(deps, now=now).offer_notes == 1
    with deps.session_factory.begin() as session:
        notes = {o.message_ts: (o.note, o.state) for o in session.scalars(select(PromiseOffer))}
    assert notes == {"1.000001": ("", "offered"), "2.000002": ("I'll call Bob back tomorrow", "offered")}
