"""Repeating follow-ups through the running app and the simulator, at a chosen time: created by `/followup` and by
the form, each occurrence reminded as a follow-up of its own, Done planning the next, Stop repeating (refused for
anyone but the owner, the creator or an admin), the rhythm on the Home tab and the customer card, and a downtime
of three periods sending only the latest missed occurrence."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.models import FollowUp, Recurrence
from bot.services import followups, outbox
from bot.slacksim import SlackSimulator
from tests.conftest import TEAM, FakeClock
from tests.e2e.clicks import button, click, polite_refusal
from tests.e2e.conftest import RunningApp, eventually, start_app

# Monday 23 November 2026, 09:00 in Berlin (Lee's zone).
MONDAY_9_BERLIN = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY_9_BERLIN)


@pytest.fixture
def app(sim: SlackSimulator, database_url: str, clock: FakeClock) -> Iterator[RunningApp]:
    """Rapport in HTTP mode, its clock at `clock`."""
    yield from start_app(sim, database_url, "http", clock=clock)


def _occurrences(app: RunningApp) -> list[FollowUp]:
    """Every occurrence of every rhythm, oldest first."""
    with app.runtime.deps.session_factory.begin() as session:
        rows = session.scalars(
            select(FollowUp).where(FollowUp.recurrence_id.is_not(None)).order_by(FollowUp.due_at, FollowUp.id)
        ).all()
        session.expunge_all()
        return list(rows)


def _recurrence(app: RunningApp) -> Recurrence:
    with app.runtime.deps.session_factory.begin() as session:
        row = session.scalars(select(Recurrence)).one()
        session.expunge(row)
        return row


def _run_jobs(app: RunningApp) -> None:
    """The reminder job and the sender, at the app's time (as the scheduler runs them)."""
    deps = app.runtime.deps
    followups.queue_reminders(deps, now=deps.clock())
    outbox.send_outbox(deps, client=app.runtime.client, now=deps.clock(), worker="e2e")


def _reminders(app: RunningApp, owner: str) -> list[dict[str, Any]]:
    """The reminder DMs the owner has, with the channel a click on them names."""
    found = [m for m in app.sim.dm_messages(owner) if "followup_done" in json.dumps(m)]
    channels = {c.response.get("ts"): c.response["channel"] for c in app.sim.calls_to("chat.postMessage")}
    return [{**m, "channel": channels[m["ts"]]} for m in found if m["ts"] in channels]


def _reminder_for(app: RunningApp, owner: str, followup_id: int) -> dict[str, Any]:
    _run_jobs(app)
    return eventually(
        lambda: next((m for m in _reminders(app, owner) if f'"followup_{followup_id}"' in json.dumps(m)), None)
    )


def _stop_button(message: dict[str, Any]) -> dict[str, Any]:
    for block in message["blocks"]:
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") == "followup_stop_repeating":
            return {**accessory, "block_id": block.get("block_id")}
    raise AssertionError(f"no Stop repeating on {json.dumps(message)[:400]}")


