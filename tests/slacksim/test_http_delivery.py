"""Signed HTTP delivery to a real Bolt app served over WSGI."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from slack_bolt import Ack, App, BoltRequest, Respond, Say
from slack_sdk import WebClient

from bot.slacksim import SlackSimulator
from tests.slacksim.helpers import SHARED, bolt_app, serve_bolt


@dataclass
class Seen:
    """What the Bolt app observed."""

    retries: list[str | None] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def seen() -> Seen:
    """A fresh record of what the Bolt app observed."""
    return Seen()


@pytest.fixture
def app(sim: SlackSimulator, seen: Seen) -> App:
    """A Bolt app with an echo message listener, a /rapport command and a button handler."""
    bolt = bolt_app(sim)

    @bolt.middleware
    def record(body: dict[str, Any], next: Any) -> Any:
        seen.bodies.append(body)
        return next()

    @bolt.event("message")
    def on_message(event: dict[str, Any], say: Say, request: BoltRequest) -> None:
        seen.retries.append(request.headers.get("x-slack-retry-num", [None])[0])
        if not event.get("bot_id") and not event.get("subtype"):
            say(text=f"echo: {event['text']}", thread_ts=event.get("thread_ts") or event["ts"])

    @bolt.event("member_joined_channel")
    @bolt.event("member_left_channel")
    def on_membership(ack: Ack) -> None:
        ack()

    @bolt.command("/rapport")
    def on_command(ack: Ack, body: dict[str, Any], client: Any, respond: Respond) -> None:
        ack(text=f"got it: {body['text']}")
        respond(text="later, just for you")

    @bolt.action("pick")
    def on_pick(ack: Ack, body: dict[str, Any], client: Any) -> None:
        ack()
        client.views_open(
            trigger_id=body["trigger_id"],
            view={"type": "modal", "title": {"type": "plain_text", "text": "Picked"}, "blocks": []},
        )

    @bolt.action("done")
    def on_done(ack: Ack, respond: Respond) -> None:
        ack()
        respond(text="done!", replace_original=True)

    return bolt


def test_event_is_signed_and_handled(sim: SlackSimulator, app: App, seen: Seen) -> None:
    with serve_bolt(app) as url:
        sim.deliver_http_to(url)
        joined = sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA")
        assert (joined.status, joined.transport) == (200, "http")
        ts, delivery = sim.post_message("U0DANA", "C0SUPPORT", "hello there")
        assert delivery.status == 200
        # process_before_response=True: the reply was posted before Bolt answered the request.
        [reply] = [m for m in sim.messages("C0SUPPORT") if m.get("bot_id")]
        assert reply["text"] == "echo: hello there" and reply["thread_ts"] == ts
        retry = sim.send_event(
            {
                "type": "message",
                "channel": "C0SUPPORT",
                "user": "U0DANA",
                "text": "again",
                "ts": ts,
                "event_ts": ts,
                "channel_type": "channel",
            },
            event_id="Ev0RETRY",
            retry_num=1,
        )
        assert retry.status == 200
    assert seen.retries == [None, "1"]


def test_slash_command_ack_and_response_url(sim: SlackSimulator, app: App) -> None:
    with serve_bolt(app) as url:
        sim.deliver_http_to(url)
        delivery = sim.slash_command("U0LEE", "C0SUPPORT", "/rapport", "status")
    assert delivery.status == 200
    assert delivery.body == "got it: status"  # Bolt answers a text-only ack as text/plain over HTTP
    [response] = sim.responses()
    assert response["body"]["text"] == "later, just for you" and response["user"] == "U0LEE"
    assert sim.ephemerals(user="U0LEE")[0]["text"] == "later, just for you"


def test_interactive_trigger_opens_modal(sim: SlackSimulator, app: App) -> None:
    with serve_bolt(app) as url:
        sim.deliver_http_to(url)
        delivery = sim.send_interactive(
            {
                "type": "block_actions",
                "user": "U0DANA",
                "actions": [
                    {
                        "type": "button",
                        "action_id": "pick",
                        "block_id": "b",
                        "value": "1",
                        "action_ts": str(time.time()),
                    }
                ],
                "container": {"type": "message", "message_ts": "1.0", "channel_id": "C0SUPPORT"},
                "channel": {"id": "C0SUPPORT", "name": "support"},
            }
        )
    assert delivery.status == 200
    [view] = sim.views()
    assert view["title"]["text"] == "Picked" and view["user"] == "U0DANA"


def test_bad_signatures_are_rejected_by_bolt(sim: SlackSimulator, app: App) -> None:
    body = json.dumps({"type": "event_callback", "event": {"type": "app_mention"}}).encode()
    with serve_bolt(app) as url:
        sim.deliver_http_to(url)
        assert sim.send_raw(body, sign=False).status == 401
        assert sim.send_raw(body, timestamp=time.time() - 600).status == 401
        assert sim.send_raw(body, headers={"X-Slack-Signature": "v0=deadbeef"}).status == 401


def test_delivery_needs_a_target(sim: SlackSimulator) -> None:
    with pytest.raises(RuntimeError):
        sim.send_event({"type": "app_mention"})


def test_event_shapes(sim: SlackSimulator, app: App, seen: Seen) -> None:
    with serve_bolt(app) as url:
        sim.deliver_http_to(url)
        sim.add_bot_to_channel("C0ACME", inviter="U0DANA")
        ts, _ = sim.post_message("W0EXTBOB", "C0ACME", "hi from acme")
        sim.edit_message("C0ACME", ts, "edited")
        sim.delete_message("C0ACME", ts)  # it has the echo as a reply: Slack leaves a tombstone
        lone = sim.seed_message("U0DANA", "C0ACME", "no replies to this one")
        sim.delete_message("C0ACME", lone)
        sim.remove_bot_from_channel("C0ACME")
        sim.post_message("U0LEE", "D0LEE", "a DM")
    envelopes = seen.bodies
    schema = json.loads((SHARED / "event-wrapper-schema.json").read_text())
    required = set(schema["required"]) - {"authed_users"}  # newer payloads carry authorizations instead
    for env in envelopes:
        assert required <= set(env), env
        assert {"type", "event_ts"} <= set(env["event"])
        assert env["authorizations"][0]["user_id"] == "U0RAPPORT" and env["event_id"].startswith("Ev")
    events = [e["event"] for e in envelopes]
    kinds = [(e["type"], e.get("subtype")) for e in events]
    # The bot's own echo replies are not fed back as events (see the simulator's limitations).
    assert kinds == [
        ("member_joined_channel", None),
        ("message", None),
        ("message", "message_changed"),
        ("message", "message_changed"),
        ("message", "message_deleted"),
        ("member_left_channel", None),
        ("message", None),
    ]
    joined, external = events[0], events[1]
    assert (joined["user"], joined["channel_type"], joined["inviter"]) == ("U0RAPPORT", "C", "U0DANA")
    assert envelopes[1]["is_ext_shared_channel"] is True
    assert (external["team"], external["user_team"], external["source_team"]) == ("T0EXT0001",) * 3
    changed, tombstone = (e for e in events if e.get("subtype") == "message_changed")
    assert (changed["message"]["text"], changed["previous_message"]["text"]) == ("edited", "hi from acme")
    assert tombstone["message"]["subtype"] == "tombstone" and tombstone["message"]["ts"] == ts
    assert tombstone["message"]["text"] == "This message was deleted." and tombstone["message"]["reply_count"] == 1
    deleted = next(e for e in events if e.get("subtype") == "message_deleted")
    assert deleted["deleted_ts"] == lone
    dm = events[-1]
    assert (dm["channel"], dm["channel_type"], dm["text"]) == ("D0LEE", "im", "a DM")


def test_response_url_replaces_the_original_message(sim: SlackSimulator, app: App) -> None:
    sim.set_bot_member("C0SUPPORT")
    ts = WebClient(token=sim.bot_token, base_url=sim.api_url).chat_postMessage(channel="C0SUPPORT", text="?")["ts"]
    with serve_bolt(app) as url:
        sim.deliver_http_to(url)
        sim.send_interactive(
            {
                "type": "block_actions",
                "user": {"id": "U0DANA"},
                "actions": [{"type": "button", "action_id": "done", "block_id": "b", "action_ts": "1.0"}],
                "container": {"type": "message", "message_ts": ts, "channel_id": "C0SUPPORT"},
                "channel": {"id": "C0SUPPORT", "name": "support"},
                "message": {"ts": ts, "text": "?"},
            }
        )
    assert [m["text"] for m in sim.messages("C0SUPPORT")] == ["done!"]
