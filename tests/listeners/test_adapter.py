"""The adapter's answer on each Slack surface: what a callback returns, a domain error, Slack refusing, a crash."""

from __future__ import annotations

import json
import logging
import urllib.parse
from typing import Any

import pytest
from slack_bolt import App, BoltContext

from bot.blocks.errors import SLACK_ERROR_FALLBACK, SLACK_ERRORS, UNEXPECTED_ERROR
from bot.blocks.text import message, section
from bot.domain.errors import NAME_FIELD, WHEN_FIELD, BadCommand, DuplicateName
from bot.domain.when import BadWhen
from bot.domain.workspace_settings import SettingsInvalid
from bot.listeners.adapter import Modal, Replace, Reply, on_action, on_command, on_event, on_shortcut, on_submission
from bot.listeners.payloads import Request
from bot.slacksim import SlackSimulator
from tests.listeners.conftest import sample

TEAM = "T0SIM0001"
ADAPTER_LOG = "bot.listeners.adapter"
EXPIRED = SLACK_ERRORS["expired_trigger_id"]
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Try it"}, "blocks": [section("Hello")]}


def shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def records(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == ADAPTER_LOG and r.levelno == level]


def crash(request: Request) -> Any:
    raise ValueError("a bug, with the person's words: Secret Customer")


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger=ADAPTER_LOG)
    return caplog


# --- slash commands ---------------------------------------------------------------------------------------------


def try_command(request: Request) -> dict[str, Any] | Modal:
    if request.text == "help":
        return message("How to try", [section("Type `/try modal`.")])
    if request.text == "modal":
        return Modal(MODAL)
    raise BadCommand("I can't do that.", example="/try help")


def test_a_command_answers_ephemerally_with_its_reply_its_modal_or_its_error(
    bare_app: App, sim: SlackSimulator
) -> None:
    on_command(bare_app, "/try", try_command)
    helped = sim.slash_command("U0DANA", "C0SUPPORT", "/try", "help")
    assert helped.status == 200 and isinstance(helped.body, dict)
    assert helped.body["response_type"] == "ephemeral" and helped.body["text"] == "How to try"
    refused = sim.slash_command("U0DANA", "C0SUPPORT", "/try", "fly")
    assert isinstance(refused.body, dict) and refused.body["response_type"] == "ephemeral"
    assert "I can't do that." in shown(refused.body) and "For example: `/try help`" in shown(refused.body)
    opened = sim.slash_command("U0DANA", "C0SUPPORT", "/try", "modal")
    assert opened.status == 200 and not opened.body
    assert [v["title"]["text"] for v in sim.views()] == ["Try it"]