def _home(app: RunningApp, user: str, *, containing: str) -> dict[str, Any]:
    assert app.sim.send_event({"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}).status
    return eventually(lambda: (v := app.sim.home_view(user)) is not None and containing in json.dumps(v) and v)


@pytest.mark.usefixtures("no_errors_logged")
def test_every_2_weeks_by_command_reminds_each_occurrence_and_done_plans_the_next(
    app: RunningApp, clock: FakeClock
) -> None:
    app.command("add Acme Corp owner <@U0LEE|lee>")
    reply = app.command("Acme Corp every 2 weeks check in", command="/followup", user="U0LEE")
    text = json.dumps(reply)
    # The rule in words and the first due time (two weeks from today, at 09:00 Lee's time).
    assert "every 2 weeks on Monday at 09:00" in text
    assert "Monday 7 Dec at 09:00, your time" in text and "check in" in text
    [first] = _occurrences(app)
    assert first.due_at.replace(tzinfo=UTC) == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)

    # The customer card and the Home tab show the rhythm.
    card = json.dumps(app.command("Acme Corp", user="U0LEE"))
    assert "every 2 weeks on Monday, next Mon 7 Dec" in card
    _home(app, "U0LEE", containing="Repeats every 2 weeks on Monday, next Mon 7 Dec")
    assert ":repeat: every 2 weeks on Monday" in json.dumps(app.command("list", command="/followup", user="U0LEE"))

    # Nothing before it is due; at 09:00 on 7 December, its reminder, with Stop repeating.
    clock.advance(days=13)
    _run_jobs(app)
    assert _reminders(app, "U0LEE") == []
    clock.advance(days=1, minutes=1)
    reminder = _reminder_for(app, "U0LEE", first.id)
    shown = json.dumps(reminder)
    assert "Time to follow up" in shown and "Repeats every 2 weeks on Monday, next Mon 21 Dec" in shown
    assert _stop_button(reminder)["text"]["text"] == "Stop repeating"

    # Done plans the next occurrence, two weeks on, a follow-up of its own.
    assert click(app.sim, user="U0LEE", channel=reminder["channel"], message=reminder,
                 action=button(reminder, "followup_done")) == 200  # fmt: skip
    updated = eventually(
        lambda: next(
            (m for m in app.sim.dm_messages("U0LEE") if m["ts"] == reminder["ts"] and "Done" in json.dumps(m)), 0
        )
    )
    assert "the next one is planned" in json.dumps(updated)
    done, following = _occurrences(app)
    assert (done.id, done.state) == (first.id, "done")
    assert following.state == "open" and following.note == "check in"
    assert following.due_at.replace(tzinfo=UTC) == datetime(2026, 12, 21, 8, 0, tzinfo=UTC)
    assert following.owner_user_id == "U0LEE" and following.customer_id == first.customer_id

    # Cancel on an occurrence skips that one only: the one after is planned.
    clock.advance(days=14)
    second = _reminder_for(app, "U0LEE", following.id)
    menu = button(second, "followup_menu")
    [cancel] = [o for o in menu["options"] if o["value"].endswith(":cancel")]
    assert click(app.sim, user="U0LEE", channel=second["channel"], message=second,
                 action={**menu, "selected_option": cancel}) == 200  # fmt: skip
    eventually(lambda: len(_occurrences(app)) == 3)
    assert [o.state for o in _occurrences(app)] == ["done", "cancelled", "open"]
    assert _occurrences(app)[-1].due_at.replace(tzinfo=UTC) == datetime(2027, 1, 4, 8, 0, tzinfo=UTC)


@pytest.mark.usefixtures("no_errors_logged")
def test_stop_repeating_is_for_the_owner_creator_or_an_admin_and_the_last_one_plans_nothing(
    app: RunningApp, clock: FakeClock
) -> None:
    app.command("add Acme Corp owner <@U0LEE|lee>")
    app.command("Acme Corp every monday at 10am check the queue", command="/followup", user="U0LEE")
    [first] = _occurrences(app)
    assert first.due_at.replace(tzinfo=UTC) == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # today, 10:00 in Berlin
    clock.advance(hours=1, minutes=1)
    reminder = _reminder_for(app, "U0LEE", first.id)
    stop = _stop_button(reminder)

    # Kiri is neither its owner, its creator nor an admin: refused, nothing changes.
    assert click(app.sim, user="U0KIRI", channel=reminder["channel"], message=reminder, action=stop) == 200
    polite_refusal(app.sim, "U0KIRI", "isn't yours")
    assert _recurrence(app).stopped_at is None

    assert click(app.sim, user="U0LEE", channel=reminder["channel"], message=reminder, action=stop) == 200
    updated = eventually(
        lambda: next(
            (m for m in app.sim.dm_messages("U0LEE") if m["ts"] == reminder["ts"] and "Stopped" in json.dumps(m)), 0
        )
    )
    assert "This one is the last" in json.dumps(updated)
    assert "followup_stop_repeating" not in json.dumps(updated) and "followup_done" in json.dumps(updated)
    assert _recurrence(app).stopped_by == "U0LEE"

    # Done on the last one plans nothing, and no occurrence comes next Monday.
    assert click(app.sim, user="U0LEE", channel=reminder["channel"], message=updated,
                 action=button(updated, "followup_done")) == 200  # fmt: skip
    eventually(lambda: _occurrences(app)[0].state == "done")
    clock.advance(days=7)
    _run_jobs(app)
    assert [o.state for o in _occurrences(app)] == ["done"]
    assert "Repeating" not in json.dumps(app.command("Acme Corp", user="U0LEE"))


@pytest.mark.usefixtures("no_errors_logged")
def test_after_a_downtime_of_three_periods_only_the_latest_missed_occurrence_is_sent(
    app: RunningApp, clock: FakeClock
) -> None:
    app.command("add Acme Corp owner <@U0LEE|lee>")
    app.command("Acme Corp every monday at 10am check the queue", command="/followup", user="U0LEE")
    [first] = _occurrences(app)
    # The bot is down from now until Monday 14 December 10:30: the occurrences of 23 and 30 November and of
    # 7 December were missed, and the one of 14 December has come.
    clock.advance(days=21, hours=1, minutes=30)
    _run_jobs(app)
    eventually(lambda: _reminders(app, "U0LEE"))
    _run_jobs(app)  # and again: nothing more
    [reminder] = _reminders(app, "U0LEE")
    states = [(o.state, o.due_at.replace(tzinfo=UTC)) for o in _occurrences(app)]
    assert states == [
        ("cancelled", datetime(2026, 11, 23, 9, 0, tzinfo=UTC)),
        ("open", datetime(2026, 12, 14, 9, 0, tzinfo=UTC)),
    ]
    latest = _occurrences(app)[-1]
    assert f'"followup_{latest.id}"' in json.dumps(reminder) and f'"followup_{first.id}"' not in json.dumps(reminder)
    assert "Repeats every week on Monday, next Mon 21 Dec" in json.dumps(reminder)
    assert len(app.sim.dm_messages("U0LEE")) == 1  # one DM, not four


@pytest.mark.usefixtures("no_errors_logged")
def test_the_form_reads_a_rhythm_in_the_when_field_and_refuses_an_unclear_one(app: RunningApp) -> None:
    app.command("add Acme Corp owner <@U0LEE|lee>")
    before = len(app.sim.calls_to("views.open"))
    assert app.sim.slash_command("U0LEE", "C0SUPPORT", "/followup", "").status == 200
    opened = app.sim.wait_for_calls("views.open", before + 1)[-1].args["view"]
    form = opened if isinstance(opened, dict) else json.loads(opened)
    assert "every month on the 1st" in json.dumps(form)  # the When field's hint says it repeats

    def submit(when: str) -> dict[str, Any]:
        values = {
            "followup_owner": {"owner": {"type": "users_select", "selected_user": "U0LEE"}},
            "followup_customer": {"customer": {"type": "plain_text_input", "value": "Acme Corp"}},
            "followup_when": {"when": {"type": "plain_text_input", "value": when}},
            "followup_note": {"note": {"type": "plain_text_input", "value": "monthly check-in"}},
        }
        view = {**form, "id": "V0RECUR", "team_id": TEAM, "state": {"values": values}}
        result = app.sim.send_interactive({"type": "view_submission", "user": {"id": "U0LEE"}, "view": view})
        assert result.status == 200 and isinstance(result.body, dict)
        return result.body

    unclear = submit("every 2nd tuesday")
    assert unclear["response_action"] == "errors"
    assert "every other tuesday" in unclear["errors"]["followup_when"]
    assert _occurrences(app) == []

    created = submit("every month on the 1st")
    assert created["response_action"] == "update"
    shown = json.dumps(created["view"])
    assert "every month on the 1st at 09:00" in shown and "Tuesday 1 Dec at 09:00, your time" in shown
    [first] = _occurrences(app)
    assert first.due_at.replace(tzinfo=UTC) == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert first.note == "monthly check-in"
    rhythm = _recurrence(app)
    assert (rhythm.unit, rhythm.month_day, rhythm.tz) == ("month", 1, "Europe/Berlin")


@pytest.mark.usefixtures("no_errors_logged")
def test_an_unclear_rhythm_by_command_is_refused_with_an_example_and_nothing_is_created(app: RunningApp) -> None:
    app.command("add Acme Corp owner <@U0LEE|lee>")
    reply = json.dumps(app.command("Acme Corp every monday and thursday check in", command="/followup", user="U0LEE"))
    assert "make one per day" in reply and "/followup Acme every monday check in" in reply
    late = json.dumps(app.command("Acme Corp check in every 2 weeks", command="/followup", user="U0LEE"))
    assert "*every 2 weeks* repeats: put it first" in late and "/followup Acme every 2 weeks check in" in late
    assert _occurrences(app) == []
    assert followups.list_open(app.runtime.deps, team_id=TEAM, user_id="U0LEE") == []
