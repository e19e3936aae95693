"""The triage channel on a real database, with the simulator as Slack and a chosen `now`: one message per waiting
customer, updated in place; Claim and Answered; answers in Slack; escalation once; first responses against the
target; Slack's limits with 50 waiting messages."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.blocks.text import MESSAGE_BLOCK_LIMIT, SECTION_TEXT_LIMIT
from bot.db.models import Customer, CustomerWait, OutboxMessage, TriageMessage
from bot.db.queries import settings as settings_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain.errors import RapportError
from bot.runtime.deps import Deps
from bot.services import first_responses, outbox, triage, unanswered
from bot.slacksim import SimWorkspace, SlackSimulator
from bot.slacksim.workspace import SimChannel
from bot.views.triage import ResponseTimes
from tests.conftest import TEAM, FakeClock
from tests.integration.test_unanswered import CHANNEL, MONDAY_10, post, setup_linked

TRIAGE = "C0TRIAGE"


def with_triage_channels() -> SimWorkspace:
    """The default simulated workspace plus a triage channel and a customer's own one."""
    workspace = SimWorkspace.default()
    workspace.channels.append(SimChannel(TRIAGE, "triage", creator="U0DANA"))
    workspace.channels.append(SimChannel("C0ACMETRI", "acme-triage", creator="U0DANA"))
    return workspace


@pytest.fixture
def sim() -> Iterator[SlackSimulator]:
    with SlackSimulator(workspace=with_triage_channels(), signing_secret="s", bot_token="xoxb-t") as simulator:
        simulator.set_bot_member(TRIAGE)
        simulator.set_bot_member(CHANNEL)
        yield simulator


def setup_triage(deps: Deps, *, channel: str | None = TRIAGE, escalation: int = 120) -> None:
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
        settings = settings_rows.of_workspace(session, team_id=TEAM, now=MONDAY_10)
        settings.triage_channel, settings.escalation_minutes = channel, escalation


def run(deps: Deps, client: WebClient, clock: FakeClock, minutes: float) -> tuple[int, int]:
    """The alert and escalation jobs, then the sender, at MONDAY_10 + minutes; (alerted, escalated)."""
    clock.now = MONDAY_10 + timedelta(minutes=minutes)
    alerted = unanswered.queue_unanswered_alerts(deps, now=clock.now)
    escalated = triage.queue_escalations(deps, now=clock.now)
    outbox.send_outbox(deps, client=client, now=clock.now, worker="test")
    return alerted, escalated


def triage_posts(sim: SlackSimulator) -> list[dict[str, Any]]:
    return [m for m in sim.messages(TRIAGE) if m.get("bot_id")]


def calls(sim: SlackSimulator, method: str, channel: str = TRIAGE) -> int:
    return sum(1 for c in sim.calls_to(method) if c.args.get("channel") == channel)


def wait_states(deps: Deps) -> list[tuple[str, str, str | None]]:
    with deps.session_factory.begin() as session:
        rows = session.scalars(select(CustomerWait).order_by(CustomerWait.posted_at)).all()
        return [(r.message_ts, r.state, r.answered_by) for r in rows]


