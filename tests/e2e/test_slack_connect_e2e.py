"""Slack Connect as Slack sends it, through the real app and the simulator: a channel the customer created (its
envelopes name the customer's organisation), authors told apart by their profile (customers, Slackbot, Enterprise
Grid staff, guests), file shares and thread broadcasts without team fields, tombstones, and people of another
organisation trying Rapport's commands, shortcuts, buttons and reactions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.blocks.errors import FOR_HOST_TEAM
from bot.db.models import Channel, CustomerWait, FollowUp, Mention, Story, Workspace
from bot.slacksim import SimUser, SlackSimulator
from tests.e2e.conftest import RunningApp, eventually
from tests.e2e.test_unanswered_e2e import after_deadline, run_jobs

HOST, ACME = "T0SIM0001", "T0EXT0001"
BOB = "W0EXTBOB"  # Bob Customer, of Acme's own Slack organisation
CHANNEL = "C0ACME"
BRUSH_OFF = "You'll have to call customer service for that"


def customer_created_channel(sim: SlackSimulator) -> None:
    """Acme created the shared channel and invited the team: every envelope from it names Acme's organisation."""
    channel = sim.workspace.channel(CHANNEL)
    assert channel is not None and channel.is_ext_shared
    channel.host_team_id = ACME


def link_acme(app: RunningApp) -> None:
    """Add Acme Corp (owned by Lee), invite the bot into the channel Acme created, and link it."""
    customer_created_channel(app.sim)
    app.command("add Acme Corp owner <@U0LEE|lee>")
    assert app.sim.add_bot_to_channel(CHANNEL, inviter="U0DANA").status == 200
    eventually(lambda: [m for m in app.sim.messages(CHANNEL) if "Rapport joined" in m.get("text", "")])
    assert "linked to *Acme Corp*" in json.dumps(app.command("link Acme Corp", channel=CHANNEL))


def count(app: RunningApp, column: Any, *where: Any) -> int:
    with app.runtime.deps.session_factory.begin() as session:
        return int(session.scalar(select(func.count(column)).where(*where)) or 0)


def ephemeral_calls_to(sim: SlackSimulator, user: str) -> list[Any]:
    return [c for c in sim.calls_to("chat.postEphemeral") if c.args.get("user") == user]


def tip_for(sim: SlackSimulator, user: str) -> list[Any]:
    """The tone tips a person was shown."""
    return eventually(lambda: ephemeral_calls_to(sim, user))


def users_info_calls(sim: SlackSimulator, user: str) -> int:
    return len([c for c in sim.calls_to("users.info") if c.args.get("user") == user])


# --- a channel the customer created ----------------------------------------------------------------------------


