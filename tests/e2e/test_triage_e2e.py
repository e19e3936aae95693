"""The triage channel through the real app and the simulator: the admin's setting, one message per waiting
customer updated in place, Claim and Answered clicked as Slack delivers them, an answer in the thread, escalation,
`/customer triage`, `/rapport stats`; and two `rapport run` processes sharing one database posting each customer's
triage message exactly once."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.models import Channel, Customer, CustomerName, CustomerWait, OutboxMessage, TriageMessage
from bot.db.queries import settings as settings_rows
from bot.db.queries import workspaces as workspace_rows
from bot.db.session import make_engine, make_session_factory
from bot.domain.matcher import normalize_name
from bot.services import outbox, triage, unanswered
from bot.slacksim import SimChannel, SimWorkspace, SlackSimulator
from tests.conftest import TEAM
from tests.e2e.clicks import button, click
from tests.e2e.conftest import BOT_TOKEN, SIGNING_SECRET, RunningApp, eventually, start_app
from tests.e2e.reminders import RapportProcess, outbox_states, wait_until
from tests.e2e.settings_form import open_settings, submit_settings
from tests.e2e.test_unanswered_e2e import BOB, after_deadline, link_acme

TRIAGE = "C0TRIAGE"
WORKSPACE_URL = "https://rapport-sim.slack.com/"
TRIAGE_WORDS = ("waiting for an answer", "answered", "Escalated")  # in the fallback text of each


@pytest.fixture
def sim() -> Iterator[SlackSimulator]:
    """The default simulated workspace with a #triage channel."""
    workspace = SimWorkspace.default()
    workspace.channels.append(SimChannel(TRIAGE, "triage", creator="U0DANA"))
    workspace.channels.append(SimChannel("C0ACMETRI", "acme-triage", creator="U0DANA"))
    with SlackSimulator(workspace=workspace, signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN) as simulator:
        yield simulator


@pytest.fixture
def triage_app(sim: SlackSimulator, database_url: str) -> Iterator[RunningApp]:
    """Rapport in HTTP mode, Acme linked to its shared channel, and #triage set by an admin in the settings modal."""
    for app in start_app(sim, database_url, "http"):
        link_acme(app)
        sim.add_bot_to_channel(TRIAGE, inviter="U0DANA")
        view = open_settings(sim)
        saved = submit_settings(sim, view, triage_channel=TRIAGE, escalation_minutes="60")
        assert "errors" not in saved, saved
        yield app


def run_jobs(app: RunningApp, now: datetime) -> tuple[int, int]:
    """The alert and escalation jobs and the sender, as they would run at `now`."""
    deps = app.runtime.deps
    alerted = unanswered.queue_unanswered_alerts(deps, now=now)
    escalated = triage.queue_escalations(deps, now=now)
    outbox.send_outbox(deps, client=app.runtime.client, now=now, worker="e2e")
    return alerted, escalated


def posts(sim: SlackSimulator, channel: str = TRIAGE) -> list[dict[str, Any]]:
    """The bot's triage messages and escalations in the channel (not its hello on joining)."""
    return [m for m in sim.messages(channel) if m.get("bot_id") and any(w in str(m.get("text")) for w in TRIAGE_WORDS)]


def api_calls(sim: SlackSimulator, method: str, channel: str = TRIAGE) -> int:
    """Web API calls that posted or updated a triage message or escalation in the channel."""
    return sum(
        1
        for c in sim.calls_to(method)
        if c.args.get("channel") == channel and c.ok and any(w in str(c.args.get("text")) for w in TRIAGE_WORDS)
    )


@pytest.mark.usefixtures("no_errors_logged")
def test_waiting_customer_listed_once_updated_in_place_claimed_and_answered(triage_app: RunningApp) -> None:
    app, sim = triage_app, triage_app.sim
    ts, _ = sim.post_message(BOB, "C0ACME", "Our drive is broken again")
    due = after_deadline(app, ts)
    assert run_jobs(app, due) == (1, 0)
    [message] = posts(sim)
    shown = json.dumps(message)
    assert "*Acme Corp* has 1 message waiting" in shown and "Our drive is broken again" in shown
    assert f"{WORKSPACE_URL}archives/C0ACME/p{ts.replace('.', '')}" in shown
    assert len(sim.dm_messages("U0LEE")) == 1  # and the owner's DM, as before

    later, _ = sim.post_message(BOB, "C0ACME", "Hello? Also the invoice")
    run_jobs(app, after_deadline(app, later))
    [message] = posts(sim)
    assert "has 2 messages waiting" in json.dumps(message) and "the invoice" in json.dumps(message)
    assert (api_calls(sim, "chat.postMessage"), api_calls(sim, "chat.update")) == (1, 1)

    assert click(sim, user="U0STEPH", channel=TRIAGE, message=message, action=button(message, "triage_claim")) == 200
    message = eventually(lambda: next((m for m in posts(sim) if "Claimed by <@U0STEPH>" in json.dumps(m)), None))
    assert click(sim, user="U0STEPH", channel=TRIAGE, message=message, action=button(message, "triage_answered")) == 200
    message = eventually(lambda: next((m for m in posts(sim) if "answered by <@U0STEPH>" in json.dumps(m)), None))
    assert "triage_claim" not in json.dumps(message) and len(posts(sim)) == 1
    assert (api_calls(sim, "chat.postMessage"), api_calls(sim, "chat.update")) == (1, 3)
    with app.runtime.deps.session_factory.begin() as session:
        states = session.scalars(select(CustomerWait.state)).all()
    assert list(states) == ["answered", "answered"]


