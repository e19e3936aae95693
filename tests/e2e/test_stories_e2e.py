"""Stories end to end: real signed reaction events, slash commands and button clicks into the running app, the
background sender delivering the shout-outs and DMs to the simulator; Slack's retries and simultaneous reactions
on the suite's database (SQLite, or PostgreSQL with RAPPORT_TEST_DATABASE_URL)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, text

from bot.db.models import OutboxMessage, ProcessedEvent, Story
from bot.db.queries import settings as settings_rows
from bot.db.queries import stories as story_rows
from bot.services import stories
from bot.slacksim import SlackSimulator
from tests.e2e.clicks import polite_refusal
from tests.e2e.conftest import RunningApp, eventually

TEAM = "T0SIM0001"
STORY_KINDS = (*stories.RENDERED_KINDS, stories.STORY_SELF_NOTE)
SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "slack" / "payloads" / "events"


# --- helpers ----------------------------------------------------------------------------------------------


def _reaction(
    kind: str, *, user: str, ts: str, channel: str = "C0SUPPORT", reaction: str = "star2", item_user: str = "U0STEPH"
) -> dict[str, Any]:
    return {
        "type": kind,
        "user": user,
        "reaction": reaction,
        "item_user": item_user,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": ts,
    }


def react(
    app: RunningApp,
    *,
    user: str,
    ts: str,
    channel: str = "C0SUPPORT",
    reaction: str = "star2",
    event_id: str | None = None,
    retry_num: int = 0,
) -> None:
    """A person adds a reaction; Slack gets its answer only once the effects are stored."""
    delivery = app.sim.send_event(
        _reaction("reaction_added", user=user, ts=ts, channel=channel, reaction=reaction),
        event_id=event_id,
        retry_num=retry_num,
    )
    assert delivery.status == 200, delivery


def unreact(app: RunningApp, *, user: str, ts: str, channel: str = "C0SUPPORT", reaction: str = "star2") -> None:
    """A person takes their reaction off."""
    delivery = app.sim.send_event(_reaction("reaction_removed", user=user, ts=ts, channel=channel, reaction=reaction))
    assert delivery.status == 200, delivery


def settled(app: RunningApp) -> None:
    """Wait until the background sender has delivered (or skipped) every outbox row."""

    def idle() -> bool:
        with app.runtime.deps.session_factory.begin() as session:
            busy = select(func.count(OutboxMessage.id)).where(OutboxMessage.state.in_(("pending", "sending")))
            return session.scalar(busy) == 0

    eventually(idle)


def shoutouts(sim: SlackSimulator, channel: str = "C0SUPPORT") -> list[dict[str, Any]]:
    """The bot's shout-outs in a channel, thread replies included."""
    return [m for m in sim.messages(channel) if m.get("bot_id") and "A good story" in json.dumps(m)]


def shoutout_reading(sim: SlackSimulator, words: str, channel: str = "C0SUPPORT") -> dict[str, Any]:
    """Wait for the one shout-out in `channel` to contain `words`."""
    return eventually(lambda: [s for s in shoutouts(sim, channel) if words in json.dumps(s)])[0]


def recognised_line(shout: dict[str, Any]) -> str:
    """The shout-out's "Recognised by …" line."""
    return next(
        e["text"]
        for b in shout["blocks"]
        if b["type"] == "context"
        for e in b["elements"]
        if e["text"].startswith("Recognised by")
    )


def shoutout_posts(sim: SlackSimulator, channel: str) -> list[Any]:
    """chat.postMessage calls posting a shout-out into a channel."""
    return [
        c
        for c in sim.calls_to("chat.postMessage")
        if c.args.get("channel") == channel and "A good story" in json.dumps(c.args)
    ]


def story_count(app: RunningApp) -> int:
    with app.runtime.deps.session_factory.begin() as session:
        return int(session.scalar(select(func.count(Story.id))) or 0)