@pytest.mark.usefixtures("no_errors_logged")
def test_a_channel_the_customer_created_works_like_one_of_ours(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    link_acme(app)

    ts, delivery = sim.post_message(BOB, CHANNEL, f"Hi, Acme Corp here. {BRUSH_OFF}? Our drive is broken")
    assert delivery.status == 200
    assert count(app, Mention.id, Mention.team_id == HOST) == 1  # recorded under the host workspace
    assert count(app, Mention.id, Mention.team_id != HOST) == 0
    assert count(app, Workspace.team_id) == 1  # no phantom workspace for Acme's organisation

    assert run_jobs(app, after_deadline(app, ts)) == 1  # the owner hears that Bob waits
    [dm] = eventually(lambda: sim.dm_messages("U0LEE"))
    assert "Acme Corp" in json.dumps(dm) and f"<@{BOB}>" in json.dumps(dm)

    # The staff member in the same channel gets the private tip, the customer never does.
    sim.post_message("U0STEPH", CHANNEL, BRUSH_OFF, thread_ts=ts)
    assert tip_for(sim, "U0STEPH")
    assert ephemeral_calls_to(sim, BOB) == [] and sim.ephemerals(user=BOB) == []


@pytest.mark.usefixtures("no_errors_logged")
def test_the_join_note_in_a_shared_channel_is_written_for_both_sides(http_app: RunningApp) -> None:
    sim = http_app.sim
    customer_created_channel(sim)
    assert sim.add_bot_to_channel(CHANNEL, inviter="U0DANA").status == 200
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200

    def note(channel: str) -> str:
        found = [m for m in sim.messages(channel) if m.get("bot_id") and "Rapport joined" in m.get("text", "")]
        return json.dumps(found[0]) if found else ""

    shared, ours = eventually(lambda: note(CHANNEL)), eventually(lambda: note("C0SUPPORT"))
    assert "excerpt" in shared and "waiting for a reply" in shared and "Removing me" in shared
    for private_matter in ("your customers", "tip", "/rapport"):
        assert private_matter not in shared
    assert "your customers" in ours and "tip" in ours  # the team's own channels keep the team's note


# --- who answers a waiting customer ----------------------------------------------------------------------------


@pytest.mark.usefixtures("no_errors_logged")
def test_a_customers_file_share_keeps_the_customer_waiting(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    link_acme(app)
    ts, _ = sim.post_message(BOB, CHANNEL, "The export is broken, see the screenshot")
    _, shared = sim.share_file(BOB, CHANNEL, "here it is", thread_ts=ts)  # no team field on a file share
    assert shared.status == 200
    _, broadcast = sim.broadcast_reply(BOB, CHANNEL, "anyone?", thread_ts=ts)  # nor on a thread broadcast
    assert broadcast.status == 200
    assert run_jobs(app, after_deadline(app, ts)) == 1
    assert eventually(lambda: sim.dm_messages("U0LEE"))


@pytest.mark.usefixtures("no_errors_logged")
def test_a_staff_file_share_or_broadcast_answers(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    link_acme(app)
    first, _ = sim.post_message(BOB, CHANNEL, "Where is my invoice?")
    second, _ = sim.post_message(BOB, CHANNEL, "And the credit note?")
    sim.share_file("U0STEPH", CHANNEL, "Here is the invoice", thread_ts=first)
    sim.broadcast_reply("U0DANA", CHANNEL, "Credit note sent by mail", thread_ts=second)
    assert run_jobs(app, after_deadline(app, second)) == 0
    assert sim.dm_messages("U0LEE") == []


@pytest.mark.usefixtures("no_errors_logged")
def test_slackbot_does_not_answer_a_waiting_customer(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    link_acme(app)
    ts, _ = sim.post_message(BOB, CHANNEL, "Is anybody there?")
    sim.post_message("USLACKBOT", CHANNEL, "Reminder: standup in 5 minutes. You'll have to call customer service")
    sim.post_message("USLACKBOT", CHANNEL, "Acme Corp: your message was received", thread_ts=ts)
    assert run_jobs(app, after_deadline(app, ts)) == 1
    assert eventually(lambda: sim.dm_messages("U0LEE"))
    assert count(app, Mention.id, Mention.user_id == "USLACKBOT") == 0  # not a person: no touch, no mention
    assert users_info_calls(sim, "USLACKBOT") == 0 and ephemeral_calls_to(sim, "USLACKBOT") == []


@pytest.mark.usefixtures("no_errors_logged")
def test_enterprise_grid_staff_are_staff(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    ws = sim.workspace
    ws.enterprise_id = "E0RAPPORT"  # the host is an Enterprise Grid organisation: user_team is its E… id
    ws.external_teams["E0RAPPORT"] = "Rapport Grid"
    for user in ws.users:
        if not ws.is_external(user) and not user.is_bot:
            user.enterprise_id = "E0RAPPORT"
    # A colleague from another workspace of the same organisation.
    ws.users.append(SimUser("W0GRIDSAM", "sam", "Sam Grid", "UTC", team_id="T0SIM0002", enterprise_id="E0RAPPORT"))
    link_acme(app)

    ts, _ = sim.post_message(BOB, CHANNEL, "Our drive is broken")
    replied, _ = sim.post_message("W0GRIDSAM", CHANNEL, BRUSH_OFF, thread_ts=ts)
    assert [m["user_team"] for m in sim.messages(CHANNEL) if m.get("ts") == replied] == ["E0RAPPORT"]
    assert tip_for(sim, "W0GRIDSAM")  # staff get tips

    later, _ = sim.post_message(BOB, CHANNEL, "One more thing")
    sim.post_message("U0DANA", CHANNEL, "On it!", thread_ts=later)
    assert run_jobs(app, after_deadline(app, later)) == 0  # both answers count: nobody waits
    assert sim.dm_messages("U0LEE") == []


@pytest.mark.usefixtures("no_errors_logged")
def test_a_guest_of_the_workspace_is_staff(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    sim.workspace.users.append(SimUser("U0GUEST", "gus", "Gus Guest", "UTC", is_restricted=True))
    link_acme(app)
    ts, _ = sim.post_message(BOB, CHANNEL, "Can someone help?")
    sim.post_message("U0GUEST", CHANNEL, BRUSH_OFF, thread_ts=ts)
    assert tip_for(sim, "U0GUEST")
    assert run_jobs(app, after_deadline(app, ts)) == 0
    assert app.command("list", user="U0GUEST")["response_type"] == "ephemeral"
    assert FOR_HOST_TEAM not in json.dumps(app.command("list", user="U0GUEST"))


# --- the cache: a known person costs no Web API call ----------------------------------------------------------


@pytest.mark.usefixtures("no_errors_logged")
def test_known_people_cost_no_web_api_call_per_message(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    link_acme(app)
    for n in range(5):
        sim.post_message(BOB, CHANNEL, f"message {n} about Acme Corp")
        sim.post_message("U0DANA", CHANNEL, f"answer {n}")
    assert users_info_calls(sim, BOB) == 1 and users_info_calls(sim, "U0DANA") == 1


def test_a_failed_profile_read_decides_from_the_message_and_loses_nothing(
    http_app: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    app, sim = http_app, http_app.sim
    link_acme(app)
    sim.fail_next("users.info", status=200, error="fatal_error", times=2)
    ts, delivery = sim.post_message(BOB, CHANNEL, "Acme Corp needs help")  # its user_team still says Acme
    assert delivery.status == 200
    assert count(app, CustomerWait.message_ts, CustomerWait.message_ts == ts) == 1
    assert "could not read who W0EXTBOB is; decided external from the message" in caplog.text


# --- people of another organisation act on nothing ------------------------------------------------------------


@pytest.mark.usefixtures("no_errors_logged")
def test_a_customers_reactions_do_nothing(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    link_acme(app)
    ts, _ = sim.post_message("U0STEPH", CHANNEL, "Acme Corp: the drive is fixed, I stayed on it until it worked")
    assert sim.react(BOB, CHANNEL, ts, "alarm_clock").status == 200
    assert sim.react(BOB, CHANNEL, ts, "star2").status == 200
    assert sim.react(BOB, CHANNEL, ts, "star2", removed=True).status == 200
    assert count(app, FollowUp.id) == 0 and count(app, Story.id) == 0
    assert ephemeral_calls_to(sim, BOB) == [] and sim.dm_messages(BOB) == []

    # The team's own reactions on the same message still work.
    assert sim.react("U0DANA", CHANNEL, ts, "alarm_clock").status == 200
    assert sim.react("U0DANA", CHANNEL, ts, "star2").status == 200
    assert count(app, FollowUp.id, FollowUp.team_id == HOST) == 1
    assert count(app, Story.id, Story.team_id == HOST) == 1


COMMANDS = [
    ("/customer", "add Globex owner <@W0EXTBOB|bob>"),
    ("/customer", "remove Acme Corp"),
    ("/followup", "Acme Corp tomorrow call back"),
    ("/kudos", "<@U0STEPH|steph> for the fix"),
    ("/rapport", "help"),
    ("/rapport", "settings"),
]


@pytest.mark.usefixtures("no_errors_logged")
@pytest.mark.parametrize(("command", "text"), COMMANDS)
def test_every_command_from_a_customer_gets_the_polite_line(http_app: RunningApp, command: str, text: str) -> None:
    app, sim = http_app, http_app.sim
    link_acme(app)
    before = len(sim.calls)
    reply = app.command(text, user=BOB, channel=CHANNEL, command=command)
    assert reply["response_type"] == "ephemeral" and FOR_HOST_TEAM in json.dumps(reply)
    assert [c.method for c in sim.calls[before:] if c.method != "users.info"] == []  # nothing else happened
    assert count(app, Story.id) == 0 and count(app, FollowUp.id) == 0
    assert "Acme Corp" in json.dumps(app.command("list"))  # the customer is still there


@pytest.mark.usefixtures("no_errors_logged")
def test_a_customers_shortcut_and_button_get_the_polite_line(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    link_acme(app)
    ts, _ = sim.post_message("U0STEPH", CHANNEL, "Acme Corp, the drive is fixed")
    shortcut = {
        "type": "message_action",
        "callback_id": "story_from_message",
        "user": {"id": BOB},
        "channel": {"id": CHANNEL},
        "message_ts": ts,
        "message": {"type": "message", "user": "U0STEPH", "ts": ts, "text": "Acme Corp, the drive is fixed"},
    }
    assert sim.send_interactive(shortcut).status == 200
    followup_shortcut = {**shortcut, "callback_id": "followup_from_message"}
    assert sim.send_interactive(followup_shortcut).status == 200
    click = {
        "type": "block_actions",
        "user": {"id": BOB},
        "channel": {"id": CHANNEL},
        "container": {"type": "message", "message_ts": ts, "channel_id": CHANNEL},
        "message": {"type": "message", "ts": ts, "text": "x"},
        "actions": [{"type": "button", "action_id": "followup_done", "block_id": "b", "value": "1", "action_ts": "1"}],
    }
    assert sim.send_interactive(click).status == 200

    answered = eventually(lambda: [r for r in sim.responses() if r["user"] == BOB])
    assert len(answered) == 3 and all(FOR_HOST_TEAM in json.dumps(r["body"]) for r in answered)
    assert sim.calls_to("views.open") == []
    assert count(app, Story.id) == 0 and count(app, FollowUp.id) == 0


# --- tombstones ----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_errors_logged")
def test_a_tombstone_deletes_the_excerpt_and_ends_the_wait(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    link_acme(app)
    ts, _ = sim.post_message(BOB, CHANNEL, "Acme Corp: our invoices are wrong, details in thread")
    sim.post_message(BOB, CHANNEL, "the details", thread_ts=ts)
    assert count(app, Mention.id, Mention.message_ts == ts) == 1
    assert count(app, CustomerWait.message_ts, CustomerWait.message_ts == ts) == 1

    assert sim.delete_message(CHANNEL, ts).status == 200  # a parent with a reply: Slack sends a tombstone
    [parent] = [m for m in sim.messages(CHANNEL) if m["ts"] == ts]
    assert parent["subtype"] == "tombstone"
    assert count(app, Mention.id, Mention.message_ts == ts) == 0
    assert count(app, CustomerWait.message_ts, CustomerWait.message_ts == ts) == 0
    assert run_jobs(app, after_deadline(app, ts)) == 0
    assert sim.dm_messages("U0LEE") == []


# --- every event shape with the envelope of the customer's organisation ----------------------------------------


@pytest.mark.usefixtures("no_errors_logged")
def test_every_event_shape_from_the_customers_channel_is_the_hosts(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    link_acme(app)  # member_joined_channel, from Acme's envelope
    seen: list[str] = []

    def from_acme(delivery: Any) -> None:
        assert delivery.status == 200, delivery
        seen.append("ok")

    ts, delivery = sim.post_message("U0DANA", CHANNEL, "Acme Corp asked for a call")
    from_acme(delivery)
    from_acme(sim.edit_message(CHANNEL, ts, "Acme Corp asked for a call on Friday"))
    with app.runtime.deps.session_factory.begin() as session:
        [excerpt] = session.scalars(select(Mention.excerpt).where(Mention.message_ts == ts)).all()
    assert "Friday" in excerpt
    from_acme(sim.react("U0DANA", CHANNEL, ts, "alarm_clock"))
    from_acme(sim.react("U0LEE", CHANNEL, ts, "star2"))
    from_acme(sim.react("U0LEE", CHANNEL, ts, "star2", removed=True))
    assert count(app, FollowUp.id, FollowUp.team_id == HOST) == 1
    from_acme(sim.delete_message(CHANNEL, ts))
    assert count(app, Mention.id, Mention.message_ts == ts) == 0
    # app_home_opened has no channel of its own: played with Acme's id on the envelope all the same.
    home = {"type": "app_home_opened", "user": "U0LEE", "channel": "D0LEE", "tab": "home"}
    from_acme(sim.send_event(home, team_id=ACME))
    assert eventually(lambda: sim.home_view("U0LEE"))
    from_acme(sim.remove_bot_from_channel(CHANNEL))
    with app.runtime.deps.session_factory.begin() as session:
        watched = session.scalar(select(Channel.is_watched).where(Channel.channel_id == CHANNEL))
    assert watched is False
    assert count(app, Workspace.team_id) == 1 and count(app, Channel.channel_id, Channel.team_id != HOST) == 0
    assert len(seen) == 8