def test_a_refused_views_open_is_a_sentence_for_the_person(
    bare_app: App, sim: SlackSimulator, logs: pytest.LogCaptureFixture
) -> None:
    on_command(bare_app, "/try", try_command)
    sim.fail_next("views.open", status=200, error="expired_trigger_id")
    expired = sim.slash_command("U0DANA", "C0SUPPORT", "/try", "modal")
    assert expired.status == 200 and isinstance(expired.body, dict)
    assert expired.body["response_type"] == "ephemeral" and expired.body["text"] == EXPIRED
    # Slack's own sample command: every field blank, so views.open has no trigger id to use.
    blank = sample("payloads/app-backend/slash-commands/SlashCommandPayload.json")
    blank.update(command="/try", text="modal")
    delivery = sim.send_raw(
        urllib.parse.urlencode({k: str(v) for k, v in blank.items()}).encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert delivery.status == 200 and isinstance(delivery.body, dict)
    assert delivery.body["response_type"] == "ephemeral"
    assert delivery.body["text"] in (*SLACK_ERRORS.values(), SLACK_ERROR_FALLBACK)
    assert not records(logs, logging.ERROR) and not any(r.exc_info for r in logs.records)
    assert any("views.open (expired_trigger_id)" in r.getMessage() for r in records(logs, logging.INFO))


def test_a_missing_scope_a_command_runs_into_names_the_scope_to_add(
    bare_app: App, sim: SlackSimulator, logs: pytest.LogCaptureFixture
) -> None:
    def react(request: Request) -> dict[str, Any]:
        request.client.reactions_add(channel="C0SUPPORT", timestamp="1.000001", name="eyes")
        return message("Done", [section("Done")])

    on_command(bare_app, "/react", react)
    sim.bot_scopes = [s for s in sim.bot_scopes if s != "reactions:write"]  # an install from before it was asked
    refused = sim.slash_command("U0DANA", "C0SUPPORT", "/react", "")
    assert refused.status == 200 and isinstance(refused.body, dict)
    assert refused.body["response_type"] == "ephemeral"
    assert "`reactions:write`" in refused.body["text"] and "reinstall" in refused.body["text"]
    assert any("needs reactions:write" in r.getMessage() for r in records(logs, logging.INFO))


# --- buttons ----------------------------------------------------------------------------------------------------


def try_click(request: Request) -> Replace | Reply | Modal | None:
    match request.action_value:
        case "replace":
            return Replace(message("Done", [section(":white_check_mark: Done")]))
        case "reply":
            return Reply({"text": "Only you can see this."})
        case "modal":
            return Modal(MODAL)
        case "nothing":
            return None
    raise BadCommand("That button is stale.", example="/try help")


def click(value: str, *, on_home: bool = False) -> dict[str, Any]:
    action = {"action_id": "try_button", "type": "button", "value": value, "block_id": "b1"}
    if on_home:
        return {
            "type": "block_actions",
            "user": {"id": "U0LEE"},
            "container": {"type": "view", "view_id": "V0HOME"},
            "view": {"id": "V0HOME", "type": "home"},
            "actions": [action],
        }
    return {
        "type": "block_actions",
        "user": {"id": "U0LEE"},
        "channel": {"id": "C0SUPPORT"},
        "container": {"type": "message", "message_ts": "1764000000.000100", "channel_id": "C0SUPPORT"},
        "message": {"ts": "1764000000.000100", "text": "A reminder"},
        "actions": [action],
    }


def test_a_button_on_a_message_replaces_it_or_answers_ephemerally(bare_app: App, sim: SlackSimulator) -> None:
    on_action(bare_app, "try_button", try_click)
    for value in ("replace", "reply", "stale", "nothing"):
        assert sim.send_interactive(click(value)).status == 200
    replaced, replied, refused = (r["body"] for r in sim.responses())
    assert replaced["replace_original"] is True and replaced["text"] == "Done"
    assert replied == {"text": "Only you can see this.", "response_type": "ephemeral", "replace_original": False}
    assert refused["response_type"] == "ephemeral" and refused["replace_original"] is False
    assert "That button is stale." in shown(refused) and "/try help" in shown(refused)


def test_a_button_on_the_home_tab_sends_nothing_and_a_refusal_is_logged(
    bare_app: App, sim: SlackSimulator, logs: pytest.LogCaptureFixture
) -> None:
    on_action(bare_app, "try_button", try_click)
    for value in ("replace", "stale"):
        assert sim.send_interactive(click(value, on_home=True)).status == 200
    assert sim.responses() == []  # no message to update: the service refreshes the Home tab instead
    [noted] = records(logs, logging.INFO)
    assert "click changed nothing (BadCommand)" in noted.getMessage() and "action_id=try_button" in noted.getMessage()


def test_a_button_that_cannot_open_its_modal_says_so(
    bare_app: App, sim: SlackSimulator, logs: pytest.LogCaptureFixture
) -> None:
    on_action(bare_app, "try_button", try_click)
    assert sim.send_interactive(click("modal")).status == 200
    assert [v["title"]["text"] for v in sim.views()] == ["Try it"] and sim.responses() == []
    sim.fail_next("views.open", status=200, error="expired_trigger_id", times=2)
    assert sim.send_interactive(click("modal")).status == 200
    [told] = sim.responses()
    assert told["body"]["response_type"] == "ephemeral" and told["body"]["text"] == EXPIRED
    assert sim.send_interactive(click("modal", on_home=True)).status == 200  # nowhere to answer: a warning
    [warned] = records(logs, logging.WARNING)
    assert "Slack refused views.open (expired_trigger_id)" in warned.getMessage() and not warned.exc_info
    assert len(sim.responses()) == 1


# --- modal submissions ------------------------------------------------------------------------------------------

FORM = {
    "type": "modal",
    "callback_id": "try_form",
    "title": {"type": "plain_text", "text": "Try a form"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        section("Fill this in."),
        {
            "type": "input",
            "block_id": NAME_FIELD,
            "label": {"type": "plain_text", "text": "Name"},
            "element": {"type": "plain_text_input", "action_id": "name_input"},
        },
        {
            "type": "input",
            "block_id": "try_when",
            "label": {"type": "plain_text", "text": "When"},
            "element": {"type": "plain_text_input", "action_id": WHEN_FIELD},
        },
    ],
}


def try_submission(request: Request) -> dict[str, Any]:
    match request.value(NAME_FIELD, "name_input"):
        case "late":
            raise BadWhen("That is already past.", example="tomorrow at 10am")
        case "taken":
            raise DuplicateName("“Acme” is taken.", name="Acme")
        case "both":
            raise SettingsInvalid({NAME_FIELD: "Name it.", WHEN_FIELD: "Say when.", "elsewhere": "And this."})
        case "vague":
            raise BadCommand("Something is missing.")
    return {"type": "modal", "title": {"type": "plain_text", "text": "Saved"}, "blocks": [section("Saved.")]}


def submit(sim: SlackSimulator, name: str, *, form: dict[str, Any] = FORM) -> dict[str, Any]:
    values = {NAME_FIELD: {"name_input": {"type": "plain_text_input", "value": name}}}
    delivery = sim.send_interactive(
        {
            "type": "view_submission",
            "user": {"id": "U0LEE"},
            "view": {**form, "id": "V0FORM", "state": {"values": values}},
        }
    )
    assert delivery.status == 200, delivery
    return delivery.body if isinstance(delivery.body, dict) else {}


def test_a_submission_shows_its_result_or_each_error_under_the_input_for_its_field(
    bare_app: App, sim: SlackSimulator
) -> None:
    on_submission(bare_app, "try_form", try_submission)
    saved = submit(sim, "fine")
    assert saved["response_action"] == "update" and saved["view"]["title"]["text"] == "Saved"
    # the input whose action id names the field
    assert submit(sim, "late") == {
        "response_action": "errors",
        "errors": {"try_when": "That is already past. For example: tomorrow at 10am"},
    }
    # the input whose block id names the field
    assert submit(sim, "taken")["errors"] == {NAME_FIELD: "“Acme” is taken."}
    # several fields at once; a field the modal does not have lands on the first input
    assert submit(sim, "both")["errors"] == {NAME_FIELD: "Name it. And this.", "try_when": "Say when."}
    assert submit(sim, "vague")["errors"] == {NAME_FIELD: "Something is missing."}
    without_inputs = {**FORM, "blocks": [section("Nothing to fill in.")]}
    explained = submit(sim, "vague", form=without_inputs)
    assert explained["response_action"] == "update" and explained["view"]["title"]["text"] == "Try a form"
    assert "Something is missing." in shown(explained["view"])


# --- shortcuts --------------------------------------------------------------------------------------------------


def try_shortcut(request: Request) -> dict[str, Any]:
    if request.message.get("text") == "nothing to share":
        raise BadCommand("There is nothing to share in that message.")
    return MODAL


def shortcut(text: str, *, from_message: bool = True) -> dict[str, Any]:
    if not from_message:
        return {"type": "shortcut", "callback_id": "try_shortcut", "user": {"id": "U0LEE"}}
    return {
        "type": "message_action",
        "callback_id": "try_shortcut",
        "user": {"id": "U0LEE"},
        "channel": {"id": "C0SUPPORT"},
        "message": {"ts": "1764000000.000100", "text": text},
    }


def test_a_shortcut_opens_its_modal_or_a_result_view_and_a_refused_open_is_explained(
    bare_app: App, sim: SlackSimulator, logs: pytest.LogCaptureFixture
) -> None:
    on_shortcut(bare_app, "try_shortcut", try_shortcut, title="Share it")
    assert sim.send_interactive(shortcut("a good story")).status == 200
    assert sim.send_interactive(shortcut("nothing to share")).status == 200
    opened, explained = sim.views()
    assert opened["title"]["text"] == "Try it"
    assert explained["title"]["text"] == "Share it" and "nothing to share" in shown(explained["blocks"])
    sim.fail_next("views.open", status=200, error="expired_trigger_id", times=2)
    assert sim.send_interactive(shortcut("a good story")).status == 200
    [told] = sim.responses()
    assert told["body"]["text"] == EXPIRED and told["body"]["response_type"] == "ephemeral"
    assert sim.send_interactive(shortcut("", from_message=False)).status == 200  # a global shortcut: no way back
    [warned] = records(logs, logging.WARNING)
    assert "views.open (expired_trigger_id)" in warned.getMessage() and "kind=shortcut" in warned.getMessage()


# --- events -----------------------------------------------------------------------------------------------------


def try_event(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
    if event.get("text") == "refuse":
        raise BadCommand("Not this one.")
    if event.get("text") in ("post", "post busy"):
        context.client.chat_postMessage(channel="C0NOWHERE" if event["text"] == "post" else "C0SUPPORT", text="hi")
    if event.get("text") == "crash":
        raise ValueError("a bug")


def test_an_event_logs_what_it_could_not_do_and_asks_for_a_retry_only_when_that_may_help(
    bare_app: App, sim: SlackSimulator, logs: pytest.LogCaptureFixture
) -> None:
    on_event(bare_app, "app_mention", try_event)

    def mention(text: str) -> int:
        event = {
            "type": "app_mention",
            "user": "U0DANA",
            "channel": "C0SUPPORT",
            "text": text,
            "ts": "1764000000.000100",
            "event_ts": "1764000000.000100",
        }
        return sim.send_event(event).status

    assert mention("fine") == 200
    assert mention("refuse") == 200
    assert "event changed nothing (BadCommand)" in records(logs, logging.INFO)[-1].getMessage()
    assert mention("post") == 200  # channel_not_found will not change: no retry
    sim.fail_next("chat.postMessage", status=429, retry_after=1)
    assert mention("post busy") == 503  # Slack resends the event later
    warned = [r.getMessage() for r in records(logs, logging.WARNING)]
    assert any("chat.postMessage (channel_not_found)" in w for w in warned)
    assert any("chat.postMessage (ratelimited)" in w for w in warned)
    assert not records(logs, logging.ERROR)
    assert mention("crash") == 500  # not stored: Slack retries, and the event id keeps it once
    [failed] = records(logs, logging.ERROR)
    assert failed.exc_info and "kind=event_callback event=app_mention" in failed.getMessage()


# --- what nobody expected ---------------------------------------------------------------------------------------


def test_an_unexpected_error_is_logged_once_and_the_person_answered_politely(
    bare_app: App, sim: SlackSimulator, logs: pytest.LogCaptureFixture
) -> None:
    on_command(bare_app, "/try", crash)
    on_action(bare_app, "try_button", crash)
    on_submission(bare_app, "try_form", crash)
    on_shortcut(bare_app, "try_shortcut", crash, title="Share it")

    typed = sim.slash_command("U0DANA", "C0SUPPORT", "/try", "add Secret Customer")
    assert typed.status == 200 and isinstance(typed.body, dict)
    assert typed.body["response_type"] == "ephemeral" and typed.body["text"] == UNEXPECTED_ERROR
    [logged] = records(logs, logging.ERROR)
    assert logged.exc_info and logged.exc_info[0] is ValueError
    line = logged.getMessage()
    assert line.startswith("listener failed on kind=command command=/try team=T0SIM0001 user=U0DANA channel=C0SUPPORT")
    assert "trigger_id=" in line and "Secret" not in line and "xox" not in line

    assert sim.send_interactive(click("replace")).status == 200
    assert sim.send_interactive(shortcut("a story")).status == 200
    assert [(r["body"]["text"], r["body"]["response_type"]) for r in sim.responses()] == [
        (UNEXPECTED_ERROR, "ephemeral"),
        (UNEXPECTED_ERROR, "ephemeral"),
    ]
    assert submit(sim, "fine") == {"response_action": "errors", "errors": {NAME_FIELD: UNEXPECTED_ERROR}}
    kinds = [r.getMessage().split()[3] for r in records(logs, logging.ERROR)]
    assert kinds == ["kind=command", "kind=block_actions", "kind=message_action", "kind=view_submission"]
    assert all(r.exc_info for r in records(logs, logging.ERROR))
