"""Steering a follow-up through the running app and the simulator, at a chosen time: snooze presets and Pick a
time… (read in the owner's zone), Edit (the follow-up form, prefilled, saving to the same follow-up), Cancel (kept
as cancelled, its reminder updated in place, never counted as done), each for the owner, the creator or an admin
and refused for anyone else; `/followup list` filters; the Home tab's buttons and menus."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.db.models import FollowUp
from bot.db.queries import settings as settings_rows
from bot.services import followups, outbox
from bot.services.digest import queue_weekly_digest
from bot.slacksim import SlackSimulator
from tests.conftest import TEAM, FakeClock
from tests.e2e.clicks import answers_to, polite_refusal
from tests.e2e.conftest import RunningApp, eventually, start_app

# Monday 23 November 2026, 09:00 in Berlin (Lee's zone), 03:00 in New York (Dana's, an admin).
MONDAY_9_BERLIN = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
STORIES_CHANNEL = "C0RANDOM"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY_9_BERLIN)


@pytest.fixture
def app(sim: SlackSimulator, database_url: str, clock: FakeClock) -> Iterator[RunningApp]:
    """Rapport in HTTP mode, its clock at `clock`."""
    yield from start_app(sim, database_url, "http", clock=clock)


# --- helpers ----------------------------------------------------------------------------------------------------


def _row(app: RunningApp, followup_id: int) -> FollowUp:
    with app.runtime.deps.session_factory.begin() as session:
        row = session.get_one(FollowUp, followup_id)
        session.expunge(row)
        return row


def _only_open(app: RunningApp, owner: str) -> int:
    [view] = followups.list_open(app.runtime.deps, team_id=TEAM, user_id=owner)
    return view.id


def _reminder(app: RunningApp, owner: str, followup_id: int) -> dict[str, Any]:
    """Run the reminder job at the app's time and wait for the DM, as Slack shows it."""
    deps = app.runtime.deps
    followups.queue_reminders(deps, now=deps.clock())
    outbox.send_outbox(deps, client=app.runtime.client, now=deps.clock(), worker="e2e")
    message = eventually(
        lambda: next(
            (m for m in app.sim.dm_messages(owner) if f'"followup_{followup_id}"' in json.dumps(m)),
            None,
        )
    )
    [channel] = {
        c.response["channel"] for c in app.sim.calls_to("chat.postMessage") if c.response.get("ts") == message["ts"]
    }
    return {**message, "channel": channel}


def _element(blocks: list[dict[str, Any]], action_id: str, block_id: str | None = None) -> dict[str, Any]:
    """The element with this action id (in an actions block or as a section's accessory), with its block id."""
    for block in blocks:
        if block_id is not None and block.get("block_id") != block_id:
            continue
        elements = list(block.get("elements") or []) + ([block["accessory"]] if "accessory" in block else [])
        for element in elements:
            if element.get("action_id") == action_id:
                return {**element, "block_id": block.get("block_id")}
    raise AssertionError(f"no {action_id} in {json.dumps(blocks)[:400]}")


def _choose(element: dict[str, Any], value_suffix: str) -> dict[str, Any]:
    """The element as clicked with the option whose value ends with `value_suffix` selected."""
    [option] = [o for o in element["options"] if o["value"].endswith(f":{value_suffix}")]
    return {**element, "selected_option": option}


def _click_message(
    app: RunningApp, user: str, message: dict[str, Any], action: dict[str, Any], channel: str, ephemeral: bool = False
) -> None:
    container = {
        "type": "message",
        "message_ts": message.get("ts", "1700000000.000100"),
        "channel_id": channel,
        "is_ephemeral": ephemeral,
    }
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "channel": {"id": channel},
        "container": container,
        "message": message,
        "actions": [action],
    }
    assert app.sim.send_interactive(payload).status == 200


def _click_reminder(app: RunningApp, user: str, reminder: dict[str, Any], action: dict[str, Any]) -> None:
    _click_message(app, user, reminder, action, channel=str(reminder["channel"]))


def _click_home(app: RunningApp, user: str, home: dict[str, Any], action: dict[str, Any]) -> None:
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "container": {"type": "view", "view_id": home["id"]},
        "view": {"id": home["id"], "type": "home"},
        "actions": [action],
    }
    assert app.sim.send_interactive(payload).status == 200


def _listing(app: RunningApp, user: str, text: str = "") -> dict[str, Any]:
    return app.command(f"list {text}".strip(), command="/followup", user=user)


