"""A team's first day, end to end through real signed requests and Socket Mode envelopes."""

from __future__ import annotations

import json

import pytest

from tests.e2e.clicks import answers_to, button, click
from tests.e2e.conftest import RunningApp, eventually


def texts(body: dict) -> str:  # type: ignore[type-arg]
    return json.dumps(body)


@pytest.mark.usefixtures("no_errors_logged")
def test_customers_are_added_mentioned_and_shown_on_the_card(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    reply = app.command("add Acme Corp aka Acme owner <@U0LEE|lee> since 2019-04-01")
    assert reply["response_type"] == "ephemeral" and "Added *Acme Corp*" in texts(reply)
    app.command("add Globex")

    # inviting the bot: it starts watching and posts its note once
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    [intro] = sim.wait_for_calls("chat.postMessage", 1)
    assert intro.args["channel"] == "C0SUPPORT" and "280" in texts(intro.args)

    ts1, d1 = sim.post_message("U0DANA", "C0SUPPORT", "Acme's renewal is next week")
    ts2, d2 = sim.post_message("U0STEPH", "C0SUPPORT", "I'll call (ACME) back", thread_ts=ts1)
    _, d3 = sim.post_message("U0LEE", "C0SUPPORT", "Acmeville is a town, not a customer")
    _, d4 = sim.post_message("U0LEE", "C0SUPPORT", "Globex and <https://acme.example|the Acme portal>")
    assert [d.status for d in (d1, d2, d3, d4)] == [200, 200, 200, 200]
    assert app.mention_count() == 4  # ts1, ts2 (thread reply), and Globex + Acme in the last

    card = app.command("Acme")
    shown = texts(card)
    assert "Acme Corp" in shown and "<@U0LEE>" in shown and "2019-04-01" in shown
    assert "I'll call (ACME) back" in shown
    assert f"https://rapport-sim.slack.com/archives/C0SUPPORT/p{ts2.replace('.', '')}?thread_ts={ts1}" in shown

    # an edit that drops the name removes the mention; deleting removes the rest
    assert sim.edit_message("C0SUPPORT", ts1, "the renewal is next week").status == 200
    assert app.mention_count() == 3
    assert sim.delete_message("C0SUPPORT", ts2).status == 200
    assert app.mention_count() == 2
    assert "I'll call (ACME) back" not in texts(app.command("Acme"))


@pytest.mark.usefixtures("no_errors_logged")
def test_a_retried_event_changes_nothing(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    app.command("add Acme Corp")
    ts = sim.seed_message("U0DANA", "C0SUPPORT", "Acme Corp called")
    event = {
        "type": "message",
        "channel": "C0SUPPORT",
        "channel_type": "channel",
        "user": "U0DANA",
        "text": "Acme Corp called",
        "ts": ts,
        "event_ts": ts,
        "team": "T0SIM0001",
    }
    for attempt in range(4):
        assert sim.send_event(event, event_id="Ev0RETRY1", retry_num=attempt).status == 200
    assert app.mention_count() == 1


@pytest.mark.usefixtures("no_errors_logged")
def test_bots_and_the_bot_itself_are_ignored(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    app.command("add Acme Corp")
    sim.post_message(None, "C0SUPPORT", "Acme Corp alert", subtype="bot_message", bot_id="B0OTHER")
    sim.post_message("U0OTHERBOT", "C0SUPPORT", "Acme Corp from a bot user", bot_id="B0OTHER")
    sim.post_message("U0RAPPORT", "C0SUPPORT", "Acme Corp from Rapport", bot_id="B0RAPPORT")
    assert app.mention_count() == 0


@pytest.mark.usefixtures("no_errors_logged")
def test_linked_shared_channel_counts_every_message(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    app.command("add Acme Corp")
    reply = app.command("link Acme Corp", channel="C0ACME")
    assert "Invite me first" in texts(reply) or "invite" in texts(reply).lower()
    sim.add_bot_to_channel("C0ACME", inviter="U0DANA")
    assert "linked to *Acme Corp*" in texts(app.command("link Acme Corp", channel="C0ACME"))
    sim.post_message("W0EXTBOB", "C0ACME", "Hi, our drive is broken again")
    assert app.mention_count() == 1
    assert "Hi, our drive is broken again" in texts(app.command("Acme Corp"))


@pytest.mark.usefixtures("no_errors_logged")
def test_every_subcommand_and_its_bad_input(running_app: RunningApp) -> None:
    app = running_app
    assert "/customer add" in texts(app.command("help"))
    assert "No customers yet" in texts(app.command("list"))
    app.command("add Acme Corp")
    app.command("add Acme Labs")
    cases = {
        "add acme corp": "already a name of",
        "add Initech since 2019-02-30": "not a real date",
        "Acme": "Several customers match",
        "Umbrella": "I don't know a customer called",
        "delete Acme Corp": "Did you mean `remove`",
        "owner Acme Corp dana": "mention the new owner",
        "<!here>": "I don't know a customer called",
    }
    for text, expected in cases.items():
        reply = app.command(text)
        assert expected.lower() in texts(reply).lower(), (text, reply)
        assert "For example" in texts(reply)
    assert "<!here>" not in texts(app.command("<!here>")["blocks"])
    assert "now owned by <@U0KIRI>" in texts(app.command("owner Acme Corp <@U0KIRI|kiri>"))
    assert "also known as *Roadrunner*" in texts(app.command("alias Acme Corp Roadrunner"))
    assert "Acme Corp" in texts(app.command("roadrunner"))
    listing = texts(app.command("list"))
    assert "Acme Corp" in listing and "Acme Labs" in listing
    question = app.command("remove Acme Labs")
    assert "Remove Acme Labs?" in texts(question) and "0 recorded mentions" in texts(question)
    assert "Acme Labs" in texts(app.command("list"))  # asking removes nothing
    confirm = button(question, "customer_remove_confirm")
    assert click(app.sim, user="U0DANA", channel="C0SUPPORT", message=question, action=confirm, ephemeral=True) == 200
    eventually(lambda: "Removed *Acme Labs*" in json.dumps(answers_to(app.sim, "U0DANA")))
    assert "Acme Corp" in texts(app.command("Acme"))  # no longer ambiguous


@pytest.mark.usefixtures("no_errors_logged")
def test_no_text_opens_the_modal_and_submission_validates(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    delivery = sim.slash_command("U0DANA", "C0SUPPORT", "/customer", "")
    assert delivery.status == 200
    [opened] = sim.wait_for_calls("views.open", 1)
    view = opened.args["view"] if isinstance(opened.args["view"], dict) else json.loads(opened.args["view"])
    assert view["callback_id"] == "customer_add"

    def submit(name: str, since: str | None) -> dict:  # type: ignore[type-arg]
        values = {
            "name": {"name_input": {"type": "plain_text_input", "value": name}},
            "aliases": {"aliases_input": {"type": "plain_text_input", "value": "Acme, ACME Inc"}},
            "owner": {"owner_select": {"type": "users_select", "selected_user": "U0LEE"}},
            "since": {"since_date": {"type": "datepicker", "selected_date": since}},
        }
        payload = {
            "type": "view_submission",
            "user": {"id": "U0DANA"},
            "team": {"id": "T0SIM0001"},
            "view": {**view, "id": "V0TEST", "team_id": "T0SIM0001", "state": {"values": values}},
        }
        result = sim.send_interactive(payload)
        assert result.status == 200
        return result.body if isinstance(result.body, dict) else {}

    refused = submit("Acme Corp", "2099-01-01")
    assert refused["response_action"] == "errors" and "since" in refused["errors"]
    added = submit("Acme Corp", "2019-04-01")
    assert added["response_action"] == "update" and "Acme Corp" in texts(added["view"])
    duplicate = submit("ACME corp", None)
    assert duplicate["response_action"] == "errors" and "name" in duplicate["errors"]
    assert "<@U0LEE>" in texts(app.command("Acme Corp"))
