"""The simulator's Slack Connect shapes against Slack's own samples (tests/fixtures/slack): every key the simulator
sends is one Slack's sample has, at the same place, and the values tell what Slack tells (the creating organisation
in the envelope, no team fields on file shares and thread broadcasts, tombstones, Slackbot, Enterprise Grid ids,
guests and people of other organisations in users.info, their own team on their commands and clicks)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot.slacksim import SimUser, SlackSimulator
from tests.conftest import SLACK_FIXTURES
from tests.slacksim.helpers import bolt_app, serve_bolt

EVENTS = SLACK_FIXTURES / "payloads" / "events"
HOST, ACME = "T0SIM0001", "T0EXT0001"


def sample(path: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SLACK_FIXTURES / path).read_text())
    return loaded


def keys_within(sent: Any, known: Any, where: str = "") -> list[str]:
    """Paths of keys in `sent` that Slack's sample `known` does not have at that place (lists: their first item)."""
    if isinstance(sent, dict) and isinstance(known, dict):
        unknown = [f"{where}.{key}" for key in sent if key not in known]
        return unknown + [
            p for key in sent if key in known for p in keys_within(sent[key], known[key], f"{where}.{key}")
        ]
    if isinstance(sent, list) and isinstance(known, list) and sent and known:
        return [p for item in sent for p in keys_within(item, known[0], f"{where}[]")]
    return []


def merged(*shapes: dict[str, Any]) -> dict[str, Any]:
    """The union of several samples' keys (Slack's samples each show the fields seen on one kind of payload)."""
    union: dict[str, Any] = {}
    for shape in shapes:
        for key, value in shape.items():
            union[key] = (
                merged(union[key], value) if isinstance(union.get(key), dict) and isinstance(value, dict) else value
            )
    return union


# Every envelope field any of Slack's event samples carries, and every field of a person's message in a channel.
ENVELOPE = merged(
    *({k: v for k, v in sample(f"payloads/events/{p.name}").items() if k != "event"} for p in EVENTS.glob("*.json"))
)
MESSAGE = merged(
    sample("payloads/events/MessagePayload.json")["event"],
    sample("payloads/events/MessageChangedPayload.json")["event"]["message"],
)


def envelope_within(body: dict[str, Any], event: dict[str, Any]) -> list[str]:
    """Unknown keys of an envelope (against every sample's) and of its event (against `event`)."""
    return keys_within({k: v for k, v in body.items() if k != "event"}, ENVELOPE) + keys_within(body["event"], event)


@pytest.fixture
def captured(sim: SlackSimulator) -> Iterator[tuple[SlackSimulator, list[dict[str, Any]]]]:
    """The simulator delivering to a Bolt app that only records every body it gets."""
    bodies: list[dict[str, Any]] = []
    app: App = bolt_app(sim)

    @app.middleware
    def record(body: dict[str, Any], next: Any) -> Any:
        bodies.append(body)
        return next()

    @app.event("message")
    @app.event("member_joined_channel")
    @app.event("reaction_added")
    def ignore() -> None:
        return None

    with serve_bolt(app) as url:
        sim.deliver_http_to(url)
        yield sim, bodies


def from_customer_channel(sim: SlackSimulator) -> None:
    channel = sim.workspace.channel("C0ACME")
    assert channel is not None
    channel.host_team_id = ACME


def test_a_customer_created_channels_envelope(captured: tuple[SlackSimulator, list[dict[str, Any]]]) -> None:
    sim, bodies = captured
    from_customer_channel(sim)
    sim.add_bot_to_channel("C0ACME", inviter="U0DANA")
    ts, _ = sim.post_message("U0DANA", "C0ACME", "hello")
    sim.react("W0EXTBOB", "C0ACME", ts, "wave")
    joined, message, reaction = bodies
    joined_event = sample("payloads/events/MemberJoinedChannelPayload.json")["event"]
    reaction_event = sample("payloads/events/ReactionAddedPayload.json")["event"]
    for body, event in ((joined, joined_event), (message, MESSAGE), (reaction, reaction_event)):
        assert envelope_within(body, event) == []
        assert (body["team_id"], body["authorizations"][0]["team_id"]) == (ACME, HOST)
        assert body["is_ext_shared_channel"] is True
    assert message["event"]["user_team"] == message["event"]["source_team"] == HOST
    info = WebClient(token=sim.bot_token, base_url=sim.api_url).conversations_info(channel="C0ACME")["channel"]
    assert info["conversation_host_id"] == ACME and info["is_ext_shared"] is True


def test_file_share_and_thread_broadcast_carry_no_team(captured: tuple[SlackSimulator, list[dict[str, Any]]]) -> None:
    sim, bodies = captured
    ts, _ = sim.post_message("W0EXTBOB", "C0ACME", "help")
    sim.share_file("W0EXTBOB", "C0ACME", "screenshot", thread_ts=ts)
    sim.broadcast_reply("U0DANA", "C0ACME", "on it", thread_ts=ts)
    _, shared, broadcast = (b["event"] for b in bodies)
    assert keys_within(shared, sample("payloads/events/MessageFileSharePayload.json")["event"]) == []
    assert keys_within(broadcast, sample("payloads/events/MessageThreadBroadcastPayload.json")["event"]) == []
    assert shared["subtype"] == "file_share" and shared["files"][0]["user"] == "W0EXTBOB"
    assert broadcast["subtype"] == "thread_broadcast" and broadcast["root"]["ts"] == ts
    for event in (shared, broadcast):
        assert not {"team", "user_team", "source_team"} & set(event)