def set_stories_channel(app: RunningApp, channel: str) -> None:
    """What the settings modal (a later issue) will do: choose the stories channel."""
    deps = app.runtime.deps
    with deps.session_factory.begin() as session:
        settings_rows.of_workspace(session, team_id=TEAM, now=deps.clock()).stories_channel = channel


def tag_click(sim: SlackSimulator, shout: dict[str, Any], *, user: str, channel: str, principle: str) -> int:
    """Click a principle tag on the shout-out in the channel (block_actions on a channel message)."""
    actions = next(b for b in shout["blocks"] if b["type"] == "actions")
    button = next(e for e in actions["elements"] if e["action_id"] == f"story_tag_{principle}")
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "container": {"type": "message", "message_ts": shout["ts"], "channel_id": channel, "is_ephemeral": False},
        "channel": {"id": channel, "name": "support"},
        "message": shout,
        "actions": [button | {"block_id": actions["block_id"], "type": "button", "action_ts": str(time.time())}],
    }
    return sim.send_interactive(payload).status


# --- recognitions, withdrawals, tags ----------------------------------------------------------------------


@pytest.mark.usefixtures("no_errors_logged")
def test_three_recognitions_one_shoutout_updated_in_place_one_dm_then_removed(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    ts, _ = sim.post_message(
        "U0STEPH", "C0SUPPORT", "Of course, let me call AT&amp;T for you and stay until it's solved"
    )

    react(app, user="U0DANA", ts=ts)
    first = shoutout_reading(sim, "Recognised by <@U0DANA>")
    assert first["thread_ts"] == ts  # no stories channel yet: in the source message's thread
    react(app, user="U0KIRI", ts=ts)
    react(app, user="U0LEE", ts=ts)
    shoutout_reading(sim, "Recognised by <@U0DANA>, <@U0KIRI> and <@U0LEE>")
    unreact(app, user="U0KIRI", ts=ts)
    shout = shoutout_reading(sim, "Recognised by <@U0DANA> and <@U0LEE>")
    settled(app)

    [shout] = shoutouts(sim)
    assert shout["ts"] == first["ts"]  # updated in place
    assert recognised_line(shout).startswith("Recognised by <@U0DANA> and <@U0LEE> · <https://")
    assert "U0KIRI" not in json.dumps(shout)
    assert "<@U0STEPH>" in json.dumps(shout["blocks"][0])  # the person credited: the author
    assert "AT&amp;T" in json.dumps(shout) and "&amp;amp;" not in json.dumps(shout)  # Slack's entities, once
    assert len(shoutout_posts(sim, "C0SUPPORT")) == 1  # posted once
    assert {c.args["ts"] for c in sim.calls_to("chat.update")} == {shout["ts"]}

    [dm] = sim.dm_messages("U0STEPH")  # told once, with a link to the shout-out in its thread
    link = f"archives/C0SUPPORT/p{shout['ts'].replace('.', '')}?thread_ts={ts}"
    assert link in json.dumps(dm) and "shared a good story about you" in json.dumps(dm)
    for reactor in ("U0DANA", "U0KIRI", "U0LEE"):
        assert sim.dm_messages(reactor) == []

    unreact(app, user="U0DANA", ts=ts)
    unreact(app, user="U0LEE", ts=ts)
    eventually(lambda: shoutouts(sim) == [])  # the last recognition withdrawn: the shout-out is removed
    settled(app)
    assert [c.args["ts"] for c in sim.calls_to("chat.delete")] == [shout["ts"]]
    assert len(sim.dm_messages("U0STEPH")) == 1
    assert any(m["ts"] == ts for m in sim.messages("C0SUPPORT"))  # the story's message itself stays


@pytest.mark.usefixtures("no_errors_logged")
def test_a_principle_tag_is_chosen_and_changed_by_the_storys_people_only(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    ts, _ = sim.post_message("U0STEPH", "C0SUPPORT", "Called Acme back three days later to check the drive")
    react(app, user="U0LEE", ts=ts)  # Lee recognises it; Stephanie is credited
    shout = shoutout_reading(sim, "story_tag_follow_up")

    # Kiri neither recognised nor is credited, and is no admin: a polite line to Kiri alone, nothing changes.
    assert tag_click(sim, shout, user="U0KIRI", channel="C0SUPPORT", principle="friend") == 200
    polite_refusal(sim, "U0KIRI", "Only the people who recognised this story")
    settled(app)
    [shout] = shoutouts(sim)
    assert ":sparkles:" not in json.dumps(shout) and _principle(app) is None

    assert tag_click(sim, shout, user="U0LEE", channel="C0SUPPORT", principle="follow_up") == 200
    tagged = shoutout_reading(sim, ":sparkles: *Followed up*")
    assert tagged["ts"] == shout["ts"] and "story_tag_friend" in json.dumps(tagged)  # the tags stay: it can change
    assert tag_click(sim, tagged, user="U0STEPH", channel="C0SUPPORT", principle="friend") == 200  # the credited
    changed = shoutout_reading(sim, ":sparkles: *Treated them like a friend*")
    assert changed["ts"] == shout["ts"] and "*Followed up*" not in json.dumps(changed)
    assert _principle(app) == "friend"
    react(app, user="U0KIRI", ts=ts)  # later recognitions keep the tag
    shout = shoutout_reading(sim, "<@U0LEE> and <@U0KIRI>")
    assert ":sparkles: *Treated them like a friend*" in json.dumps(shout)


def _principle(app: RunningApp) -> str | None:
    with app.runtime.deps.session_factory.begin() as session:
        return session.scalars(select(Story.principle)).one()


# --- /kudos -----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_errors_logged")
def test_kudos_posts_one_shoutout_tells_each_credited_person_once_and_confirms(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200

    nobody = json.dumps(app.command("great job everyone", command="/kudos"))
    assert "Who should get the kudos" in nobody and "/kudos @stephanie" in nobody and "Traceback" not in nobody
    yourself = json.dumps(app.command("<@U0DANA|dana> I was great", command="/kudos"))
    assert "other than yourself" in yourself
    assert "/kudos" in json.dumps(app.command("help", command="/kudos"))
    assert story_count(app) == 0

    reply = app.command(
        "<@U0STEPH|stephanie> <@U0LEE|lee> <@U0DANA|dana> stayed late with Acme's drive", command="/kudos"
    )
    assert reply.get("response_type") == "ephemeral"
    shown = json.dumps(reply)
    assert "Thanks for sharing" in shown and "<#C0SUPPORT>" in shown
    assert "<@U0LEE> and <@U0STEPH>" in shown  # the giver is never credited
    shout = shoutout_reading(sim, "Recognised by <@U0DANA>")
    assert "thread_ts" not in shout  # typed in the channel: a top-level shout-out there
    assert "stayed late with Acme's drive" in json.dumps(shout)
    eventually(lambda: sim.dm_messages("U0STEPH") and sim.dm_messages("U0LEE"))
    settled(app)
    assert len(shoutouts(sim)) == 1
    for person in ("U0STEPH", "U0LEE"):
        [dm] = sim.dm_messages(person)
        assert f"archives/C0SUPPORT/p{shout['ts'].replace('.', '')}" in json.dumps(dm)
    assert sim.dm_messages("U0DANA") == []

    elsewhere = json.dumps(app.command("<@U0STEPH> great work", command="/kudos", channel="C0RANDOM"))
    assert "channel I'm in" in elsewhere and "/invite" in elsewhere  # the bot can't post there: said, not failed


@pytest.mark.usefixtures("no_errors_logged")
def test_with_a_stories_channel_shoutouts_go_there_top_level(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    assert sim.add_bot_to_channel("C0RANDOM", inviter="U0OWNER").status == 200
    set_stories_channel(app, "C0RANDOM")
    parent, _ = sim.post_message("U0LEE", "C0SUPPORT", "Acme's drive is dead again")
    reply, _ = sim.post_message("U0STEPH", "C0SUPPORT", "I'll drive over with a spare", thread_ts=parent)

    react(app, user="U0DANA", ts=reply)  # a thread reply: read with conversations.replies
    shout = shoutout_reading(sim, "drive over with a spare", channel="C0RANDOM")
    assert "thread_ts" not in shout
    source = f"archives/C0SUPPORT/p{reply.replace('.', '')}?thread_ts={parent}"
    assert source in recognised_line(shout)  # links back to the message, in its thread
    kudos = app.command("<@U0KIRI|kiri> called the customer back", command="/kudos")
    assert "<#C0RANDOM>" in json.dumps(kudos)
    eventually(lambda: len(shoutouts(sim, "C0RANDOM")) == 2)
    settled(app)
    assert shoutouts(sim, "C0SUPPORT") == []  # nothing in the source channel or its threads
    assert all("thread_ts" not in s for s in shoutouts(sim, "C0RANDOM"))
    [dm] = sim.dm_messages("U0STEPH")
    assert f"archives/C0RANDOM/p{shout['ts'].replace('.', '')}" in json.dumps(dm)
    assert len(sim.dm_messages("U0KIRI")) == 1


# --- what never counts ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_errors_logged")
def test_reactions_on_files_bot_messages_and_unreadable_channels_record_nothing(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    welcome = eventually(lambda: [m for m in sim.messages("C0SUPPORT") if m.get("bot_id") == "B0RAPPORT"])[0]
    other_bot = sim.seed_message("U0OTHERBOT", "C0SUPPORT", "Deploy finished", extra={"bot_id": "B0OTHER"})
    hidden = sim.seed_message("U0LEE", "C0RANDOM", "Thanks <@U0STEPH>, great call")  # the bot is not in #random
    private = sim.seed_message("U0LEE", "G0PRIVATE", "Thanks <@U0STEPH>")  # nor in the private channel
    mine = sim.seed_message("U0STEPH", "C0SUPPORT", "Fixed it")
    sim.clear_calls()

    react(app, user="U0DANA", ts=welcome["ts"])  # the bot's own message
    react(app, user="U0DANA", ts=other_bot)
    react(app, user="U0DANA", ts=hidden, channel="C0RANDOM")
    react(app, user="U0DANA", ts=private, channel="G0PRIVATE")
    react(app, user="U0DANA", ts="1700000000.000100")  # a message that is not there (deleted)
    react(app, user="U0RAPPORT", ts=mine)  # the bot's own reaction
    react(app, user="U0DANA", ts=mine, channel="D0STEPH")  # a DM
    react(app, user="U0DANA", ts=mine, reaction="thumbsup")  # not a story emoji
    unreact(app, user="U0DANA", ts=mine)  # never added
    for item in (
        {"type": "file", "file": "F0FILE"},
        {"type": "file_comment", "file": "F0FILE", "file_comment": "Fc0COMMENT"},
    ):
        event = {
            "type": "reaction_added",
            "user": "U0DANA",
            "reaction": "star2",
            "item_user": "U0STEPH",
            "item": item,
            "event_ts": "1700000000.000200",
        }
        assert sim.send_event(event).status == 200
        assert sim.send_event(event | {"type": "reaction_removed"}).status == 200
    for sample in ("ReactionAddedPayload.json", "ReactionRemovedPayload.json"):  # Slack's own shapes, blanked
        blank = json.loads((SAMPLES / sample).read_text())["event"]
        assert sim.send_event(blank).status == 200
        assert sim.send_event(blank | {"user": "U0DANA", "reaction": "star2"}).status == 200

    settled(app)
    assert story_count(app) == 0
    assert sim.calls_to("chat.postMessage") == [] and sim.calls_to("chat.postEphemeral") == []
    assert sim.dm_messages("U0STEPH") == []
    with app.runtime.deps.session_factory.begin() as session:
        assert session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.kind.in_(STORY_KINDS))) == 0


# --- safe with user text ----------------------------------------------------------------------------------

HOSTILE = "Thanks <@U0STEPH>! <!channel> look: <https://evil.example|click> & AT&amp;T &lt;3"


def _quote_blocks(message: dict[str, Any]) -> str:
    return json.dumps([b for b in message["blocks"] if b["type"] == "section" and b["text"]["text"].startswith(">")])


@pytest.mark.usefixtures("no_errors_logged")
def test_a_story_quoting_mentions_and_links_reads_as_in_slack_and_pings_nobody(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    ts = sim.seed_message("U0LEE", "C0SUPPORT", HOSTILE)  # as an API client could write it
    react(app, user="U0DANA", ts=ts)
    shout = shoutout_reading(sim, "Recognised by <@U0DANA>")
    [dm] = eventually(lambda: sim.dm_messages("U0STEPH"))  # the message is about Steph: she is credited
    for message in (shout, dm):
        quoted, everything = _quote_blocks(message), json.dumps(message)
        # Steph named as Slack names her, the link as its label, @channel as plain words, entities once.
        assert "Thanks <@U0STEPH>! @channel look: click &amp; AT&amp;T &lt;3" in quoted
        assert "&lt;@U0STEPH&gt;" not in everything and "&amp;amp;" not in everything
        assert "<!channel>" not in everything and "<https://evil" not in everything
        assert "<!" not in message["text"] and "<http" not in message["text"]  # the notification's fallback too

    reply = app.command("<@U0KIRI|kiri> fixed it <!here> <https://evil.example|click>", command="/kudos")
    assert "<!here>" not in json.dumps(reply)
    kudos = shoutout_reading(sim, "fixed it")
    [kiri_dm] = eventually(lambda: sim.dm_messages("U0KIRI"))
    for message in (kudos, kiri_dm):
        everything = json.dumps(message)
        assert ">fixed it @here click" in everything
        assert "<!here>" not in everything and "<https://evil" not in everything


# --- retries and simultaneous reactions -------------------------------------------------------------------


@pytest.mark.usefixtures("no_errors_logged")
def test_retries_and_simultaneous_first_reactions_make_one_story_and_one_shoutout(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    ts = sim.seed_message("U0DANA", "C0SUPPORT", "Huge thanks to <@U0STEPH> and <@U0OWNER> for staying late")
    sim.set_delay("conversations.history", 0.3)  # every first reaction reads the message at the same time
    barrier = threading.Barrier(6)

    def deliver(user: str, retry_num: int) -> int:
        event_id = "EvSAMEREACTION" if user == "U0KIRI" else None
        barrier.wait()
        return app.sim.send_event(
            _reaction("reaction_added", user=user, ts=ts), event_id=event_id, retry_num=retry_num
        ).status

    # Kiri's reaction delivered four times (Slack's retries, one of them racing the first delivery) and two
    # other people reacting in the same instant.
    work = [("U0KIRI", 0), ("U0KIRI", 1), ("U0KIRI", 2), ("U0LEE", 0), ("U0DANA", 0), ("U0KIRI", 3)]
    with ThreadPoolExecutor(len(work)) as pool:
        statuses = list(pool.map(lambda w: deliver(*w), work))
    assert all(status == 200 for status in statuses), statuses
    sim.set_delay("conversations.history", 0)
    raced = len(sim.calls_to("conversations.history"))
    assert raced >= 3, raced  # several of them really did race to make the story
    shout = shoutout_reading(sim, "<@U0LEE>")
    settled(app)

    assert story_count(app) == 1
    assert len(shoutouts(sim)) == 1 and len(shoutout_posts(sim, "C0SUPPORT")) == 1
    shown = recognised_line(shoutouts(sim)[0])
    for reactor in ("U0KIRI", "U0LEE", "U0DANA"):
        assert f"<@{reactor}>" in shown, shown
    assert shout["thread_ts"] == ts
    assert len(sim.dm_messages("U0STEPH")) == 1 and len(sim.dm_messages("U0OWNER")) == 1
    deps = app.runtime.deps
    with deps.session_factory.begin() as session:
        story = session.scalars(select(Story)).one()
        assert story_rows.credits(session, team_id=TEAM, story_id=story.id) == ["U0OWNER", "U0STEPH"]
        assert sorted(story_rows.recognisers(session, team_id=TEAM, story_id=story.id)) == ["U0DANA", "U0KIRI", "U0LEE"]
        kiri = select(func.count()).where(ProcessedEvent.event_id == "EvSAMEREACTION")
        assert session.scalar(kiri) == 1
        kinds = session.execute(select(OutboxMessage.kind, func.count()).group_by(OutboxMessage.kind)).all()
        assert dict(kinds)[stories.SHOUTOUT] == 1 and dict(kinds)[stories.STORY_CREDIT] == 2


@contextmanager
def _paused_after_story_insert(app: RunningApp) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Hold the first transaction that inserts a story, right after its INSERT, until released."""
    engine = app.runtime.engine
    inserted, release = threading.Event(), threading.Event()

    def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO STORIES") and not inserted.is_set():
            inserted.set()
            release.wait(10)

    event.listen(engine, "after_cursor_execute", after)
    try:
        yield inserted, release
    finally:
        release.set()
        event.remove(engine, "after_cursor_execute", after)


@pytest.mark.usefixtures("no_errors_logged")
def test_concurrent_first_reactions_take_turns_on_the_story(http_app: RunningApp) -> None:
    """The first reaction's transaction holds the new story; the second waits for it (a lock on PostgreSQL, the
    write lock on SQLite), then finds the story and its shout-out, and queues an update instead of a post."""
    app, sim = http_app, http_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    ts = sim.seed_message("U0STEPH", "C0SUPPORT", "I'll stay on this until it's solved")
    postgres = app.runtime.engine.dialect.name == "postgresql"

    with _paused_after_story_insert(app) as (inserted, release), ThreadPoolExecutor(2) as pool:
        first = pool.submit(react, app, user="U0DANA", ts=ts)
        assert inserted.wait(5)  # Dana's story row is in, not committed
        second = pool.submit(react, app, user="U0KIRI", ts=ts)
        time.sleep(0.6)
        assert not second.done()  # Kiri waits for Dana's transaction
        if postgres:  # ... on the story's unique key: INSERT … ON CONFLICT DO NOTHING waits for the first to end
            with app.runtime.engine.connect() as probe:
                waiting = probe.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO stories%'"
                    )
                )
            assert waiting == 1
        release.set()
        first.result(timeout=10)
        second.result(timeout=10)

    shoutout_reading(sim, "Recognised by <@U0DANA> and <@U0KIRI>")
    settled(app)
    assert story_count(app) == 1 and len(shoutouts(sim)) == 1 and len(shoutout_posts(sim, "C0SUPPORT")) == 1
    assert len(sim.dm_messages("U0STEPH")) == 1
    with app.runtime.deps.session_factory.begin() as session:
        keys = sorted(session.scalars(select(OutboxMessage.idempotency_key).where(OutboxMessage.kind.in_(STORY_KINDS))))
    story_id = keys[0].split(":")[1]
    assert keys == sorted(
        [
            f"shoutout:{story_id}:0",
            f"shoutout-reaction:{story_id}:0",  # the story emoji on the shout-out, added once
            f"shoutout-update:{story_id}:0:2",
            f"story-credit:{story_id}:U0STEPH",
        ]
    )