def test_one_message_per_customer_then_updated_in_place_for_each_further_wait(
    deps: Deps, client: WebClient, clock: FakeClock, sim: SlackSimulator
) -> None:
    setup_triage(deps)
    first = post(deps, MONDAY_10, text="Hi, our drive is broken again & <!here>")
    assert run(deps, client, clock, 29) == (0, 0) and triage_posts(sim) == []
    assert run(deps, client, clock, 30) == (1, 0)
    [message] = triage_posts(sim)
    shown = json.dumps(message)
    assert "*Acme Corp* has 1 message waiting" in shown and "owner <@U0LEE>" in shown
    assert f"https://sim.slack.com/archives/{CHANNEL}/p{first.replace('.', '')}" in shown
    assert "waiting 30 min" in shown and "&amp; @here" in shown and "<!here>" not in shown
    assert {"Claim", "Answered"} <= {e["text"]["text"] for b in message["blocks"] for e in b.get("elements", [])}
    assert len(sim.dm_messages("U0LEE")) == 1  # the owner's DM, as before
    assert (calls(sim, "chat.postMessage"), calls(sim, "chat.update")) == (1, 0)

    second = post(deps, MONDAY_10 + timedelta(minutes=40), text="Also, the invoice is wrong")
    post(deps, MONDAY_10 + timedelta(minutes=41), text="And the VPN")
    assert run(deps, client, clock, 71) == (2, 0)
    [message] = triage_posts(sim)  # the same message, updated
    shown = json.dumps(message)
    assert "has 3 messages waiting" in shown and "the invoice is wrong" in shown and "And the VPN" in shown
    assert f"p{second.replace('.', '')}" in shown and "waiting 1 h 11 min" in shown
    # One job run alerted both: one update shows them (a post counts 1 call, each later change 1 update at most).
    assert (calls(sim, "chat.postMessage"), calls(sim, "chat.update")) == (1, 1)
    assert len(sim.dm_messages("U0LEE")) == 3
    assert run(deps, client, clock, 80) == (0, 0)
    assert (calls(sim, "chat.postMessage"), calls(sim, "chat.update")) == (1, 1)


def test_no_triage_channel_means_the_owners_dm_only(
    deps: Deps, client: WebClient, clock: FakeClock, sim: SlackSimulator
) -> None:
    setup_triage(deps, channel=None)
    post(deps, MONDAY_10)
    assert run(deps, client, clock, 200) == (1, 0)
    assert triage_posts(sim) == [] and len(sim.dm_messages("U0LEE")) == 1


def test_a_customers_own_triage_channel_wins(
    deps: Deps, client: WebClient, clock: FakeClock, sim: SlackSimulator
) -> None:
    setup_triage(deps)
    sim.set_bot_member("C0ACMETRI")
    with deps.session_factory.begin() as session:
        acme = session.scalars(select(Customer).where(Customer.name == "Acme Corp")).one()
        acme.triage_channel_id = "C0ACMETRI"
    post(deps, MONDAY_10)
    run(deps, client, clock, 30)
    assert triage_posts(sim) == []
    [message] = [m for m in sim.messages("C0ACMETRI") if m.get("bot_id")]
    assert "Acme Corp" in json.dumps(message)


def test_a_post_slack_refused_for_good_gives_way_to_a_fresh_one(
    deps: Deps, client: WebClient, clock: FakeClock, sim: SlackSimulator
) -> None:
    setup_triage(deps)
    sim.set_bot_member(TRIAGE, False)  # an admin removed Rapport from the channel: not_in_channel
    post(deps, MONDAY_10)
    run(deps, client, clock, 30)
    assert triage_posts(sim) == []
    sim.set_bot_member(TRIAGE)  # invited back
    post(deps, MONDAY_10 + timedelta(minutes=40), text="Anyone?")
    run(deps, client, clock, 71)
    [message] = triage_posts(sim)
    assert "has 1 message waiting" in json.dumps(message) and "Anyone?" in json.dumps(message)


def test_claim_shows_the_claimer_and_stops_the_escalation(
    deps: Deps, client: WebClient, clock: FakeClock, sim: SlackSimulator
) -> None:
    setup_triage(deps)
    post(deps, MONDAY_10)
    run(deps, client, clock, 30)
    triage_id = _triage_id(deps)
    clock.now = MONDAY_10 + timedelta(minutes=45)
    triage.claim(deps, team_id=TEAM, triage_id=triage_id, user_id="U0STEPH")
    triage.claim(deps, team_id=TEAM, triage_id=triage_id, user_id="U0STEPH")  # a second click changes nothing
    run(deps, client, clock, 46)
    [message] = triage_posts(sim)
    assert "Claimed by <@U0STEPH>" in json.dumps(message) and calls(sim, "chat.update") == 1
    assert run(deps, client, clock, 500) == (0, 0)  # claimed: never escalated
    assert len(triage_posts(sim)) == 1