@pytest.mark.usefixtures("no_errors_logged")
def test_an_answer_in_the_thread_after_the_alert_updates_the_triage_message(triage_app: RunningApp) -> None:
    app, sim = triage_app, triage_app.sim
    ts, _ = sim.post_message(BOB, "C0ACME", "Can someone look at invoice 1234?")
    run_jobs(app, after_deadline(app, ts))
    sim.post_message("U0LEE", "C0ACME", "Sorry for the wait, fixing it now", thread_ts=ts)
    message = eventually(lambda: next((m for m in posts(sim) if "answered by <@U0LEE>" in json.dumps(m)), None))
    assert ":white_check_mark: *Acme Corp*" in json.dumps(message) and "triage_claim" not in json.dumps(message)
    with app.runtime.deps.session_factory.begin() as session:
        [wait] = session.scalars(select(CustomerWait)).all()
    assert (wait.state, wait.answered_by) == ("answered", "U0LEE")
    assert run_jobs(app, after_deadline(app, ts) + timedelta(hours=5)) == (0, 0)  # closed: never escalated
    assert len(posts(sim)) == 1


@pytest.mark.usefixtures("no_errors_logged")
def test_unclaimed_past_the_escalation_delay_is_raised_once(triage_app: RunningApp) -> None:
    app, sim = triage_app, triage_app.sim
    ts, _ = sim.post_message(BOB, "C0ACME", "Still down!")
    due = after_deadline(app, ts)
    run_jobs(app, due)
    assert run_jobs(app, due + timedelta(minutes=29)) == (0, 0)
    assert run_jobs(app, due + timedelta(minutes=31)) == (0, 1)  # 60 working minutes after the message
    assert run_jobs(app, due + timedelta(hours=3)) == (0, 0)
    first, escalation = posts(sim)
    assert "Escalated: Acme Corp" in json.dumps(escalation) and "<@U0LEE>" in json.dumps(escalation)
    assert ":rotating_light: Escalated" in json.dumps(first)


@pytest.mark.usefixtures("no_errors_logged")
def test_customer_triage_command_and_stats(triage_app: RunningApp) -> None:
    app, sim = triage_app, triage_app.sim
    refused = json.dumps(app.command("triage Acme Corp <#C0ACMETRI|acme-triage>"))
    assert "invite me" in refused
    sim.add_bot_to_channel("C0ACMETRI", inviter="U0DANA")
    saved = json.dumps(app.command("triage Acme Corp <#C0ACMETRI|acme-triage> target 20 escalate 0"))
    assert "Saved" in saved and "<#C0ACMETRI>" in saved and "target 20 working minutes" in saved
    assert "never escalated" in saved
    bad = json.dumps(app.command("triage Acme Corp target 0"))
    assert "/customer triage Acme #acme-triage target 30 escalate 90" in bad

    ts, _ = sim.post_message(BOB, "C0ACME", "Quick question")
    run_jobs(app, after_deadline(app, ts))
    assert posts(sim) == [] and len(posts(sim, "C0ACMETRI")) == 1
    sim.post_message("U0STEPH", "C0ACME", "Here you go", thread_ts=ts)
    eventually(lambda: "answered by <@U0STEPH>" in json.dumps(posts(sim, "C0ACMETRI")))
    stats = json.dumps(app.command("stats", command="/rapport"))
    assert "First responses to customers" in stats and "*Acme Corp*: median first response" in stats
    assert "within the 20-minute target" in stats


# --- two processes ----------------------------------------------------------------------------------------------