def test_a_deleted_thread_parent_is_a_tombstone(captured: tuple[SlackSimulator, list[dict[str, Any]]]) -> None:
    sim, bodies = captured
    ts, _ = sim.post_message("W0EXTBOB", "C0ACME", "parent")
    sim.post_message("U0DANA", "C0ACME", "reply", thread_ts=ts)
    sim.delete_message("C0ACME", ts)
    changed = bodies[-1]["event"]
    known = sample("payloads/events/MessageChangedPayload.json")["event"]
    # A thread parent lists its repliers (`reply_users`, as conversations.history shows); the sample's message does not.
    known = {**known, "message": {**known["message"], "reply_users": [""]}}
    assert keys_within({k: v for k, v in changed.items() if k != "previous_message"}, known) == []
    tombstone = changed["message"]
    assert (changed["subtype"], tombstone["subtype"], tombstone["ts"]) == ("message_changed", "tombstone", ts)
    assert (tombstone["text"], tombstone["user"], tombstone["hidden"]) == (
        "This message was deleted.",
        "USLACKBOT",
        True,
    )
    assert [m["subtype"] for m in sim.messages("C0ACME") if m["ts"] == ts] == ["tombstone"]  # it stays in history


def test_slackbot_speaks_without_a_bot_id(captured: tuple[SlackSimulator, list[dict[str, Any]]]) -> None:
    sim, bodies = captured
    sim.post_message("USLACKBOT", "C0SUPPORT", "Reminder: standup")
    event = bodies[-1]["event"]
    assert envelope_within(bodies[-1], MESSAGE) == []
    assert event["user"] == "USLACKBOT" and "bot_id" not in event
    user = WebClient(token=sim.bot_token, base_url=sim.api_url).users_info(user="USLACKBOT")["user"]
    assert (user["id"], user["is_bot"]) == ("USLACKBOT", False)  # Slack does not mark Slackbot a bot


def test_enterprise_grid_ids(captured: tuple[SlackSimulator, list[dict[str, Any]]]) -> None:
    sim, bodies = captured
    ws = sim.workspace
    ws.enterprise_id = "E0GRID"
    ws.users.append(SimUser("W0SAM", "sam", "Sam", "UTC", team_id="T0SIM0002", enterprise_id="E0GRID"))
    sim.post_message("W0SAM", "C0ACME", "from a sibling workspace")
    body = bodies[-1]
    assert envelope_within(body, MESSAGE) == []
    assert body["event"]["user_team"] == "E0GRID" and body["authorizations"][0]["enterprise_id"] == "E0GRID"
    client = WebClient(token=sim.bot_token, base_url=sim.api_url)
    user = client.users_info(user="W0SAM")["user"]
    assert keys_within(user, sample("api-responses/users.info.json")["user"]) == []
    assert user["enterprise_user"]["enterprise_id"] == "E0GRID" and user["team_id"] == "T0SIM0002"
    assert "is_stranger" not in user
    assert client.auth_test()["enterprise_id"] == "E0GRID"


def test_guests_and_other_organisations_in_users_info(sim: SlackSimulator) -> None:
    ws = sim.workspace
    ws.users.append(SimUser("U0GUEST", "gus", "Gus", "UTC", is_restricted=True, is_ultra_restricted=True))
    ws.users.append(SimUser("W0STRANGER", "sid", "Sid", "UTC", team_id="T0ELSEWHERE"))  # in no shared channel
    client = WebClient(token=sim.bot_token, base_url=sim.api_url)
    known = sample("api-responses/users.info.json")["user"]
    guest, bob, stranger = (client.users_info(user=u)["user"] for u in ("U0GUEST", "W0EXTBOB", "W0STRANGER"))
    for user in (guest, bob, stranger):
        assert keys_within(user, known) == []
    assert (guest["is_restricted"], guest["is_ultra_restricted"], guest["team_id"]) == (True, True, HOST)
    assert bob["team_id"] == ACME and "is_stranger" not in bob  # Bob shares a channel with the workspace
    assert stranger["team_id"] == "T0ELSEWHERE" and stranger["is_stranger"] is True


def test_a_customers_command_and_click_carry_their_own_team(sim: SlackSimulator) -> None:
    bodies: list[dict[str, Any]] = []
    app = bolt_app(sim)

    @app.middleware
    def record(body: dict[str, Any], next: Any) -> Any:
        bodies.append(body)
        return next()

    @app.command("/customer")
    def command(ack: Any) -> None:
        ack()

    @app.action("pick")
    def click(ack: Any) -> None:
        ack()

    with serve_bolt(app) as url:
        sim.deliver_http_to(url)
        sim.slash_command("W0EXTBOB", "C0ACME", "/customer", "list")
        sim.send_interactive(
            {"user": {"id": "W0EXTBOB"}, "channel": {"id": "C0ACME"}, "actions": [{"action_id": "pick"}]}
        )
    command_body, click_body = bodies
    assert keys_within(command_body, sample("payloads/app-backend/slash-commands/SlashCommandPayload.json")) == []
    assert command_body["team_id"] == ACME
    assert (click_body["team"]["id"], click_body["user"]["team_id"]) == (ACME, ACME)