def test_answered_closes_it_and_the_next_wait_opens_a_new_message(
    deps: Deps, client: WebClient, clock: FakeClock, sim: SlackSimulator
) -> None:
    setup_triage(deps)
    first = post(deps, MONDAY_10)
    run(deps, client, clock, 30)
    triage_id = _triage_id(deps)
    clock.now = MONDAY_10 + timedelta(minutes=42)
    triage.mark_answered(deps, team_id=TEAM, triage_id=triage_id, user_id="U0DANA")
    run(deps, client, clock, 43)
    [message] = triage_posts(sim)
    shown = json.dumps(message)
    assert "answered by <@U0DANA> after 42 min" in shown and "Claim" not in shown and 'Answered"' not in shown
    assert wait_states(deps) == [(first, "answered", "U0DANA")]
    with pytest.raises(RapportError, match="already answered"):
        triage.claim(deps, team_id=TEAM, triage_id=triage_id, user_id="U0STEPH")

    post(deps, MONDAY_10 + timedelta(minutes=60), text="New question")
    run(deps, client, clock, 95)
    assert len(triage_posts(sim)) == 2 and "New question" in json.dumps(triage_posts(sim)[-1])


def test_an_answer_in_slack_after_the_alert_marks_it_answered_and_updates_the_message(
    deps: Deps, client: WebClient, clock: FakeClock, sim: SlackSimulator
) -> None:
    setup_triage(deps)
    first = post(deps, MONDAY_10)
    second = post(deps, MONDAY_10 + timedelta(minutes=1), text="Separate question")
    run(deps, client, clock, 31)
    clock.now = MONDAY_10 + timedelta(minutes=42)  # the answer is stored as it arrives
    post(deps, clock.now, user="U0STEPH", external=False, thread=first, text="On it")
    outbox.send_outbox(deps, client=client, now=clock.now, worker="test")
    assert [s for _, s, _ in wait_states(deps)] == ["answered", "alerted"]
    [message] = triage_posts(sim)
    shown = json.dumps(message)
    assert "answered by <@U0STEPH> after 42 min" in shown and "has 1 message waiting" in shown
    assert "Claim" in shown  # one still waits

    clock.now = MONDAY_10 + timedelta(minutes=50)
    post(deps, clock.now, user="U0LEE", external=False, text="Both sorted, see threads")
    outbox.send_outbox(deps, client=client, now=MONDAY_10 + timedelta(minutes=50), worker="test")
    assert wait_states(deps) == [(first, "answered", "U0STEPH"), (second, "answered", "U0LEE")]
    [message] = triage_posts(sim)
    shown = json.dumps(message)
    assert ":white_check_mark: *Acme Corp*: answered by <@U0LEE> after 50 min" in shown and "Claim" not in shown
    assert calls(sim, "chat.update") == 2 and calls(sim, "chat.postMessage") == 1


def test_an_unclaimed_wait_is_escalated_once_mentioning_the_owner(
    deps: Deps, client: WebClient, clock: FakeClock, sim: SlackSimulator
) -> None:
    setup_triage(deps, escalation=90)
    post(deps, MONDAY_10)
    run(deps, client, clock, 30)
    assert run(deps, client, clock, 89) == (0, 0)
    assert run(deps, client, clock, 90) == (0, 1)
    assert run(deps, client, clock, 200) == (0, 0)
    first, escalation = triage_posts(sim)
    shown = json.dumps(escalation)
    assert "Escalated: Acme Corp" in shown and "<@U0LEE>" in shown and "waited 1 h 30 min" in shown
    assert f"p{first['ts'].replace('.', '')}" in shown  # a link to the triage message, where Claim is
    assert ":rotating_light: Escalated" in json.dumps(first)  # the triage message says so too
    assert calls(sim, "chat.postMessage") == 2


def test_escalation_zero_never_escalates(deps: Deps, client: WebClient, clock: FakeClock, sim: SlackSimulator) -> None:
    setup_triage(deps, escalation=0)
    post(deps, MONDAY_10)
    run(deps, client, clock, 30)
    assert run(deps, client, clock, 400) == (0, 0) and len(triage_posts(sim)) == 1