def _click_list(app: RunningApp, user: str, listing: dict[str, Any], followup_id: int, verb: str) -> None:
    menu = _element(listing["blocks"], "followup_menu", block_id=f"list_followup_{followup_id}")
    message = {"type": "message", "text": listing.get("text", ""), "blocks": listing["blocks"]}
    _click_message(app, user, message, _choose(menu, verb), channel="C0SUPPORT", ephemeral=True)


def _opened_view(app: RunningApp, before: int) -> dict[str, Any]:
    view = app.sim.wait_for_calls("views.open", before + 1)[-1].args["view"]
    return view if isinstance(view, dict) else json.loads(view)


def _submit(app: RunningApp, view: dict[str, Any], *, user: str, values: dict[str, Any]) -> dict[str, Any]:
    submitted = {**view, "id": view.get("id") or "V0STEER", "team_id": TEAM, "state": {"values": values}}
    result = app.sim.send_interactive({"type": "view_submission", "user": {"id": user}, "view": submitted})
    assert result.status == 200
    assert isinstance(result.body, dict)
    return result.body


def _form_values(*, owner: str, customer: str, when: str, note: str) -> dict[str, Any]:
    return {
        "followup_owner": {"owner": {"type": "users_select", "selected_user": owner}},
        "followup_customer": {"customer": {"type": "plain_text_input", "value": customer or None}},
        "followup_when": {"when": {"type": "plain_text_input", "value": when or None}},
        "followup_note": {"note": {"type": "plain_text_input", "value": note or None}},
    }


def _picked(day: str, at: str) -> dict[str, Any]:
    return {
        "pick_date": {"day": {"type": "datepicker", "selected_date": day}},
        "pick_time": {"when": {"type": "timepicker", "selected_time": at, "timezone": "Europe/Berlin"}},
    }


