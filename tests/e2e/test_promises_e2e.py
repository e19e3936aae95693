"""Promise offers end to end: a teammate's promise with a time ("I'll call Acme back tomorrow at 3pm") is offered to
its author alone (chat.postEphemeral through the outbox), and becomes a follow-up in one click.

Each message goes through the real app over signed HTTP, the offer through the outbox to the simulator, each click
as Slack delivers it. An offer is decided before the event is acknowledged, so absence is checked in the
promise_offers table once the event is delivered, not by waiting. The clock is a FakeClock: Monday 23 November
2026, 09:00 in Berlin (Lee's zone).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import build_runtime
from bot.blocks import promises as promise_blocks
from bot.db.models import Customer, FollowUp, PromiseOffer
from bot.slacksim import SlackSimulator
from bot.transports import HttpServer
from tests.conftest import TEAM, FakeClock
from tests.e2e.clicks import answers_to, button, click
from tests.e2e.conftest import RunningApp, eventually, settings_for
from tests.e2e.settings_form import open_settings, submit_settings

MONDAY_9_BERLIN = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
TUESDAY_15_BERLIN = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
PROMISE = "Thanks for your patience! I'll call Acme back tomorrow at 3pm with the new quote."
BOB = "W0EXTBOB"  # Bob Customer, of Acme's own Slack team, in the shared channel C0ACME


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY_9_BERLIN)


@pytest.fixture
def app(sim: SlackSimulator, database_url: str, clock: FakeClock) -> Iterator[RunningApp]:
    """Rapport in HTTP mode, its clock at `clock`, with Acme Corp (owned by Lee) in the directory."""
    for channel in ("C0SUPPORT", "C0RANDOM", "C0ACME"):
        sim.set_bot_member(channel)
    runtime = build_runtime(settings_for(sim, database_url, socket_mode=False), clock=clock)
    runtime.start_jobs()
    server = HttpServer(runtime, host="127.0.0.1", port=0)
    server.start_in_thread()
    sim.deliver_http_to(f"{server.url}/slack/events")
    running = RunningApp(runtime=runtime, sim=sim, transport="http", url=server.url)
    try:
        running.command("add Acme Corp aka Acme owner <@U0LEE|lee>")
        yield running
    finally:
        server.close()
        runtime.close()


def _post(app: RunningApp, user: str, text: str, *, channel: str = "C0SUPPORT", thread_ts: str | None = None) -> str:
    ts, delivery = app.sim.post_message(user, channel, text, thread_ts=thread_ts)
    assert delivery.status == 200, delivery
    # Offers are made after the acknowledgement: wait for that work, so that "no offer" means none was made.
    eventually(lambda: app.runtime.deps.after_ack.pending == 0)
    return ts


def _offers(app: RunningApp) -> list[PromiseOffer]:
    with app.runtime.deps.session_factory.begin() as session:
        rows = list(session.scalars(select(PromiseOffer).order_by(PromiseOffer.id)))
        session.expunge_all()
        return rows


def _followups(app: RunningApp) -> list[FollowUp]:
    with app.runtime.deps.session_factory.begin() as session:
        rows = list(session.scalars(select(FollowUp).order_by(FollowUp.id)))
        session.expunge_all()
        return rows


def _offer_shown(app: RunningApp, user: str, count: int = 1) -> dict[str, Any]:
    """The latest offer `user` sees, once `count` offers reached them."""
    found = eventually(
        lambda: [e for e in app.sim.ephemerals(user=user) if promise_blocks.PROMISE_ACCEPT_ACTION in json.dumps(e)][
            count - 1 :
        ]
    )
    return found[0]


def _click(app: RunningApp, user: str, offer: dict[str, Any], action_id: str) -> None:
    status = click(
        app.sim,
        user=user,
        channel=offer["channel"],
        message=offer,
        action=button(offer, action_id),
        ephemeral=True,
    )
    assert status == 200


@pytest.mark.usefixtures("no_errors_logged")
def test_a_promise_is_offered_to_its_author_alone_and_remind_me_creates_one_followup(app: RunningApp) -> None:
    sim = app.sim
    ts = _post(app, "U0LEE", PROMISE)
    offer = _offer_shown(app, "U0LEE")
    shown = json.dumps(offer, ensure_ascii=False)
    # Who, the customer, when in Lee's own zone, and the promise as the note; three buttons.
    assert offer["channel"] == "C0SUPPORT" and "thread_ts" not in offer
    assert "*Who:* you" in shown and "Acme Corp" in shown and "Tuesday 24 Nov at 15:00, your time" in shown
    assert "I'll call Acme back tomorrow at 3pm with the new quote" in shown
    buttons = [e["text"]["text"] for b in offer["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["Remind me", "Change…", "Not this time"]
    assert "Only you can see this" in shown and "/rapport promises off" in shown
    # To Lee alone, through chat.postEphemeral; nothing posted where others could see it; nothing created yet.
    assert [c.args["user"] for c in sim.calls_to("chat.postEphemeral")] == ["U0LEE"]
    assert sim.ephemerals(user="U0DANA") == [] and sim.ephemerals(user="U0STEPH") == []
    assert not any("new quote" in json.dumps(m) for m in sim.messages("C0SUPPORT") if m.get("bot_id"))
    assert _followups(app) == []

    # Remind me, clicked twice (a double click): one follow-up, due at the promised time, about Acme, linked back.
    _click(app, "U0LEE", offer, promise_blocks.PROMISE_ACCEPT_ACTION)
    _click(app, "U0LEE", offer, promise_blocks.PROMISE_ACCEPT_ACTION)
    [followup] = _followups(app)
    assert (followup.owner_user_id, followup.created_by, followup.state) == ("U0LEE", "U0LEE", "open")
    assert followup.due_at == TUESDAY_15_BERLIN
    assert (followup.source_channel_id, followup.source_ts) == ("C0SUPPORT", ts)
    assert followup.note == "I'll call Acme back tomorrow at 3pm with the new quote"  # the promise's sentence
    with app.runtime.deps.session_factory.begin() as session:
        assert followup.customer_id == session.scalar(select(Customer.id).where(Customer.name == "Acme Corp"))
    # The offer was replaced (through its response_url) by the confirmation; the second click changed nothing.
    [first, second] = eventually(lambda: (found := answers_to(sim, "U0LEE")) and len(found) >= 2 and found)
    assert first["replace_original"] is True and "I'll remind you" in json.dumps(first, ensure_ascii=False)
    assert "Tuesday 24 Nov at 15:00" in json.dumps(first, ensure_ascii=False)
    assert "already taken care of" in json.dumps(second)
    [row] = _offers(app)
    assert (row.state, row.followup_id, row.note) == ("accepted", followup.id, "")


@pytest.mark.usefixtures("no_errors_logged")
def test_change_opens_the_prefilled_form_and_saving_it_answers_the_offer(app: RunningApp) -> None:
    sim = app.sim
    _post(app, "U0LEE", "let me check with billing and follow up next week")
    offer = _offer_shown(app, "U0LEE")
    assert "Monday 30 Nov at 09:00, your time" in json.dumps(offer)
    _click(app, "U0LEE", offer, promise_blocks.PROMISE_CHANGE_ACTION)
    [opened] = sim.wait_for_calls("views.open", 1)
    view = opened.args["view"] if isinstance(opened.args["view"], dict) else json.loads(opened.args["view"])
    elements = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert elements["followup_owner"]["initial_user"] == "U0LEE"
    assert elements["followup_customer"].get("initial_value") is None  # no customer named, none linked
    assert elements["followup_when"]["initial_value"] == "next week"
    assert elements["followup_note"]["initial_value"] == "let me check with billing and follow up next week"
    assert _followups(app) == []

    # Lee changes the time and saves: one follow-up, at the time chosen; Remind me afterwards adds nothing.
    values = {
        "followup_owner": {"owner": {"type": "users_select", "selected_user": "U0LEE"}},
        "followup_customer": {"customer": {"type": "plain_text_input", "value": "Acme"}},
        "followup_when": {"when": {"type": "plain_text_input", "value": "wednesday at 11am"}},
        "followup_note": {"note": {"type": "plain_text_input", "value": "billing answer for Acme"}},
    }
    submitted = {**view, "id": "V0PROMISE", "team_id": TEAM, "state": {"values": values}}
    result = sim.send_interactive(
        {"type": "view_submission", "user": {"id": "U0LEE"}, "team": {"id": TEAM}, "view": submitted}
    )
    assert result.status == 200 and "Wednesday 25 Nov at 11:00" in json.dumps(result.body)
    _click(app, "U0LEE", offer, promise_blocks.PROMISE_ACCEPT_ACTION)
    assert "already taken care of" in json.dumps(eventually(lambda: answers_to(sim, "U0LEE"))[-1])
    [followup] = _followups(app)
    assert followup.note == "billing answer for Acme" and followup.due_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    [row] = _offers(app)
    assert (row.state, row.followup_id) == ("changed", followup.id)


@pytest.mark.usefixtures("no_errors_logged")
def test_not_this_time_dismisses_and_forgets_the_words(app: RunningApp) -> None:
    ts = _post(app, "U0LEE", "root", channel="C0SUPPORT")
    _post(app, "U0LEE", "will send the invoice on Monday", thread_ts=ts)
    offer = _offer_shown(app, "U0LEE")
    assert offer["thread_ts"] == ts  # in the thread the promise was made in
    _click(app, "U0LEE", offer, promise_blocks.PROMISE_DISMISS_ACTION)
    answer = eventually(lambda: answers_to(app.sim, "U0LEE"))[-1]
    assert answer["replace_original"] is True and "no reminder for this one" in json.dumps(answer)
    assert _followups(app) == []
    [row] = _offers(app)
    assert (row.state, row.note, row.followup_id) == ("dismissed", "", None)


@pytest.mark.usefixtures("no_errors_logged")
def test_no_offer_for_customers_bots_non_promises_questions_or_quotes(app: RunningApp) -> None:
    app.sim.add_bot_to_channel("C0ACME", inviter="U0DANA")
    assert "linked to *Acme Corp*" in json.dumps(app.command("link Acme Corp", channel="C0ACME"))
    _post(app, BOB, "I'll call you back tomorrow at 3pm", channel="C0ACME")  # the customer promises
    app.sim.post_message("U0OTHERBOT", "C0SUPPORT", "I'll ping you in 2 hours", bot_id="B0OTHER")
    for text in (
        "I'll be back tomorrow",
        "we'll see",
        "I'll be out Friday",
        "customer said they'll pay by Friday",
        "will you call Acme tomorrow?",
        "I'll call you back",  # a promise, but no time
        "> I'll call you tomorrow at 10",
        'Bob wrote: "I\'ll send the PO on Monday"',
    ):
        _post(app, "U0STEPH", text)
    assert _offers(app) == []
    # A teammate's promise in the linked channel: the customer is the channel's.
    _post(app, "U0STEPH", "I'll get back to you by Friday", channel="C0ACME")
    offer = _offer_shown(app, "U0STEPH")
    assert "Acme Corp" in json.dumps(offer) and offer["channel"] == "C0ACME"
    assert [o.user_id for o in _offers(app)] == ["U0STEPH"]


@pytest.mark.usefixtures("no_errors_logged")
def test_the_personal_and_workspace_switches(app: RunningApp) -> None:
    answer = json.dumps(app.command("promises off", command="/rapport", user="U0LEE"))
    assert "won't offer" in answer
    _post(app, "U0LEE", "I'll ping you in 2 hours")
    assert _offers(app) == []
    bad = json.dumps(app.command("promises maybe", command="/rapport", user="U0LEE"))
    assert "/rapport promises off" in bad and "is not on or off" in bad
    # The Home tab shows the switch, off; its button turns offers back on.
    home = eventually(
        lambda: (view := app.sim.home_view("U0LEE")) and "Turn my promise offers on" in json.dumps(view) and view
    )
    assert "Your promise offers" in json.dumps(home)
    toggle = button({"blocks": home["blocks"]}, promise_blocks.PROMISES_TOGGLE_ACTION)
    payload = {
        "type": "block_actions",
        "user": {"id": "U0LEE"},
        "container": {"type": "view", "view_id": "V0HOME"},
        "view": {**home, "id": "V0HOME"},
        "actions": [toggle],
    }
    assert app.sim.send_interactive(payload).status == 200
    eventually(lambda: "Turn my promise offers off" in json.dumps(app.sim.home_view("U0LEE")))
    _post(app, "U0LEE", "I'll ping you in 2 hours")
    assert len(_offers(app)) == 1
    assert "offer you a follow-up" in json.dumps(app.command("promises on", command="/rapport", user="U0LEE"))

    # An admin turns offers off for the workspace in the settings form: nobody gets one, and the change is logged.
    view = open_settings(app.sim)
    saved = json.dumps(submit_settings(app.sim, view, promise_offers="off")["view"], ensure_ascii=False)
    assert "Promise offers*: on → off" in saved
    _post(app, "U0STEPH", "I'll ping you in 2 hours")
    assert len(_offers(app)) == 1
    assert "turned them off for the workspace" in json.dumps(
        app.command("promises on", command="/rapport", user="U0STEPH")
    )


@pytest.mark.usefixtures("no_errors_logged")
def test_at_most_three_offers_a_day_and_one_per_message(app: RunningApp, clock: FakeClock) -> None:
    texts = (
        "I'll send the invoice on Monday",
        "I'll ping you in 2 hours",
        "I'll email you the report tomorrow",
        "I'll call you back on Friday",
    )
    for text in texts:
        _post(app, "U0LEE", f"{text}. Also, I'll confirm by Thursday.")
    assert len(_offers(app)) == 3  # the fourth is over the daily cap; one offer per message despite two promises
    _offer_shown(app, "U0LEE", count=3)
    clock.advance(hours=24)
    _post(app, "U0LEE", "I'll call you back on Friday")
    assert len(_offers(app)) == 4


@pytest.mark.usefixtures("no_errors_logged")
def test_no_offer_when_an_open_followup_for_the_customer_is_due_within_a_day(app: RunningApp) -> None:
    reply = json.dumps(app.command("Acme tomorrow at 10am call about the quote", command="/followup", user="U0LEE"))
    assert "Acme Corp" in reply
    _post(app, "U0LEE", "I'll call Acme back tomorrow at 3pm")  # five hours from that follow-up
    assert _offers(app) == []
    _post(app, "U0LEE", "I'll call Acme back in 2 weeks")  # the open follow-up is far from then
    [row] = _offers(app)
    assert row.due_at - TUESDAY_15_BERLIN > timedelta(days=1)


@pytest.mark.usefixtures("no_errors_logged")
def test_a_numeric_date_in_a_promise_is_read_in_the_workspaces_date_order(app: RunningApp) -> None:
    _post(app, "U0LEE", "I'll send Acme the contract on 3/4 at 10am")  # month/day, the default: 4 March
    [march] = _offers(app)
    assert march.due_at.replace(tzinfo=UTC) == datetime(2027, 3, 4, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
    submit_settings(app.sim, open_settings(app.sim), date_order="DMY")
    _post(app, "U0LEE", "I'll send Acme the NDA on 3/4 at 10am")  # now day/month: 3 April, in summer time
    _post(app, "U0LEE", "I'll send Acme the quote on 25/12 at 10am")  # a date only the day/month order reads
    [_, april, christmas] = _offers(app)
    assert april.due_at.replace(tzinfo=UTC) == datetime(2027, 4, 3, 8, 0, tzinfo=UTC)
    assert christmas.due_at.replace(tzinfo=UTC) == datetime(2026, 12, 25, 9, 0, tzinfo=UTC)
