"""Unanswered customer messages on a real database: waits recorded on the message path, alerts at a chosen `now`."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from sqlalchemy import select

from bot.db.models import CustomerWait, OutboxMessage
from bot.db.queries import settings as settings_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain.customer_commands import AddCustomer
from bot.domain.messages import ChannelMessage
from bot.listeners.events.messages import handle_message_event
from bot.runtime.caches import DirectoryMatchers
from bot.runtime.deps import Deps
from bot.services import directory, mentions, unanswered
from tests.conftest import TEAM

CHANNEL = "C0ACME"
BOB = "W0EXTBOB"  # Acme's own person, in the shared channel
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # the workspace works Mon–Fri 09:00–17:00 UTC by default


def ts(when: datetime, micros: int = 0) -> str:
    return f"{int(when.timestamp())}.{micros:06d}"


def setup_linked(deps: Deps, owner: str = "U0LEE") -> None:
    for name in ("Acme Corp", "Globex"):
        command = AddCustomer(name=name, owner_user_id=owner)
        directory.add_customer(deps, team_id=TEAM, command=command, created_by="U0DANA")
    mentions.bot_joined_channel(deps, event_id="EvJoin", team_id=TEAM, channel_id=CHANNEL)
    directory.link_channel(deps, team_id=TEAM, query="Acme Corp", channel_id=CHANNEL)


def post(
    deps: Deps,
    at: datetime,
    *,
    user: str = BOB,
    external: bool = True,
    thread: str | None = None,
    text: str = "Hi, our drive is broken again",
    event_id: str | None = None,
    channel: str = CHANNEL,
) -> str:
    message_ts = ts(at)
    message = ChannelMessage(
        team_id=TEAM, channel_id=channel, ts=message_ts, thread_ts=thread, user_id=user, text=text, is_external=external
    )
    mentions.record_message(deps, event_id=event_id or f"Ev{message_ts}", message=message)
    return message_ts


def alerts(deps: Deps) -> list[OutboxMessage]:
    with deps.session_factory.begin() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "unanswered")).all()
        return list(rows)


def waits(deps: Deps) -> list[tuple[str, str, str | None]]:
    with deps.session_factory.begin() as session:
        rows = session.scalars(select(CustomerWait).order_by(CustomerWait.posted_at)).all()
        return [(r.message_ts, r.state, r.answered_by) for r in rows]


def test_an_unanswered_message_alerts_the_owner_once_at_the_deadline(deps: Deps) -> None:
    setup_linked(deps)
    with deps.session_factory.begin() as session:
        workspace_rows.update_identity(
            session,
            team_id=TEAM,
            name="Sim",
            url="https://sim.slack.com/",
            bot_user_id="U0RAPPORT",
            bot_id="B0RAPPORT",
            now=MONDAY_10,
        )
    asked = post(deps, MONDAY_10)
    assert unanswered.queue_unanswered_alerts(deps, now=MONDAY_10 + timedelta(minutes=29, seconds=59)) == 0
    assert unanswered.queue_unanswered_alerts(deps, now=MONDAY_10 + timedelta(minutes=30)) == 1
    assert unanswered.queue_unanswered_alerts(deps, now=MONDAY_10 + timedelta(minutes=31)) == 0
    assert unanswered.queue_unanswered_alerts(deps, now=MONDAY_10 + timedelta(days=1)) == 0
    [alert] = alerts(deps)
    assert alert.idempotency_key == f"unanswered:{CHANNEL}:{asked}"
    assert alert.payload["channel"] == "U0LEE"
    shown = json.dumps(alert.payload)
    assert "Acme Corp" in shown and f"<@{BOB}>" in shown and "our drive is broken again" in shown
    assert f"https://sim.slack.com/archives/{CHANNEL}/p{asked.replace('.', '')}" in shown
    assert waits(deps) == [(asked, "alerted", None)]


def test_a_thread_reply_from_a_member_answers_it(deps: Deps) -> None:
    setup_linked(deps)
    asked = post(deps, MONDAY_10)
    post(deps, MONDAY_10 + timedelta(minutes=12), user="U0STEPH", external=False, thread=asked, text="On it!")
    assert unanswered.queue_unanswered_alerts(deps, now=MONDAY_10 + timedelta(hours=2)) == 0
    assert alerts(deps) == []
    assert waits(deps) == [(asked, "answered", "U0STEPH")]


def test_a_later_channel_message_from_a_member_answers_everything_before_it(deps: Deps) -> None:
    setup_linked(deps)
    first = post(deps, MONDAY_10)
    second = post(deps, MONDAY_10 + timedelta(minutes=1), text="Also the invoice")
    post(deps, MONDAY_10 + timedelta(minutes=5), user="U0DANA", external=False, text="Looking at both now")
    later = post(deps, MONDAY_10 + timedelta(minutes=6), text="Thanks! And one more thing")
    assert unanswered.queue_unanswered_alerts(deps, now=MONDAY_10 + timedelta(hours=2)) == 1
    assert waits(deps) == [(first, "answered", "U0DANA"), (second, "answered", "U0DANA"), (later, "alerted", None)]


def test_a_reply_in_another_thread_answers_only_that_thread(deps: Deps) -> None:
    setup_linked(deps)
    first = post(deps, MONDAY_10)
    second = post(deps, MONDAY_10 + timedelta(minutes=1), text="Separate question")
    post(deps, MONDAY_10 + timedelta(minutes=2), user="U0DANA", external=False, thread=second, text="Answered")
    assert unanswered.queue_unanswered_alerts(deps, now=MONDAY_10 + timedelta(hours=1)) == 1
    assert [(m, s) for m, s, _ in waits(deps)] == [(first, "alerted"), (second, "answered")]


def test_external_replies_do_not_count_and_their_thread_replies_never_wait(deps: Deps) -> None:
    setup_linked(deps)
    asked = post(deps, MONDAY_10)
    post(deps, MONDAY_10 + timedelta(minutes=3), user="W0EXTAMY", thread=asked, text="Same here")
    post(deps, MONDAY_10 + timedelta(minutes=4), user="W0EXTAMY", text="Hello?")
    assert unanswered.queue_unanswered_alerts(deps, now=MONDAY_10 + timedelta(minutes=30)) == 1
    assert unanswered.queue_unanswered_alerts(deps, now=MONDAY_10 + timedelta(minutes=34)) == 1  # "Hello?" itself
    assert len(waits(deps)) == 2


def _event(user: str, text: str, message_ts: str, *, thread: str | None = None, **extra: Any) -> dict[str, Any]:
    event = {
        "type": "message",
        "channel": CHANNEL,
        "channel_type": "channel",
        "user": user,
        "text": text,
        "ts": message_ts,
        "team": TEAM,
        **extra,
    }
    if thread:
        event["thread_ts"] = thread
    return event


def test_bots_never_count_either_way(deps: Deps) -> None:
    """Through the real listener: a bot's reply answers nothing, and a bot's post never waits."""
    setup_linked(deps)
    context = BoltContext({"bot_user_id": "U0RAPPORT"})

    def deliver(event: dict[str, Any], event_id: str) -> None:
        body = {"team_id": TEAM, "event_id": event_id, "is_ext_shared_channel": True, "event": event}
        handle_message_event(body, event, context, deps)

    asked = ts(MONDAY_10)
    deliver(_event(BOB, "Anyone?", asked, user_team="T0EXT0001", source_team="T0EXT0001"), "Ev1")
    deliver(_event("U0OTHERBOT", "Ticket created", ts(MONDAY_10, 1), thread=asked, bot_id="B0OTHER"), "Ev2")
    deliver(_event("U0RAPPORT", "noted", ts(MONDAY_10, 2)), "Ev3")
    deliver(_event("", "An alert", ts(MONDAY_10, 3), subtype="bot_message", bot_id="B0X", user_team="T0EXT0001"), "Ev4")
    assert waits(deps) == [(asked, "waiting", None)]
    assert unanswered.queue_unanswered_alerts(deps, now=MONDAY_10 + timedelta(minutes=30)) == 1


def test_the_envelope_decides_who_is_external(deps: Deps) -> None:
    """Through the real listener: a member of the workspace never starts a wait; a guest of another org does."""
    setup_linked(deps)
    context = BoltContext({"bot_user_id": "U0RAPPORT"})
    first, second, third = ts(MONDAY_10), ts(MONDAY_10, 1), ts(MONDAY_10, 2)
    for event_id, event, shared in (
        ("Ev1", _event("U0LEE", "internal", first), True),
        ("Ev2", _event("U0GRID", "same org, other workspace", second, team="T0SIBLING"), False),
        ("Ev3", _event(BOB, "customer", third, user_team="T0EXT0001", team="T0EXT0001"), True),
    ):
        body = {"team_id": TEAM, "event_id": event_id, "is_ext_shared_channel": shared, "event": event}
        handle_message_event(body, event, context, deps)
    assert [m for m, _, _ in waits(deps)] == [third]


def test_outside_working_hours_the_deadline_moves(deps: Deps) -> None:
    setup_linked(deps)
    friday = datetime(2026, 11, 20, 16, 50, tzinfo=UTC)  # 10 working minutes left this week
    post(deps, friday)
    assert unanswered.queue_unanswered_alerts(deps, now=friday + timedelta(hours=1)) == 0
    assert unanswered.queue_unanswered_alerts(deps, now=datetime(2026, 11, 22, 12, 0, tzinfo=UTC)) == 0  # Sunday
    assert unanswered.queue_unanswered_alerts(deps, now=datetime(2026, 11, 23, 9, 19, tzinfo=UTC)) == 0
    assert unanswered.queue_unanswered_alerts(deps, now=datetime(2026, 11, 23, 9, 20, tzinfo=UTC)) == 1


def test_workspace_timezone_and_alert_minutes_from_the_settings(deps: Deps) -> None:
    setup_linked(deps)
    with deps.session_factory.begin() as session:
        settings = settings_rows.of_workspace(session, team_id=TEAM, now=MONDAY_10)
        settings.timezone, settings.unanswered_minutes = "America/New_York", 45
    asked_at = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # 08:00 in New York: before opening
    post(deps, asked_at)
    opening = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    assert unanswered.queue_unanswered_alerts(deps, now=opening + timedelta(minutes=44)) == 0
    assert unanswered.queue_unanswered_alerts(deps, now=opening + timedelta(minutes=45)) == 1
    assert "45 working minutes" in json.dumps(alerts(deps)[0].payload)


def test_a_retried_or_resent_event_records_one_wait(deps: Deps) -> None:
    setup_linked(deps)
    asked = post(deps, MONDAY_10, event_id="EvSame")
    post(deps, MONDAY_10, event_id="EvSame")  # Slack's retry
    post(deps, MONDAY_10, event_id="EvOther")  # the same message under another event id
    assert waits(deps) == [(asked, "waiting", None)]
    assert unanswered.queue_unanswered_alerts(deps, now=MONDAY_10 + timedelta(hours=1)) == 1


def test_a_late_retry_does_not_reopen_an_answered_wait(deps: Deps) -> None:
    setup_linked(deps)
    asked = post(deps, MONDAY_10, event_id="EvAsk")
    post(deps, MONDAY_10 + timedelta(minutes=5), user="U0LEE", external=False, thread=asked)
    post(deps, MONDAY_10, event_id="EvAsk2")  # re-delivered under a new id after the answer
    assert waits(deps) == [(asked, "answered", "U0LEE")]


def test_the_owner_at_alert_time_gets_it(deps: Deps, client: WebClient) -> None:
    setup_linked(deps)
    post(deps, MONDAY_10)
    directory.set_owner(deps, client, team_id=TEAM, query="Acme Corp", owner_user_id="U0KIRI", user_id="U0DANA")
    unanswered.queue_unanswered_alerts(deps, now=MONDAY_10 + timedelta(minutes=30))
    assert [a.payload["channel"] for a in alerts(deps)] == ["U0KIRI"]


def test_unlinked_channels_and_stale_waits_expire_without_a_dm(deps: Deps) -> None:
    setup_linked(deps)
    post(deps, MONDAY_10)
    directory.link_channel(deps, team_id=TEAM, query="Globex", channel_id=CHANNEL)
    assert unanswered.queue_unanswered_alerts(deps, now=MONDAY_10 + timedelta(hours=1)) == 0
    assert [s for _, s, _ in waits(deps)] == ["expired"]

    directory.link_channel(deps, team_id=TEAM, query="Acme Corp", channel_id=CHANNEL)
    tuesday = MONDAY_10 + timedelta(days=1)
    post(deps, tuesday)
    # The bot was down for a week: a week-old "nobody answered" is noise.
    assert unanswered.queue_unanswered_alerts(deps, now=tuesday + timedelta(days=7)) == 0
    assert [s for _, s, _ in waits(deps)] == ["expired", "expired"]
    assert alerts(deps) == []


def test_a_deleted_message_no_longer_waits(deps: Deps) -> None:
    setup_linked(deps)
    asked = post(deps, MONDAY_10)
    mentions.record_deletion(deps, event_id="EvDel", team_id=TEAM, channel_id=CHANNEL, ts=asked)
    assert waits(deps) == []


def test_unlinked_channels_record_no_waits(deps: Deps) -> None:
    setup_linked(deps)
    post(deps, MONDAY_10, channel="C0SUPPORT", text="Acme Corp here")
    assert waits(deps) == []


def test_a_here_in_the_message_pings_nobody(deps: Deps) -> None:
    setup_linked(deps)
    post(deps, MONDAY_10, text="<!here> <!channel> is anyone there? <https://evil.example|click> & <@U0DANA>")
    unanswered.queue_unanswered_alerts(deps, now=MONDAY_10 + timedelta(minutes=30))
    [alert] = alerts(deps)
    shown = json.dumps(alert.payload)
    assert "<!here" not in shown and "<!channel" not in shown and "<https://evil" not in shown
    assert "is anyone there?" in shown


def test_running_twice_or_in_two_processes_queues_one_dm_each(deps: Deps) -> None:
    setup_linked(deps)
    asked = [post(deps, MONDAY_10 + timedelta(seconds=i)) for i in range(12)]
    later = MONDAY_10 + timedelta(hours=1)
    others = [
        Deps(
            session_factory=deps.session_factory, clock=deps.clock, matchers=DirectoryMatchers(), settings=deps.settings
        )
        for _ in range(3)
    ]
    counts: list[int] = []
    barrier = threading.Barrier(len(others))

    def run(process: Deps) -> None:
        barrier.wait()
        counts.append(unanswered.queue_unanswered_alerts(process, now=later))

    threads = [threading.Thread(target=run, args=(p,)) for p in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == len(asked)
    assert unanswered.queue_unanswered_alerts(deps, now=later + timedelta(minutes=1)) == 0
    assert sorted(a.idempotency_key for a in alerts(deps)) == sorted(f"unanswered:{CHANNEL}:{t}" for t in asked)


def test_a_report_says_what_was_done(deps: Deps) -> None:
    setup_linked(deps)
    post(deps, MONDAY_10)
    report = unanswered.queue_alerts(deps, now=MONDAY_10 + timedelta(minutes=30))
    assert (report.alerted, report.expired) == (1, 0)


def test_a_question_and_its_answer_in_one_group_commit(deps: Deps) -> None:
    setup_linked(deps)
    asked, answer, again = ts(MONDAY_10), ts(MONDAY_10 + timedelta(minutes=2)), ts(MONDAY_10 + timedelta(minutes=3))

    def message(at: str, user: str, external: bool, thread: str | None = None) -> ChannelMessage:
        return ChannelMessage(
            team_id=TEAM, channel_id=CHANNEL, ts=at, thread_ts=thread, user_id=user, text="hi", is_external=external
        )

    mentions.record_messages(
        deps,
        [
            ("Ev1", message(asked, BOB, True)),
            ("Ev2", message(answer, "U0LEE", False)),
            ("Ev3", message(again, BOB, True)),
        ],
    )
    assert waits(deps) == [(asked, "answered", "U0LEE"), (again, "waiting", None)]