def seed_waiting_customers(database_url: str, *, customers: int, per_customer: int) -> dict[str, list[str]]:
    """Customers with a linked shared channel each and messages waiting there long past the alert time (every hour
    of every day is working time here), stored through the models; each customer's name to its messages' ts."""
    engine = make_engine(database_url)
    now = datetime.now(UTC)
    seeded: dict[str, list[str]] = {}
    try:
        with make_session_factory(engine).begin() as session:
            workspace_rows.ensure(session, team_id=TEAM, now=now)
            workspace_rows.update_identity(
                session,
                team_id=TEAM,
                name="Rapport Sim",
                url=WORKSPACE_URL,
                bot_user_id="U0RAPPORT",
                bot_id="B0RAPPORT",
                now=now,
            )
            settings = settings_rows.of_workspace(session, team_id=TEAM, now=now)
            settings.working_days, settings.working_hours_start, settings.working_hours_end = (
                "mon,tue,wed,thu,fri,sat,sun",
                0,
                24 * 60,
            )
            settings.triage_channel, settings.escalation_minutes = TRIAGE, 0
            for n in range(customers):
                name = f"Customer {n}"
                customer = Customer(team_id=TEAM, name=name, owner_user_id="U0LEE", created_by="U0DANA", created_at=now)
                customer.names.append(
                    CustomerName(team_id=TEAM, name=name, name_key=normalize_name(name), is_primary=True)
                )
                session.add(customer)
                session.flush()
                channel = f"C1SHARED{n:03d}"
                session.add(
                    Channel(team_id=TEAM, channel_id=channel, is_watched=True, customer_id=customer.id, updated_at=now)
                )
                seeded[name] = []
                for k in range(per_customer):
                    posted = now - timedelta(hours=2, minutes=k)
                    message_ts = f"{int(posted.timestamp())}.{n * 100 + k:06d}"
                    session.add(
                        CustomerWait(
                            team_id=TEAM,
                            channel_id=channel,
                            message_ts=message_ts,
                            customer_id=customer.id,
                            user_id=BOB,
                            posted_at=posted,
                            state="waiting",
                        )
                    )
                    seeded[name].append(message_ts)
    finally:
        engine.dispose()
    return seeded


def test_two_processes_post_each_customers_triage_message_once(
    sim: SlackSimulator, database_url: str, tmp_path: Path
) -> None:
    sim.set_bot_member(TRIAGE)
    seeded = seed_waiting_customers(database_url, customers=30, per_customer=4)
    waits = sum(len(v) for v in seeded.values())
    apps = [RapportProcess(sim, database_url, log_path=tmp_path / f"rapport{n}.log") for n in range(2)]
    try:
        for app in apps:
            app.wait_healthy()
        # Every wait alerted (its owner's DM) and every outbox row sent, by whichever process got there.
        wait_until(lambda: len(sim.dm_messages("U0LEE")) >= waits, timeout=120, interval=0.2)
        # Sent, or skipped: an update drawn when a later one was already queued says nothing new.
        wait_until(lambda: set(outbox_states(database_url)) <= {"sent", "skipped"}, timeout=60, interval=0.2)
        time.sleep(2)  # both senders and both alert jobs tick again: anything doubled would show now
        assert all(app.proc.poll() is None for app in apps), [app.output() for app in apps]
    finally:
        for app in apps:
            app.stop()
    triage_posts = [c for c in sim.calls_to("chat.postMessage") if c.args.get("channel") == TRIAGE and c.ok]
    assert len(triage_posts) == len(seeded)  # one per customer, never two
    named = Counter(str(c.args.get("text", "")).split(" has ")[0].split(":")[0] for c in triage_posts)
    assert set(named.values()) == {1} and len(named) == len(seeded)
    # Each message, as Slack shows it now (after any updates), lists every one of its customer's messages.
    shown = {m["ts"]: json.dumps(m) for m in posts(sim)}
    assert len(shown) == len(seeded)
    for name, stamps in seeded.items():
        [text] = [t for t in shown.values() if f"*{name}* has 4 messages waiting" in t]
        assert all(f"p{s.replace('.', '')}" in text for s in stamps), text[:500]
    updates = [c for c in sim.calls_to("chat.update") if c.args.get("channel") == TRIAGE and c.ok]
    assert len(updates) <= waits - len(seeded)  # at most one per further wait
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine).begin() as session:
            opened = session.scalars(select(TriageMessage)).all()
            keys = session.scalars(select(OutboxMessage.idempotency_key).where(OutboxMessage.kind == "triage")).all()
    finally:
        engine.dispose()
    assert len(opened) == len(seeded) and len(keys) == len(seeded)
    assert len(sim.dm_messages("U0LEE")) == waits  # the owner's DMs, once each


def test_a_triage_channel_that_refuses_is_told_to_the_admins_once(triage_app: RunningApp) -> None:
    app, sim = triage_app, triage_app.sim
    sim.archive_channel(TRIAGE)  # archived since Dana chose it: Slack refuses every post there
    ts, _ = sim.post_message(BOB, "C0ACME", "Our drive is broken again")
    run_jobs(app, after_deadline(app, ts))
    later, _ = sim.post_message(BOB, "C0ACME", "Anyone there?")
    run_jobs(app, after_deadline(app, later))
    assert posts(sim) == []
    assert len(sim.dm_messages("U0LEE")) == 2  # the owner is told about each message, as ever
    # Dana (an admin, and the one who chose the channel) is told once what happened and what to do.
    soon = after_deadline(app, later) + timedelta(minutes=1)
    outbox.send_outbox(app.runtime.deps, client=app.runtime.client, now=soon, worker="e2e")
    [told] = eventually(lambda: [m for m in sim.dm_messages("U0DANA") if "triage channel" in json.dumps(m)])
    shown = json.dumps(told)
    assert f"The triage channel <#{TRIAGE}> was archived" in shown and "/rapport settings" in shown
