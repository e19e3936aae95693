"""*When* as people type it, through the running app at a chosen time: `/followup` and the follow-up form read it
with one parser and the workspace's date order, confirm it in the owner's words and zone, and refuse what they
cannot read whole, or what is past, creating nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.models import SettingsChange
from bot.services import followups
from bot.slacksim import SlackSimulator
from tests.conftest import TEAM, FakeClock
from tests.e2e.conftest import RunningApp, start_app
from tests.e2e.settings_form import open_settings, submit_settings

# Monday 23 November 2026, 09:00 in Berlin (Lee's zone), 03:00 in New York (Dana's).
MONDAY_9_BERLIN = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY_9_BERLIN)


@pytest.fixture
def app(sim: SlackSimulator, database_url: str, clock: FakeClock) -> Iterator[RunningApp]:
    """Rapport in HTTP mode, its clock at `clock`."""
    yield from start_app(sim, database_url, "http", clock=clock)


def _text(reply: dict[str, Any]) -> str:
    return json.dumps(reply, ensure_ascii=False)


def _open_form(app: RunningApp, *, user: str) -> dict[str, Any]:
    before = len(app.sim.calls_to("views.open"))
    assert app.sim.slash_command(user, "C0SUPPORT", "/followup", "").status == 200
    view = app.sim.wait_for_calls("views.open", before + 1)[-1].args["view"]
    return view if isinstance(view, dict) else json.loads(view)


def _submit_form(app: RunningApp, *, user: str, customer: str, when: str, note: str) -> dict[str, Any]:
    view = _open_form(app, user=user)
    values = {
        "followup_owner": {"owner": {"type": "users_select", "selected_user": user}},
        "followup_customer": {"customer": {"type": "plain_text_input", "value": customer or None}},
        "followup_when": {"when": {"type": "plain_text_input", "value": when or None}},
        "followup_note": {"note": {"type": "plain_text_input", "value": note or None}},
    }
    submitted = {**view, "id": "V0WHEN", "team_id": TEAM, "state": {"values": values}}
    payload = {"type": "view_submission", "user": {"id": user}, "team": {"id": TEAM}, "view": submitted}
    result = app.sim.send_interactive(payload)
    assert result.status == 200
    assert isinstance(result.body, dict)
    return result.body


def _open(app: RunningApp, user: str) -> list[datetime]:
    return [v.due_at for v in followups.list_open(app.runtime.deps, team_id=TEAM, user_id=user)]


@pytest.mark.usefixtures("no_errors_logged")
def test_the_command_confirms_the_due_time_in_the_owners_words_and_zone(app: RunningApp) -> None:
    app.command("add Acme Corp aka Acme owner <@U0LEE|lee>")
    mine = _text(app.command("Acme tomorrow at 3 call", command="/followup", user="U0LEE"))
    assert "I'll remind you Tuesday 24 Nov at 15:00, your time (I read “at 3” as 15:00), about *Acme Corp*" in mine
    assert "“call”" in mine
    assert _open(app, "U0LEE") == [datetime(2026, 11, 24, 14, 0, tzinfo=UTC)]  # 15:00 in Berlin

    # Dana, in New York, sets one for Lee: her own clock in the date token, Lee's day and time in words.
    theirs = _text(app.command("Acme friday at 5 send the contract", command="/followup", user="U0DANA"))
    friday_5pm_berlin = int(datetime(2026, 11, 27, 16, 0, tzinfo=UTC).timestamp())
    assert f"I'll remind <@U0LEE> <!date^{friday_5pm_berlin}^" in theirs
    assert "(Friday 27 Nov at 17:00 their time; I read “at 5” as 17:00), about *Acme Corp*" in theirs

    # The *when* can come last, as with /remind; the workspace default says when it is, with no assumption.
    last = _text(app.command("Acme call back about the drive in 2 hours", command="/followup", user="U0LEE"))
    assert "I'll remind you Monday 23 Nov at 11:00, your time, about *Acme Corp* — “call back about the drive”" in last
    default = _text(app.command("Acme check the invoice", command="/followup", user="U0LEE"))
    assert "I'll remind you Wednesday 25 Nov at 09:00, your time, about" in default


@pytest.mark.usefixtures("no_errors_logged")
def test_the_form_reads_the_when_like_the_command(app: RunningApp) -> None:
    app.command("add Acme Corp aka Acme owner <@U0LEE|lee>")
    app.command("Acme at 3 call from the command", command="/followup", user="U0LEE")
    done = _submit_form(app, user="U0LEE", customer="Acme", when="at 3", note="call from the form")
    assert done["response_action"] == "update"
    shown = _text(done["view"])
    assert "I'll remind you Monday 23 Nov at 15:00, your time (I read “at 3” as 15:00), about *Acme Corp*" in shown
    three_pm = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    assert _open(app, "U0LEE") == [three_pm, three_pm]


@pytest.mark.usefixtures("no_errors_logged")
def test_a_when_not_fully_understood_is_refused_with_a_suggestion(app: RunningApp) -> None:
    app.command("add Acme Corp aka Acme owner <@U0LEE|lee>")
    reply = app.command("Acme tomorrow 3ish call", command="/followup", user="U0LEE")
    shown = _text(reply)
    assert "I read *tomorrow* but not *3ish*" in shown and "Try `tomorrow at 3pm`" in shown
    assert "/followup Acme tomorrow at 3pm call back about the drive" in shown  # the example that works

    form = _submit_form(app, user="U0LEE", customer="Acme", when="tomorrow 3ish", note="call")
    assert form["response_action"] == "errors" and list(form["errors"]) == ["followup_when"]
    error = form["errors"]["followup_when"]  # Slack shows it as plain text: no mrkdwn marks, no slash command
    assert error == "I read “tomorrow” but not “3ish”, which is not one time. Try “tomorrow at 3pm”."

    half = _submit_form(app, user="U0LEE", customer="Acme", when="call friday", note="")
    assert half["errors"]["followup_when"].startswith("I can't read “call friday” as one time. For example: ")
    assert "*" not in half["errors"]["followup_when"] and "`" not in half["errors"]["followup_when"]
    assert _open(app, "U0LEE") == []  # nothing created, and nothing folded into a note


@pytest.mark.usefixtures("no_errors_logged")
def test_a_past_time_is_refused_naming_the_time_it_meant(app: RunningApp, clock: FakeClock) -> None:
    app.command("add Acme Corp aka Acme owner <@U0LEE|lee>")
    clock.advance(hours=6)  # 15:00 in Berlin
    shown = _text(app.command("Acme today at 9 call", command="/followup", user="U0LEE"))
    assert "*today at 9* means Monday 23 Nov at 09:00, which is already past (Monday 15:00 where you are)" in shown
    assert "Did you mean `today at 9pm`?" in shown

    form = _submit_form(app, user="U0LEE", customer="Acme", when="2026-11-20", note="call")
    assert form["errors"]["followup_when"] == (
        "“2026-11-20” means Friday 20 Nov at 09:00, which is already past (Monday 15:00 where you are). "
        "Pick a time still ahead. For example: " + followups.WHEN_HINT
    )
    assert _open(app, "U0LEE") == []


@pytest.mark.usefixtures("no_errors_logged")
def test_numeric_dates_follow_the_workspace_setting(app: RunningApp) -> None:
    app.command("add Acme Corp aka Acme owner <@U0LEE|lee>")
    march = _text(app.command("Acme 3/4 renewal call", command="/followup", user="U0LEE"))
    assert "I'll remind you Thursday 4 Mar 2027 at 09:00, your time (I read “3/4” as month/day)" in march
    assert "numeric dates are month/day" in _text(app.command("help", command="/followup"))

    view = open_settings(app.sim)
    [order] = [b for b in view["blocks"] if b.get("block_id") == "date_order"]
    assert order["element"]["initial_option"]["value"] == "MDY"
    saved = submit_settings(app.sim, view, date_order="DMY")
    assert saved["response_action"] == "update", saved
    assert "*Numeric dates*: month/day → day/month" in _text(saved["view"])
    with app.runtime.deps.session_factory.begin() as session:
        audit = session.scalars(select(SettingsChange).where(SettingsChange.setting == "date_order")).one()
        assert (audit.old_value, audit.new_value, audit.user_id) == ("month/day", "day/month", "U0DANA")
    again = open_settings(app.sim)
    [order] = [b for b in again["blocks"] if b.get("block_id") == "date_order"]
    assert order["element"]["initial_option"]["value"] == "DMY"
    assert "Nothing changed" in _text(submit_settings(app.sim, again)["view"])

    april = _text(app.command("Acme 3/4 renewal call", command="/followup", user="U0LEE"))
    assert "I'll remind you Saturday 3 Apr 2027 at 09:00, your time (I read “3/4” as day/month)" in april
    form = _submit_form(app, user="U0LEE", customer="Acme", when="3/4 at 10am", note="renewal")
    assert "Saturday 3 Apr 2027 at 10:00, your time" in _text(form["view"])
    iso = _text(app.command("Acme 2027-03-04 renewal call", command="/followup", user="U0LEE"))
    assert "Thursday 4 Mar 2027 at 09:00, your time" in iso  # ISO dates read the same in every workspace
    assert "numeric dates are day/month" in _text(app.command("help", command="/followup"))
    assert _open(app, "U0LEE") == [
        datetime(2027, 3, 4, 8, 0, tzinfo=UTC),
        datetime(2027, 3, 4, 8, 0, tzinfo=UTC),
        datetime(2027, 4, 3, 7, 0, tzinfo=UTC),
        datetime(2027, 4, 3, 8, 0, tzinfo=UTC),
    ]


@pytest.mark.usefixtures("no_errors_logged")
def test_an_unreadable_date_order_is_refused_in_the_settings_modal(app: RunningApp) -> None:
    answer = submit_settings(app.sim, open_settings(app.sim), date_order="YMD")
    assert answer["response_action"] == "errors" and answer["errors"] == {"date_order": "Pick month/day or day/month."}
