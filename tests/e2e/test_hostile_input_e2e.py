"""Bad input never loses an event: hostile text and shapes, signed and unsigned, through the real app.

Every body here goes through the simulator as real HTTP (signed unless said) or over Socket Mode. Each one
answers 200 (ignored or handled) or 4xx, never 5xx; where there was a valid mention it is stored once, and a
retry of the same event stores nothing twice.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bot.blocks import customers as customer_blocks
from bot.blocks import followups as followup_blocks
from bot.blocks import relationships as relationship_blocks
from bot.blocks import story_modal as story_blocks
from bot.blocks.settings_modal import SETTINGS_MODAL_CALLBACK
from bot.blocks.stories import TAG_ACTION_PREFIX
from bot.blocks.story_modal import STORY_MODAL_CALLBACK
from bot.db.models import Customer, FollowUp, Mention
from tests.e2e.conftest import RunningApp

TEAM = "T0SIM0001"
DEEP = 200_000


def message_event(text: str, *, ts: str, user: str = "U0DANA", channel: str = "C0SUPPORT") -> dict[str, Any]:
    """A person's message in a channel, as the Events API wraps it."""
    return {
        "type": "message",
        "channel": channel,
        "channel_type": "channel",
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "team": TEAM,
    }


def ts_now(n: int) -> str:
    """A message ts of this second (so no retention period has passed over it), the n-th of the second."""
    return f"{int(time.time())}.{n:06d}"


def mentions(app: RunningApp) -> list[Mention]:
    """Every stored mention."""
    with app.runtime.deps.session_factory.begin() as session:
        return list(session.scalars(select(Mention).order_by(Mention.id)))


def customer_names(app: RunningApp) -> list[str]:
    """The stored customers' names."""
    with app.runtime.deps.session_factory.begin() as session:
        return list(session.scalars(select(Customer.name).order_by(Customer.id)))


def answered(status: int) -> bool:
    """Handled (200) or refused as the caller's fault (4xx): never a server error."""
    return status == 200 or 400 <= status < 500