def _home(app: RunningApp, user: str, *, containing: str) -> dict[str, Any]:
    assert app.sim.send_event({"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}).status
    return eventually(lambda: (v := app.sim.home_view(user)) is not None and containing in json.dumps(v) and v)


# --- snoozing ---------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_errors_logged")
def test_each_snooze_preset_and_a_picked_time_land_in_the_owners_zone(app: RunningApp, clock: FakeClock) -> None:
    app.command("add Acme Corp owner <@U0LEE|lee>")
    app.command("Acme Corp in 10 minutes call back about the drive", command="/followup", user="U0LEE")
    followup_id = _only_open(app, "U0LEE")
    clock.advance(minutes=11)  # Monday 09:11 in Berlin
    reminder = _reminder(app, "U0LEE", followup_id)
    snooze = _element(reminder["blocks"], "followup_snooze")
    labels = [o["text"]["text"] for o in snooze["options"]]
    assert labels == ["20 minutes", "1 hour", "3 hours", "Tomorrow", "Next week", "Pick a time…"]

    now = clock()
    expected = {
        "20m": now + timedelta(minutes=20),
        "1h": now + timedelta(hours=1),
        "3h": now + timedelta(hours=3),
        "tomorrow": datetime(2026, 11, 24, 8, 0, tzinfo=UTC),  # Tuesday 09:00 in Berlin
        "next_week": datetime(2026, 11, 30, 8, 0, tzinfo=UTC),  # Monday 30 Nov 09:00 in Berlin
    }
    for preset, due in expected.items():
        _click_reminder(app, "U0LEE", reminder, _choose(snooze, preset))
        assert _row(app, followup_id).due_at.replace(tzinfo=UTC) == due, preset
        [updated] = [m for m in app.sim.dm_messages("U0LEE") if m["ts"] == reminder["ts"]]
        assert "Snoozed until" in json.dumps(updated) and f"<!date^{int(due.timestamp())}^" in json.dumps(updated)

    # Pick a time…, by Dana (an admin, in New York): the form reads the day and time on Lee's clock.
    before = len(app.sim.calls_to("views.open"))
    _click_reminder(app, "U0DANA", reminder, _choose(snooze, "pick"))
    form = _opened_view(app, before)
    fields = {b.get("block_id"): b for b in form["blocks"]}
    assert fields["pick_date"]["element"] == {"type": "datepicker", "action_id": "day", "initial_date": "2026-11-24"}
    assert fields["pick_time"]["element"]["type"] == "timepicker"
    assert fields["pick_time"]["element"]["timezone"] == "Europe/Berlin"

    past = _submit(app, form, user="U0DANA", values=_picked("2026-11-23", "08:30"))
    assert past["response_action"] == "errors" and "already past" in past["errors"]["pick_time"]
    assert _row(app, followup_id).due_at.replace(tzinfo=UTC) == expected["next_week"]  # nothing changed

    done = _submit(app, form, user="U0DANA", values=_picked("2026-11-26", "14:30"))
    assert done["response_action"] == "update" and "Snoozed until" in json.dumps(done["view"])
    picked = datetime(2026, 11, 26, 13, 30, tzinfo=UTC)
    assert _row(app, followup_id).due_at.replace(tzinfo=UTC) == picked
    eventually(lambda: f"<!date^{int(picked.timestamp())}^" in json.dumps(_dm(app, "U0LEE", reminder["ts"])))

    # Edit… from the same reminder: saved to the follow-up, and the reminder says what it is about now.
    _click_reminder(app, "U0LEE", reminder, _choose(_element(reminder["blocks"], "followup_menu"), "edit"))
    form = _opened_view(app, before + 1)
    when = next(b for b in form["blocks"] if b.get("block_id") == "followup_when")
    assert when["element"]["initial_value"] == "2026-11-26 at 14:30"  # on Lee's clock
    values = _form_values(owner="U0LEE", customer="Acme Corp", when="2026-11-26 at 14:30", note="bring the new drive")
    assert _submit(app, form, user="U0LEE", values=values)["response_action"] == "update"
    assert _row(app, followup_id).due_at.replace(tzinfo=UTC) == picked
    eventually(lambda: "Edited" in json.dumps(_dm(app, "U0LEE", reminder["ts"])))
    assert "bring the new drive" in json.dumps(_dm(app, "U0LEE", reminder["ts"]))


def _dm(app: RunningApp, user: str, ts: str) -> dict[str, Any]:
    [message] = [m for m in app.sim.dm_messages(user) if m["ts"] == ts]
    return message


@pytest.mark.usefixtures("no_errors_logged")
def test_snoozing_someone_elses_follow_up_is_refused_and_changes_nothing(app: RunningApp, clock: FakeClock) -> None:
    app.command("add Acme Corp owner <@U0LEE|lee>")
    app.command("Acme Corp in 10 minutes call back", command="/followup", user="U0LEE")
    followup_id = _only_open(app, "U0LEE")
    clock.advance(minutes=11)
    reminder = _reminder(app, "U0LEE", followup_id)
    due = _row(app, followup_id).due_at
    snooze = _element(reminder["blocks"], "followup_snooze")
    before = len(app.sim.calls_to("views.open"))
    _click_reminder(app, "U0KIRI", reminder, _choose(snooze, "3h"))
    polite_refusal(app.sim, "U0KIRI", "isn't yours")
    _click_reminder(app, "U0KIRI", reminder, _choose(snooze, "pick"))
    assert len(polite_refusal_bodies(app, "U0KIRI")) == 2
    assert len(app.sim.calls_to("views.open")) == before  # no form for someone else's follow-up
    assert _row(app, followup_id).due_at == due


def polite_refusal_bodies(app: RunningApp, user: str) -> list[dict[str, Any]]:
    return eventually(lambda: [b for b in answers_to(app.sim, user) if "isn't yours" in json.dumps(b)])


# --- cancel -----------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_errors_logged")
def test_cancel_by_owner_creator_or_admin_and_refused_for_anyone_else(app: RunningApp, clock: FakeClock) -> None:
    app.command("add Acme Corp owner <@U0LEE|lee>")
    for note in ("first", "second", "third"):  # Steph asks Lee to follow up
        app.command(f"<@U0LEE|lee> Acme Corp tomorrow {note} call", command="/followup", user="U0STEPH")
    ids = [v.id for v in followups.list_open(app.runtime.deps, team_id=TEAM, user_id="U0LEE")]
    assert len(ids) == 3

    # Kiri (neither owner, creator nor admin) sees Lee's list but cannot cancel from it.
    _click_list(app, "U0KIRI", _listing(app, "U0KIRI", "<@U0LEE|lee>"), ids[0], "cancel")
    polite_refusal(app.sim, "U0KIRI", "isn't yours")
    assert _row(app, ids[0]).state == "open"

    clock.advance(minutes=5)
    _click_list(app, "U0LEE", _listing(app, "U0LEE"), ids[0], "cancel")  # the owner
    clock.advance(minutes=5)
    _click_list(app, "U0STEPH", _listing(app, "U0STEPH", "<@U0LEE|lee>"), ids[1], "cancel")  # the creator
    clock.advance(minutes=5)
    _click_list(app, "U0DANA", _listing(app, "U0DANA", "Acme"), ids[2], "cancel")  # an admin
    for followup_id, who, minutes in zip(ids, ("U0LEE", "U0STEPH", "U0DANA"), (5, 10, 15), strict=True):
        row = _row(app, followup_id)
        assert (row.state, row.closed_by) == ("cancelled", who)  # kept, with who and when
        assert row.closed_at is not None
        assert row.closed_at.replace(tzinfo=UTC) == MONDAY_9_BERLIN + timedelta(minutes=minutes)
    said = eventually(lambda: [b for b in answers_to(app.sim, "U0STEPH") if "Cancelled by" in json.dumps(b)])
    assert said[-1]["response_type"] == "ephemeral" and said[-1]["replace_original"] is False
    assert "You have no open follow-ups" in json.dumps(_listing(app, "U0LEE"))


@pytest.mark.usefixtures("no_errors_logged")
def test_a_cancelled_follow_up_updates_its_reminder_and_is_never_reminded_or_counted(
    app: RunningApp, clock: FakeClock
) -> None:
    deps = app.runtime.deps
    assert app.sim.add_bot_to_channel(STORIES_CHANNEL, inviter="U0OWNER").status == 200
    with deps.session_factory.begin() as session:
        settings_rows.of_workspace(session, team_id=TEAM, now=deps.clock()).stories_channel = STORIES_CHANNEL
    app.command("add Acme Corp owner <@U0LEE|lee>")
    app.command("Acme Corp in 10 minutes call back about the drive", command="/followup", user="U0LEE")
    app.command("Acme Corp in 10 minutes send the invoice", command="/followup", user="U0LEE")
    cancelled, done = (v.id for v in followups.list_open(deps, team_id=TEAM, user_id="U0LEE"))
    clock.advance(minutes=11)
    reminder = _reminder(app, "U0LEE", cancelled)
    _reminder(app, "U0LEE", done)

    # Cancelled from the list: the reminder DM already sent says so, in place.
    _click_list(app, "U0LEE", _listing(app, "U0LEE"), cancelled, "cancel")
    outbox.send_outbox(deps, client=app.runtime.client, now=clock(), worker="e2e")
    updated = eventually(
        lambda: next(
            (m for m in app.sim.dm_messages("U0LEE") if m["ts"] == reminder["ts"] and "Cancelled by" in json.dumps(m)),
            None,
        )
    )
    assert "<@U0LEE>" in json.dumps(updated) and "followup_done" not in json.dumps(updated)

    # The old reminder's buttons answer politely and change nothing.
    _click_reminder(app, "U0LEE", reminder, _element(reminder["blocks"], "followup_done"))
    [after_done] = [m for m in app.sim.dm_messages("U0LEE") if m["ts"] == reminder["ts"]]
    assert "Cancelled by <@U0LEE>" in json.dumps(after_done)
    _click_reminder(app, "U0LEE", reminder, _choose(_element(reminder["blocks"], "followup_menu"), "edit"))
    assert "already cancelled" in json.dumps(answers_to(app.sim, "U0LEE")[-1])
    assert _row(app, cancelled).state == "cancelled"

    # The other one is done on time; a day later no second reminder comes for the cancelled one.
    _click_list(app, "U0LEE", _listing(app, "U0LEE"), done, "done")
    dms = len(app.sim.dm_messages("U0LEE"))
    clock.advance(days=2)
    assert followups.queue_reminders(deps, now=clock()) == 0
    outbox.send_outbox(deps, client=app.runtime.client, now=clock(), worker="e2e")
    assert len(app.sim.dm_messages("U0LEE")) == dms

    stats = json.dumps(app.command("stats", command="/rapport", user="U0LEE"))
    assert "1 of 1* follow-ups done on time" in stats

    friday = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 15:00 in London, the workspace's zone
    clock.now = friday
    queue_weekly_digest(deps, now=friday)
    outbox.send_outbox(deps, client=app.runtime.client, now=friday, worker="e2e")
    digest = eventually(
        lambda: next((m for m in app.sim.messages(STORIES_CHANNEL) if "good service" in json.dumps(m)), None)
    )
    assert "1 follow-up done*, all of them on time" in json.dumps(digest)


# --- edit -------------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_errors_logged")
def test_edit_opens_the_form_prefilled_and_saves_to_the_same_follow_up(app: RunningApp, clock: FakeClock) -> None:
    app.command("add Acme Corp owner <@U0LEE|lee>")
    app.command("add Globex owner <@U0LEE|lee>")
    app.command("Acme Corp tomorrow at 10am call back about the drive", command="/followup", user="U0LEE")
    followup_id = _only_open(app, "U0LEE")
    home = _home(app, "U0LEE", containing="call back about the drive")

    before = len(app.sim.calls_to("views.open"))
    menu = _element(home["blocks"], "followup_menu", block_id=f"home_followup_{followup_id}")
    _click_home(app, "U0LEE", home, _choose(menu, "edit"))
    form = _opened_view(app, before)
    fields = {b.get("block_id"): b.get("element") for b in form["blocks"]}
    assert form["callback_id"] == "followup_edit" and form["title"]["text"] == "Edit follow-up"
    assert fields["followup_owner"]["initial_user"] == "U0LEE"
    assert fields["followup_customer"]["initial_value"] == "Acme Corp"
    assert fields["followup_when"]["initial_value"] == "2026-11-24 at 10:00"  # Lee's clock
    assert fields["followup_note"]["initial_value"] == "call back about the drive"

    bad = _submit(
        app, form, user="U0LEE", values=_form_values(owner="U0LEE", customer="Acme", when="2020-01-01", note="x")
    )
    assert bad["response_action"] == "errors" and "past" in bad["errors"]["followup_when"]
    assert _row(app, followup_id).note == "call back about the drive"  # nothing changed

    kept = _submit(
        app,
        form,
        user="U0LEE",
        values=_form_values(owner="U0LEE", customer="Acme Corp", when="2026-11-24 at 10:00", note="call about it"),
    )
    assert kept["response_action"] == "update"
    assert _row(app, followup_id).due_at.replace(tzinfo=UTC) == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert _row(app, followup_id).note == "call about it"

    saved = _submit(
        app,
        form,
        user="U0LEE",
        values=_form_values(owner="U0LEE", customer="Globex", when="friday at 3", note="check the invoice"),
    )
    shown = json.dumps(saved["view"], ensure_ascii=False)
    assert "Friday 27 Nov at 15:00, your time" in shown and "Globex" in shown
    assert [v.id for v in followups.list_open(app.runtime.deps, team_id=TEAM, user_id="U0LEE")] == [followup_id]
    row = _row(app, followup_id)
    assert row.due_at.replace(tzinfo=UTC) == datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
    assert row.note == "check the invoice"


@pytest.mark.usefixtures("no_errors_logged")
def test_edit_by_creator_or_admin_and_refused_for_anyone_else(app: RunningApp) -> None:
    app.command("add Acme Corp owner <@U0LEE|lee>")
    app.command("<@U0LEE|lee> Acme Corp tomorrow call back", command="/followup", user="U0STEPH")
    followup_id = _only_open(app, "U0LEE")

    before = len(app.sim.calls_to("views.open"))
    _click_list(app, "U0KIRI", _listing(app, "U0KIRI", "Acme"), followup_id, "edit")
    polite_refusal(app.sim, "U0KIRI", "isn't yours")
    assert len(app.sim.calls_to("views.open")) == before

    _click_list(app, "U0STEPH", _listing(app, "U0STEPH", "Acme"), followup_id, "edit")  # the creator
    form = _opened_view(app, before)
    # Kiri submitting a form she somehow has is refused the same way, and nothing changes.
    refused = _submit(
        app, form, user="U0KIRI", values=_form_values(owner="U0LEE", customer="Acme Corp", when="", note="mine")
    )
    assert refused["response_action"] == "errors" and "isn't yours" in json.dumps(refused)
    assert _row(app, followup_id).note == "call back"

    # Dana, an admin, hands it to Steph with a new note; Steph is told by DM.
    _click_list(app, "U0DANA", _listing(app, "U0DANA", "<@U0LEE|lee>"), followup_id, "edit")
    form = _opened_view(app, before + 1)
    saved = _submit(
        app,
        form,
        user="U0DANA",
        values=_form_values(owner="U0STEPH", customer="Acme Corp", when="", note="over to you"),
    )
    assert saved["response_action"] == "update"
    row = _row(app, followup_id)
    assert (row.owner_user_id, row.note, row.state) == ("U0STEPH", "over to you", "open")
    handover = eventually(lambda: [m for m in app.sim.dm_messages("U0STEPH") if "handed you" in json.dumps(m)])
    assert "<@U0DANA>" in json.dumps(handover)


# --- /followup list filters -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_errors_logged")
def test_list_filters_by_person_customer_and_overdue(app: RunningApp, clock: FakeClock) -> None:
    app.command("add Acme Corp owner <@U0LEE|lee>")
    app.command("add Globex owner <@U0STEPH|steph>")
    app.command("Acme Corp in 10 minutes call Acme soon", command="/followup", user="U0LEE")
    app.command("<@U0LEE|lee> Globex next week lee checks globex", command="/followup", user="U0LEE")
    app.command("<@U0STEPH|steph> Acme Corp tomorrow steph checks acme", command="/followup", user="U0STEPH")
    clock.advance(minutes=30)

    mine = json.dumps(_listing(app, "U0LEE"))
    assert "call Acme soon" in mine and "lee checks globex" in mine and "steph checks acme" not in mine
    lees = json.dumps(_listing(app, "U0DANA", "<@U0LEE|lee>"))
    assert "Lee" in lees or "<@U0LEE>" in lees
    assert "call Acme soon" in lees and "lee checks globex" in lees and "steph checks acme" not in lees
    acme = json.dumps(_listing(app, "U0KIRI", "Acme"))
    assert "call Acme soon" in acme and "steph checks acme" in acme and "lee checks globex" not in acme
    assert "<@U0STEPH>" in acme and "<@U0LEE>" in acme  # a customer's list says whose each one is
    overdue = json.dumps(_listing(app, "U0LEE", "overdue"))
    assert "call Acme soon" in overdue and "overdue since" in overdue and "lee checks globex" not in overdue
    assert "steph checks acme" not in json.dumps(_listing(app, "U0STEPH", "overdue"))
    both = json.dumps(_listing(app, "U0DANA", "<@U0LEE|lee> overdue Acme"))
    assert "call Acme soon" in both and "lee checks globex" not in both

    unknown = json.dumps(_listing(app, "U0LEE", "Initech"))
    assert "Initech" in unknown and "For example" in unknown
    helped = json.dumps(app.command("help", command="/followup"))
    assert "/followup list @lee" in helped and "/followup list overdue" in helped


# --- the Home tab -----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_errors_logged")
def test_home_tab_buttons_open_the_forms_and_its_menu_cancels(app: RunningApp) -> None:
    app.command("add Acme Corp owner <@U0LEE|lee>")
    app.command("Acme Corp tomorrow call back about the drive", command="/followup", user="U0LEE")
    followup_id = _only_open(app, "U0LEE")
    home = _home(app, "U0LEE", containing="call back about the drive")
    assert home["blocks"][0]["type"] == "actions"  # the buttons come first

    before = len(app.sim.calls_to("views.open"))
    _click_home(app, "U0LEE", home, _element(home["blocks"], "home_new_followup"))
    form = _opened_view(app, before)
    assert form["callback_id"] == "followup_modal"
    created = _submit(
        app, form, user="U0LEE", values=_form_values(owner="U0LEE", customer="Acme", when="in 3 days", note="visit")
    )
    assert created["response_action"] == "update"
    assert len(followups.list_open(app.runtime.deps, team_id=TEAM, user_id="U0LEE")) == 2

    _click_home(app, "U0LEE", home, _element(home["blocks"], "home_share_story"))
    story = _opened_view(app, before + 1)
    assert story["callback_id"] == "story_modal"
    thanks = next(b for b in story["blocks"] if b.get("block_id") == "story_thanks")
    assert thanks["optional"] is False  # about no message: what they did is the story
    empty = _submit(
        app,
        story,
        user="U0LEE",
        values={
            "story_credited": {"credited": {"type": "multi_users_select", "selected_users": ["U0STEPH"]}},
            "story_thanks": {"thanks": {"type": "plain_text_input", "value": None}},
        },
    )
    assert empty["response_action"] == "errors" and "story_thanks" in empty["errors"]

    menu = _element(home["blocks"], "followup_menu", block_id=f"home_followup_{followup_id}")
    assert [o["text"]["text"] for o in menu["options"]] == ["Edit…", "Cancel"]
    _click_home(app, "U0LEE", home, _choose(menu, "cancel"))
    eventually(lambda: "call back about the drive" not in json.dumps(app.sim.home_view("U0LEE")))
    assert _row(app, followup_id).state == "cancelled"
    assert "visit" in json.dumps(app.sim.home_view("U0LEE"))