def test_fifty_waiting_messages_stay_within_block_kit_limits(
    deps: Deps, client: WebClient, clock: FakeClock, sim: SlackSimulator
) -> None:
    setup_triage(deps)
    long = "&<>" * 300  # escaped, each character becomes up to five
    for n in range(50):
        post(deps, MONDAY_10 + timedelta(seconds=n), text=f"Question {n} {long}")
    assert run(deps, client, clock, 31) == (50, 0)
    [message] = triage_posts(sim)
    assert len(message["blocks"]) <= MESSAGE_BLOCK_LIMIT
    texts = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    texts += [e["text"] for b in message["blocks"] if b["type"] == "context" for e in b["elements"]]
    assert all(len(t) <= SECTION_TEXT_LIMIT for t in texts)
    shown = json.dumps(message)
    assert "has 50 messages waiting" in shown and "and 20 more" in shown and "Question 29" in shown
    assert len(json.dumps(message)) < 40_000


def test_first_responses_against_the_target(deps: Deps, clock: FakeClock) -> None:
    setup_triage(deps)
    with deps.session_factory.begin() as session:
        settings_rows.of_workspace(session, team_id=TEAM, now=MONDAY_10).first_response_target_minutes = 15
    for minutes, answer_after in ((0, 10), (20, 14), (40, 30)):
        asked = post(deps, MONDAY_10 + timedelta(minutes=minutes))
        clock.now = MONDAY_10 + timedelta(minutes=minutes + answer_after)
        post(deps, clock.now, user="U0STEPH", external=False, thread=asked, text="Here to help")
    post(deps, MONDAY_10 + timedelta(minutes=100), text="Never answered")
    unanswered.queue_unanswered_alerts(deps, now=MONDAY_10 + timedelta(hours=3))

    def measured(minutes: int) -> tuple[ResponseTimes, list[ResponseTimes]]:
        with deps.session_factory.begin() as session:
            return first_responses.response_times(
                session,
                team_id=TEAM,
                since=MONDAY_10 - timedelta(days=1),
                until=MONDAY_10 + timedelta(days=1),
                now=MONDAY_10 + timedelta(minutes=minutes),
            )

    team, _ = measured(114)  # the unanswered one may still be answered within its 15 minutes: not judged yet
    assert (team.settled, team.answered, team.within_target) == (3, 3, 2)
    team, customers = measured(180)
    assert (team.settled, team.answered, team.within_target, team.target_minutes) == (4, 3, 2, 15)
    assert team.median == timedelta(minutes=14)
    [acme] = customers
    assert acme.name == "Acme Corp" and acme.within_target == 2


def _triage_id(deps: Deps) -> int:
    with deps.session_factory.begin() as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "triage")).one()
        return int(row.payload["triage_id"])


def test_two_alerts_of_one_customer_at_once_open_one_triage_message(deps: Deps, clock: FakeClock) -> None:
    """Two processes' alert jobs, each holding a different wait of the same customer, reach the triage message at
    the same moment: the unique constraint opens one, and the second transaction joins it."""
    setup_triage(deps)
    stamps = [post(deps, MONDAY_10), post(deps, MONDAY_10 + timedelta(minutes=1), text="Second")]
    with deps.session_factory.begin() as session:
        for wait in session.scalars(select(CustomerWait)):
            wait.state = "alerted"
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    now = MONDAY_10 + timedelta(minutes=31)

    def alert(message_ts: str, pause: float) -> None:
        try:
            barrier.wait(timeout=10)
            with deps.session_factory.begin() as session:
                wait = session.scalars(select(CustomerWait).where(CustomerWait.message_ts == message_ts)).one()
                triage.add_alerted_wait(session, wait, now=now)
                time.sleep(pause)  # the first holds its new row uncommitted while the second tries to open one
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=alert, args=(ts, pause)) for ts, pause in zip(stamps, (0.3, 0.0), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    with deps.session_factory.begin() as session:
        opened = session.scalars(select(TriageMessage)).all()
        posts = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "triage")).all()
        linked = {w.message_ts: w.triage_id for w in session.scalars(select(CustomerWait))}
    assert len(opened) == 1 and len(posts) == 1
    assert linked == {ts: opened[0].id for ts in stamps}