# --- text ------------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_errors_logged")
def test_lone_surrogate_in_message_text_is_stored_once_replaced(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    app.command("add Acme Corp")
    ts = sim.seed_message("U0DANA", "C0SUPPORT", "placeholder")
    event = message_event("Acme Corp called \ud800 about the drive", ts=ts)
    assert sim.send_event(event, event_id="Ev0SURROGATE").status == 200
    assert sim.send_event(event, event_id="Ev0SURROGATE", retry_num=1, retry_reason="http_error").status == 200
    [stored] = mentions(app)
    assert stored.excerpt is not None and "\ufffd" in stored.excerpt and "\ud800" not in stored.excerpt


@pytest.mark.usefixtures("no_errors_logged")
def test_lone_surrogate_in_a_customer_name_via_customer_add(running_app: RunningApp) -> None:
    app = running_app
    reply = app.command("add Acme \ud800 Corp")
    assert "Acme" in json.dumps(reply)
    [name] = customer_names(app)
    # Socket Mode's JSON carries the surrogate itself; over HTTP its percent-encoded bytes decode to U+FFFDs.
    assert name.startswith("Acme \ufffd") and name.endswith(" Corp") and "\ud800" not in name
    assert "Acme" in json.dumps(app.command("list"))


@pytest.mark.usefixtures("no_errors_logged")
def test_lone_surrogate_in_the_add_customer_modal(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    values = {
        customer_blocks.NAME_BLOCK: {
            customer_blocks.NAME_ACTION: {"type": "plain_text_input", "value": "Ini\ud800tech"}
        },
        customer_blocks.ALIASES_BLOCK: {
            customer_blocks.ALIASES_ACTION: {"type": "plain_text_input", "value": "\udfff, Init\x00"}
        },
    }
    view = {
        "id": "V0CUSTOMER",
        "type": "modal",
        "callback_id": customer_blocks.ADD_CUSTOMER_CALLBACK,
        "state": {"values": values},
    }
    delivery = sim.send_interactive({"type": "view_submission", "user": {"id": "U0DANA"}, "view": view})
    assert delivery.status == 200, delivery
    assert customer_names(app) == ["Ini\ufffdtech"]


@pytest.mark.usefixtures("no_errors_logged")
def test_nul_in_a_followup_form_note(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    app.command("add Acme Corp")
    values = {
        followup_blocks.MODAL_OWNER_BLOCK: {
            followup_blocks.MODAL_OWNER_ACTION: {"type": "users_select", "selected_user": "U0DANA"}
        },
        followup_blocks.MODAL_CUSTOMER_BLOCK: {
            followup_blocks.MODAL_CUSTOMER_ACTION: {"type": "plain_text_input", "value": "Acme Corp"}
        },
        followup_blocks.MODAL_WHEN_BLOCK: {
            followup_blocks.MODAL_WHEN_ACTION: {"type": "plain_text_input", "value": "tomorrow"}
        },
        followup_blocks.MODAL_NOTE_BLOCK: {
            followup_blocks.MODAL_NOTE_ACTION: {"type": "plain_text_input", "value": "call\x00back \ud83d"}
        },
    }
    view = {
        "id": "V0FOLLOWUP",
        "type": "modal",
        "callback_id": followup_blocks.FOLLOWUP_MODAL_CALLBACK,
        "state": {"values": values},
    }
    delivery = sim.send_interactive({"type": "view_submission", "user": {"id": "U0DANA"}, "view": view})
    assert delivery.status == 200, delivery
    assert isinstance(delivery.body, dict) and delivery.body.get("response_action") == "update", delivery.body
    with app.runtime.deps.session_factory.begin() as session:
        assert list(session.scalars(select(FollowUp.note))) == ["call\ufffdback \ufffd"]


@pytest.mark.usefixtures("no_errors_logged")
def test_nul_in_event_user_channel_and_event_id(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    app.command("add Acme Corp")
    hostile = [
        (message_event("Acme Corp, first", ts=ts_now(100)), "Ev0NUL\x00ID"),
        (message_event("Acme Corp, second", ts=ts_now(200), user="U0DA\x00NA"), "Ev0NULUSER"),
        (message_event("Acme Corp, third", ts=ts_now(300), channel="C0SUP\x00PORT"), "Ev0NULCHANNEL"),
    ]
    for event, event_id in hostile:
        assert sim.send_event(event, event_id=event_id).status == 200
    for event, event_id in hostile:  # Slack's retries store nothing twice
        assert sim.send_event(event, event_id=event_id, retry_num=1, retry_reason="http_timeout").status == 200
    stored = mentions(app)
    assert len(stored) == 3
    assert {m.user_id for m in stored} == {"U0DANA", "U0DA\ufffdNA"}
    assert {m.channel_id for m in stored} == {"C0SUPPORT", "C0SUP\ufffdPORT"}


# --- shapes ----------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_errors_logged")
def test_ids_and_timestamps_no_slack_id_can_be(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    app.command("add Acme Corp")
    ignored = [
        message_event("Acme Corp, a user", ts=ts_now(1), user="U" * 33),
        message_event("Acme Corp, a channel", ts=ts_now(2), channel="C" * 33),
        message_event("Acme Corp, a long ts", ts="1" * 40 + ".000100"),
        message_event("Acme Corp, superscript digits", ts="\u00b2\u00b3.000100"),
        message_event("Acme Corp, far future", ts="99999999999999.000100"),
    ]
    for n, event in enumerate(ignored):
        assert sim.send_event(event, event_id=f"Ev0ODD{n}").status == 200
    assert mentions(app) == []
    # An event id no event id can be is no key to deduplicate by; the mention itself is still stored once.
    kept = message_event("Acme Corp, a long event id", ts=ts_now(3))
    for retry in (0, 1):
        assert sim.send_event(kept, event_id="E" * 65, retry_num=retry).status == 200
    assert [m.excerpt for m in mentions(app)] == ["Acme Corp, a long event id"]


@pytest.mark.usefixtures("no_errors_logged")
def test_reaction_item_that_is_not_an_object(running_app: RunningApp) -> None:
    sim = running_app.sim
    for item in ("C0SUPPORT", ["message"], 7, None, ""):
        for kind in ("reaction_added", "reaction_removed"):
            event = {"type": kind, "user": "U0DANA", "reaction": "star2", "item": item, "event_ts": "1764000000.0001"}
            assert sim.send_event(event).status == 200, item


BAD_STATES: list[Any] = [
    "state",
    ["values"],
    7,
    None,
    {"values": "x"},
    {"values": ["x"]},
    {"values": {"block": "x"}},
    {"values": {"block": {"action": "x"}}},
    {"values": {"block": {"action": ["x"]}}},
]


@pytest.mark.parametrize(
    "callback_id",
    [
        customer_blocks.ADD_CUSTOMER_CALLBACK,
        followup_blocks.FOLLOWUP_MODAL_CALLBACK,
        STORY_MODAL_CALLBACK,
        SETTINGS_MODAL_CALLBACK,
    ],
)
@pytest.mark.usefixtures("no_errors_logged")
def test_modal_state_that_is_not_an_object(http_app: RunningApp, callback_id: str) -> None:
    sim = http_app.sim
    for state in BAD_STATES:
        view = {
            "id": "V0BADSTATE",
            "type": "modal",
            "callback_id": callback_id,
            "state": state,
            "private_metadata": state,
        }
        delivery = sim.send_interactive({"type": "view_submission", "user": {"id": "U0DANA"}, "view": view})
        assert delivery.status == 200, (state, delivery)
    assert customer_names(http_app) == []


HUGE = str(10**20)


@pytest.mark.parametrize(
    ("action_id", "fields"),
    [
        (followup_blocks.DONE_ACTION, {"value": HUGE}),
        (followup_blocks.CHECK_BACK_ACTION, {"value": HUGE}),
        (followup_blocks.SHARE_STORY_ACTION, {"value": HUGE}),
        (followup_blocks.SNOOZE_ACTION, {"selected_option": {"value": f"{HUGE}:1h"}}),
        (followup_blocks.REASSIGN_ACTION, {"block_id": f"followup_{HUGE}", "selected_user": "U0LEE"}),
        (relationship_blocks.PLAN_CHECKIN_ACTION, {"value": HUGE}),
        (relationship_blocks.SNOOZE_QUIET_ACTION, {"value": HUGE}),
        (f"{TAG_ACTION_PREFIX}0", {"value": f"{HUGE}:craft"}),
    ],
)
@pytest.mark.usefixtures("no_errors_logged")
def test_button_value_with_a_huge_id(http_app: RunningApp, action_id: str, fields: dict[str, Any]) -> None:
    sim = http_app.sim
    action = {"type": "button", "action_id": action_id, "block_id": "b", **fields}
    payload = {
        "type": "block_actions",
        "user": "U0LEE",
        "channel": {"id": "C0SUPPORT"},
        "container": {"type": "message", "message_ts": "1764000000.000100", "channel_id": "C0SUPPORT"},
        "message": {"ts": "1764000000.000100", "text": "", "blocks": []},
        "actions": [action],
    }
    delivery = sim.send_interactive(payload)
    assert delivery.status == 200, delivery
    replies = [r["body"]["text"] for r in sim.responses()]
    if action_id.startswith(TAG_ACTION_PREFIX):
        assert replies == []  # a tag on no story changes nothing and says nothing
    else:
        [reply] = replies
        assert "I couldn't tell which" in reply, reply


# --- the HTTP edge ----------------------------------------------------------------------------------------------


def test_unsigned_deeply_nested_body_is_refused_before_it_is_read(
    http_app: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    sim = http_app.sim
    caplog.set_level(logging.INFO)
    for body in (b"[" * DEEP + b"]" * DEEP, b'{"a":' * (DEEP // 2) + b"1" + b"}" * (DEEP // 2)):
        for stale in (None, int(time.time()) - 600):
            started = time.monotonic()
            delivery = sim.send_raw(body, sign=False, timestamp=stale)
            assert delivery.status == 401
            assert time.monotonic() - started < 1.0
    assert sim.send_raw(body, headers={"X-Slack-Signature": "v0=" + "0" * 64}).status == 401
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING]


def test_signed_deeply_nested_bodies_are_bad_requests(http_app: RunningApp, caplog: pytest.LogCaptureFixture) -> None:
    sim = http_app.sim
    caplog.set_level(logging.INFO)
    deep_json = b'{"type": "event_callback", "event": {"type": "message", "x": ' + b"[" * DEEP + b"]" * DEEP + b"}}"
    assert sim.send_raw(deep_json).status == 400
    deep_form = b"payload=" + b"[" * DEEP + b"]" * DEEP
    assert sim.send_raw(deep_form, content_type="application/x-www-form-urlencoded").status == 400
    too_big = b'{"type": "event_callback", "pad": "' + b"x" * 1_000_000 + b'"}'
    assert sim.send_raw(too_big).status == 413
    assert sim.send_raw(too_big, sign=False).status == 413
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_shapes_bolt_itself_cannot_read_are_bad_requests(
    http_app: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    sim = http_app.sim
    caplog.set_level(logging.INFO)
    form = "application/x-www-form-urlencoded"
    unreadable = [
        # Bolt reads view.type of every submission, and authorizations[0] of every event, before any listener.
        ("payload=" + json.dumps({"type": "view_submission", "view": {"callback_id": "customer_add"}}), form),
        (
            json.dumps({"type": "event_callback", "event": {"type": "message"}, "authorizations": [5]}),
            "application/json",
        ),
        (json.dumps({"type": "block_actions", "response_urls": 5, "actions": [{}]}), "application/json"),
        ("payload=" + json.dumps(["not", "an", "object"]), form),
        ("payload=" + json.dumps("a string"), form),
        (json.dumps({"type": "event_callback", "event": "message"}), "application/json"),
    ]
    for body, content_type in unreadable:
        assert sim.send_raw(body.encode(), content_type=content_type).status == 400, body
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


# --- a locked database ------------------------------------------------------------------------------------------

# Slack's limit for an answer, less what the simulator and a busy test machine take around the app's own wait.
ANSWER_WITHIN = 3.0


@contextmanager
def locked_database(app: RunningApp, database_url: str) -> Iterator[None]:
    """Another connection holds what storing a message or a customer needs: SQLite's write lock, or PostgreSQL's
    tables of event ids, mentions and customers (ACCESS EXCLUSIVE, so even reading them waits)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(str(url.database), isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    with app.runtime.engine.connect() as holder:
        holder.execute(
            text("LOCK TABLE processed_events, mentions, customers, customer_names IN ACCESS EXCLUSIVE MODE")
        )
        try:
            yield
        finally:
            holder.rollback()


def test_a_locked_database_answers_in_time_and_slacks_retry_stores_once(
    http_app: RunningApp, database_url: str
) -> None:
    app, sim = http_app, http_app.sim
    app.command("add Acme Corp")
    # A running app has stored messages before: its caches are warm, and only the lock is measured here.
    assert sim.send_event(message_event("Acme Corp, earlier", ts=ts_now(50)), event_id="Ev0WARM").status == 200
    sim.http_timeout = 30  # long enough to see a late answer, rather than the simulator's own timeout
    events = [(message_event(f"Acme Corp called, {n}", ts=ts_now(100 + n)), f"Ev0LOCKED{n}") for n in range(4)]

    def deliver(event: tuple[dict[str, Any], str]) -> tuple[int, float]:
        started = time.monotonic()
        status = sim.send_event(event[0], event_id=event[1]).status
        return status, time.monotonic() - started

    with locked_database(app, database_url), ThreadPoolExecutor(len(events)) as pool:
        answers = list(pool.map(deliver, events))  # several at once: they share (and fail) one group commit
    for status, took in answers:
        assert status >= 500 and took < ANSWER_WITHIN, answers  # a 5xx in time: Slack retries
    assert len(mentions(app)) == 1  # each transaction rolled back: only the earlier message is stored
    for event, event_id in events:  # Slack's retries, once the lock is gone
        assert sim.send_event(event, event_id=event_id, retry_num=1, retry_reason="http_error").status == 200
        assert sim.send_event(event, event_id=event_id, retry_num=2, retry_reason="http_error").status == 200
    stored = sorted(m.excerpt or "" for m in mentions(app))
    assert stored == [
        "Acme Corp called, 0",
        "Acme Corp called, 1",
        "Acme Corp called, 2",
        "Acme Corp called, 3",
        "Acme Corp, earlier",
    ]


def test_a_command_on_a_locked_database_answers_in_time(http_app: RunningApp, database_url: str) -> None:
    app, sim = http_app, http_app.sim
    sim.http_timeout = 30
    with locked_database(app, database_url):
        started = time.monotonic()
        delivery = sim.slash_command("U0DANA", "C0SUPPORT", "/customer", "add Acme Corp")
        took = time.monotonic() - started
    assert delivery.status == 200 and took < ANSWER_WITHIN
    assert "something went wrong" in json.dumps(delivery.body)  # said politely; a command is never retried
    assert "Acme Corp" in json.dumps(app.command("add Acme Corp"))
    assert customer_names(app) == ["Acme Corp"]


# --- people's words stay out of the logs -----------------------------------------------------------------------

SECRET = "Acme Corp says the merger is secret-8f3e"


def _rename(app: RunningApp, old: str, new: str) -> None:
    with app.runtime.engine.begin() as connection:
        connection.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))


def _logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every record at INFO or above as a handler would write it: the message and any traceback."""
    formatter = logging.Formatter()
    return [
        record.getMessage() + (formatter.formatException(record.exc_info) if record.exc_info else "")
        for record in caplog.records
        if record.levelno >= logging.INFO
    ]


def test_database_errors_keep_peoples_words_out_of_the_logs(
    running_app: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    app, sim = running_app, running_app.sim
    app.command("add Acme Corp")
    ts, posted = sim.post_message("U0DANA", "C0SUPPORT", "Acme Corp called")
    assert posted.status == 200
    sim.ack_timeout = 1.0  # what fails is never acknowledged over Socket Mode: no need to wait long for it
    caplog.set_level(logging.INFO)
    _rename(app, "mentions", "mentions_away")
    _rename(app, "customers", "customers_away")
    try:
        new = sim.send_event(message_event(SECRET, ts=ts_now(900)), event_id="Ev0SECRETNEW")  # the message intake
        edited = sim.edit_message("C0SUPPORT", ts, SECRET)  # an ORM transaction, its statements' parameters
        added = sim.slash_command("U0DANA", "C0SUPPORT", "/customer", f"add {SECRET}")
    finally:
        _rename(app, "mentions_away", "mentions")
        _rename(app, "customers_away", "customers")
    failed = 500 if app.transport == "http" else 0  # Socket Mode: no acknowledgement
    assert new.status == failed and edited.status == failed
    assert added.status == 200 and "something went wrong" in json.dumps(added.body)
    logged = _logged(caplog)
    assert any("listener failed" in line and "Traceback" in line for line in logged)  # the failures were logged
    assert not [line for line in logged if "secret-8f3e" in line or "merger" in line]


# --- any text at all ---------------------------------------------------------------------------------------------

# Every code point, NUL and lone surrogates included (Hypothesis leaves surrogates out unless told).
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=60)
# IDs are Slack's to make: short, but made of anything here.
ANY_ID = st.text(st.characters(exclude_categories=()), min_size=1, max_size=12)


def _input(block: str, action: str, value: str) -> dict[str, Any]:
    return {block: {action: {"type": "plain_text_input", "value": value}}}


def _submit(sim: Any, callback_id: str, values: dict[str, Any], metadata: str = "") -> int:
    view = {
        "id": "V0ANYTEXT",
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": metadata,
        "state": {"values": values},
    }
    return int(sim.send_interactive({"type": "view_submission", "user": {"id": "U0DANA"}, "view": view}).status)


def _click(sim: Any, action_id: str, value: str) -> int:
    action = {"type": "button", "action_id": action_id, "block_id": f"followup_{value}", "value": value}
    payload = {
        "type": "block_actions",
        "user": "U0LEE",
        "channel": {"id": "C0SUPPORT"},
        "container": {"type": "message", "message_ts": "1764000000.000100", "channel_id": "C0SUPPORT"},
        "message": {"ts": "1764000000.000100", "text": value, "blocks": []},
        "actions": [action | {"selected_option": {"value": value}, "selected_user": value}],
    }
    return int(sim.send_interactive(payload).status)


_sent = iter(range(10**6))


@pytest.mark.usefixtures("no_errors_logged")
@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=ANY_TEXT, other=ANY_TEXT, some_id=ANY_ID)
def test_any_text_in_any_field_is_answered_and_a_mention_stored_once(
    http_app: RunningApp, words: str, other: str, some_id: str
) -> None:
    app, sim = http_app, http_app.sim
    if not customer_names(app):
        app.command("add Acme Corp")
    n = next(_sent)
    # A message naming a customer, whatever else it says: stored once, however often Slack retries it (other
    # customers these words name, added by earlier examples, may be mentioned too).
    event = message_event(f"Acme Corp {words}", ts=ts_now(n))
    assert sim.send_event(event, event_id=f"Ev0ANY{n}").status == 200
    stored = [m for m in mentions(app) if m.message_ts == event["ts"]]
    assert sim.send_event(event, event_id=f"Ev0ANY{n}", retry_num=1, retry_reason="http_timeout").status == 200
    assert [m.id for m in mentions(app) if m.message_ts == event["ts"]] == [m.id for m in stored]
    with app.runtime.deps.session_factory.begin() as session:
        acme = session.scalar(select(Customer.id).where(Customer.name == "Acme Corp"))
    assert [m.customer_id for m in stored].count(acme) == 1
    # The same with anything in the IDs.
    odd = message_event(f"Acme Corp {other}", ts=ts_now(n), user=some_id, channel=some_id)
    for retry in (0, 1):
        assert answered(sim.send_event(odd, event_id=f"Ev{some_id}{n}", retry_num=retry).status)
    # Commands, forms and buttons.
    for command in ("/customer", "/followup", "/kudos", "/rapport"):
        assert sim.slash_command("U0DANA", "C0SUPPORT", command, words).status == 200
    assert sim.slash_command("U0DANA", "C0SUPPORT", "/customer", f"add {words}").status == 200
    name = _input(customer_blocks.NAME_BLOCK, customer_blocks.NAME_ACTION, words)
    aliases = _input(customer_blocks.ALIASES_BLOCK, customer_blocks.ALIASES_ACTION, other)
    assert _submit(sim, customer_blocks.ADD_CUSTOMER_CALLBACK, name | aliases, metadata=other) == 200
    followup = (
        _input(followup_blocks.MODAL_CUSTOMER_BLOCK, followup_blocks.MODAL_CUSTOMER_ACTION, "Acme Corp")
        | _input(followup_blocks.MODAL_WHEN_BLOCK, followup_blocks.MODAL_WHEN_ACTION, "tomorrow")
        | _input(followup_blocks.MODAL_NOTE_BLOCK, followup_blocks.MODAL_NOTE_ACTION, words or "x")
    )
    assert _submit(sim, followup_blocks.FOLLOWUP_MODAL_CALLBACK, followup, metadata=other) == 200
    thanks = _input(story_blocks.THANKS_BLOCK, story_blocks.THANKS_ACTION, words)
    credited = {story_blocks.CREDITED_BLOCK: {story_blocks.CREDITED_ACTION: {"selected_users": ["U0LEE", other]}}}
    assert _submit(sim, STORY_MODAL_CALLBACK, thanks | credited, metadata=other) == 200
    for action_id in (
        followup_blocks.DONE_ACTION,
        followup_blocks.SNOOZE_ACTION,
        followup_blocks.REASSIGN_ACTION,
        followup_blocks.CHECK_BACK_ACTION,
        followup_blocks.SHARE_STORY_ACTION,
        relationship_blocks.PLAN_CHECKIN_ACTION,
        relationship_blocks.SNOOZE_QUIET_ACTION,
        f"{TAG_ACTION_PREFIX}0",
    ):
        assert _click(sim, action_id, words) == 200
    reaction = {"type": "reaction_added", "user": some_id, "reaction": words, "event_ts": ts_now(n % 1_000_000)}
    item = {"type": "message", "channel": some_id, "ts": other}
    assert sim.send_event(reaction | {"item": item}).status == 200
