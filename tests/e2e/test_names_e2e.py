"""Customer names as people type them, through the simulator: everyday-word names count only as written (and can be
switched), a phone's apostrophe and text without spaces still name a customer, and the form's letter-case switch."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.conftest import RunningApp


def texts(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False)


@pytest.mark.usefixtures("no_errors_logged")
def test_an_everyday_word_name_counts_only_as_written_until_switched_off(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    added = texts(app.command("add Target"))
    assert "Added *Target*" in added
    assert "“Target” is also an everyday word" in added and "only when it's written *Target*" in added
    assert "/customer exact Target off" in added
    sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA")

    sim.post_message("U0DANA", "C0SUPPORT", "our target is 50 tickets")
    assert app.mention_count() == 0
    sim.post_message("U0STEPH", "C0SUPPORT", "Target called about the invoice")
    assert app.mention_count() == 1
    sim.post_message("U0STEPH", "C0SUPPORT", "busy morning in <#C0TGT|target-support>")
    assert app.mention_count() == 2
    card = texts(app.command("Target"))
    assert "Target called about the invoice" in card and "Counted only as written:* Target" in card
    assert "counts only when it's written *Target*" in texts(app.command("exact Target"))

    switched = texts(app.command("exact Target off"))
    assert "“Target” now counts in any letter case" in switched and "/customer exact Target on" in switched
    sim.post_message("U0DANA", "C0SUPPORT", "our target is 60 tickets")
    assert app.mention_count() == 3
    assert "Counted only as written" not in texts(app.command("Target"))
    assert "now counts only when it's written *Target*" in texts(app.command("exact target ON"))
    sim.post_message("U0DANA", "C0SUPPORT", "missed the target again")
    assert app.mention_count() == 3


@pytest.mark.usefixtures("no_errors_logged")
def test_tool_names_aliases_and_bad_switches(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    app.command("add Globex")
    alias = texts(app.command("alias Globex Zoom"))
    assert "also known as *Zoom*" in alias and "“Zoom” is also the name of a well-known tool" in alias
    sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA")
    sim.post_message("U0DANA", "C0SUPPORT", "send me the zoom link")
    assert app.mention_count() == 0
    sim.post_message("U0DANA", "C0SUPPORT", "Zoom wants a price for 5k seats")
    assert app.mention_count() == 1
    assert "“Zoom” (a name of *Globex*) now counts in any letter case" in texts(app.command("exact Zoom off"))
    for text, expected in {
        "exact": "Tell me which name",
        "exact off": "Tell me which name to switch off",
        "exact Initech on": "I don't know a customer called",
    }.items():
        reply = texts(app.command(text))
        assert expected in reply and "For example" in reply, (text, reply)
    help_text = texts(app.command("help"))
    assert "/customer exact Target on" in help_text and "counts only as written" in help_text


@pytest.mark.usefixtures("no_errors_logged")
def test_phone_apostrophes_and_text_without_spaces_name_customers(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    app.command("add O'Reilly Media aka O'Reilly")
    app.command("add トヨタ aka Toyota")
    app.command("add Procter & Gamble aka Nestlé")
    sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA")
    sim.post_message("U0DANA", "C0SUPPORT", "O’Reilly wants an invoice copy")
    assert app.mention_count() == 1
    assert "O’Reilly wants an invoice copy" in texts(app.command("O'Reilly Media"))
    sim.post_message("U0DANA", "C0SUPPORT", "株式会社トヨタから問い合わせがありました")
    assert app.mention_count() == 2
    assert "株式会社トヨタから問い合わせがありました" in texts(app.command("トヨタ"))
    sim.post_message("U0DANA", "C0SUPPORT", "procter and gamble renewal is due, _nestle_ too")
    assert app.mention_count() == 3


@pytest.mark.usefixtures("no_errors_logged")
def test_the_form_offers_the_letter_case_switch(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    assert sim.slash_command("U0DANA", "C0SUPPORT", "/customer", "").status == 200
    [opened] = sim.wait_for_calls("views.open", 1)
    view = opened.args["view"] if isinstance(opened.args["view"], dict) else json.loads(opened.args["view"])
    [switch] = [b for b in view["blocks"] if b["block_id"] == "exact"]
    assert [o["value"] for o in switch["element"]["options"]] == ["auto", "on", "off"]

    def submit(name: str, choice: str | None) -> dict[str, Any]:
        selected = None if choice is None else {"text": {"type": "plain_text", "text": choice}, "value": choice}
        values = {
            "name": {"name_input": {"type": "plain_text_input", "value": name}},
            "aliases": {"aliases_input": {"type": "plain_text_input", "value": None}},
            "owner": {"owner_select": {"type": "users_select", "selected_user": "U0LEE"}},
            "since": {"since_date": {"type": "datepicker", "selected_date": None}},
            "exact": {"exact_choice": {"type": "radio_buttons", "selected_option": selected}},
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

    square = submit("Square", "off")
    assert square["response_action"] == "update" and "only when it's written" not in texts(square["view"])
    box = submit("Box", None)  # nothing chosen: the word lists decide
    assert "“Box” is also the name of a well-known tool" in texts(box["view"])
    globex = submit("Globex", "on")
    assert "I'll count “Globex” only when it's written *Globex*" in texts(globex["view"])

    sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA")
    sim.post_message("U0DANA", "C0SUPPORT", "back to square one, put it in the box, globex is down")
    assert app.mention_count() == 1  # Square, in any letter case
