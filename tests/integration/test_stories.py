"""Stories on a real database, with the simulator as Slack and a chosen `now`: recognitions, the shout-out
rendered when it is sent, withdrawals, and the people credited told once."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.db.models import OutboxMessage, Story
from bot.db.queries import channels as channel_rows
from bot.db.queries import customers as customer_rows
from bot.db.queries import stories as story_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain.errors import BadCommand, NotAllowed
from bot.domain.stories import parse_kudos
from bot.runtime.deps import Deps
from bot.services import outbox, stories
from bot.slacksim import SimWorkspace, SlackSimulator
from tests.conftest import TEAM, FakeClock

BOT = "U0RAPPORT"


@pytest.fixture
def sim() -> Iterator[SlackSimulator]:
    with SlackSimulator(workspace=SimWorkspace.default(), signing_secret="s", bot_token="xoxb-t") as simulator:
        simulator.set_bot_member("C0SUPPORT")
        yield simulator


def react(
    deps: Deps,
    client: WebClient,
    user: str,
    ts: str,
    *,
    emoji: str = "star2",
    channel: str = "C0SUPPORT",
    event_id: str | None = None,
) -> bool:
    return stories.recognise_reaction(
        deps,
        client,
        team_id=TEAM,
        event_id=event_id,
        reactor=user,
        emoji=emoji,
        channel_id=channel,
        ts=ts,
        bot_user_id=BOT,
    )


def unreact(deps: Deps, user: str, ts: str, *, emoji: str = "star2") -> bool:
    return stories.withdraw_reaction(
        deps, team_id=TEAM, event_id=None, reactor=user, emoji=emoji, channel_id="C0SUPPORT", ts=ts
    )


def send(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    outbox.send_outbox(deps, client=client, now=clock(), worker="test")


def shoutouts(sim: SlackSimulator) -> list[dict]:  # type: ignore[type-arg]
    return [m for m in sim.messages("C0SUPPORT") if m.get("bot_id") and "A good story" in json.dumps(m)]


def test_first_recognition_posts_later_ones_update_and_the_last_withdrawal_removes(
    deps: Deps, client: WebClient, clock: FakeClock, sim: SlackSimulator
) -> None:
    ts = sim.seed_message("U0STEPH", "C0SUPPORT", "Of course, I can take care of that for you. Let me call them.")
    assert react(deps, client, "U0DANA", ts)
    send(deps, client, clock)
    [shout] = shoutouts(sim)
    assert shout["thread_ts"] == ts  # no stories channel yet: in the source message's thread
    assert "Recognised by <@U0DANA>" in json.dumps(shout) and "<@U0STEPH>" in json.dumps(shout)
    [dm] = sim.dm_messages("U0STEPH")
    assert "shared a good story about you" in json.dumps(dm) and shout["ts"].replace(".", "") in json.dumps(dm)
    calls_before = len(sim.calls)

    react(deps, client, "U0KIRI", ts)
    send(deps, client, clock)
    assert len(sim.calls) - calls_before == 1  # one chat.update, no new post, no re-read of the message
    [shout] = shoutouts(sim)
    assert "Recognised by <@U0DANA> and <@U0KIRI>" in json.dumps(shout)

    unreact(deps, "U0DANA", ts)
    send(deps, client, clock)
    [shout] = shoutouts(sim)
    assert "Recognised by <@U0KIRI>" in json.dumps(shout) and "U0DANA" not in json.dumps(shout)
    unreact(deps, "U0KIRI", ts)
    send(deps, client, clock)
    assert shoutouts(sim) == []  # removed when no recognition is left
    assert sim.calls[-1].method == "chat.delete"

    react(deps, client, "U0LEE", ts)  # recognised again: a fresh shout-out; Steph was told already
    send(deps, client, clock)
    assert len(shoutouts(sim)) == 1 and len(sim.dm_messages("U0STEPH")) == 1


def test_withdrawn_before_delivery_leaves_no_orphan_and_quick_updates_coalesce(
    deps: Deps, client: WebClient, clock: FakeClock, sim: SlackSimulator
) -> None:
    ts = sim.seed_message("U0STEPH", "C0SUPPORT", "I'll stay on this until it's solved")
    react(deps, client, "U0DANA", ts)
    unreact(deps, "U0DANA", ts)
    send(deps, client, clock)
    assert shoutouts(sim) == [] and sim.dm_messages("U0STEPH") == []
    assert not sim.calls_to("chat.postMessage") and not sim.calls_to("chat.delete")

    react(deps, client, "U0DANA", ts)
    react(deps, client, "U0KIRI", ts)
    react(deps, client, "U0LEE", ts)
    send(deps, client, clock)
    [shout] = shoutouts(sim)
    assert "<@U0DANA>, <@U0KIRI> and <@U0LEE>" in json.dumps(shout)
    # The post already showed all three: at most one more call (the last update), never one per recognition.
    assert len(sim.calls_to("chat.update")) <= 1
    assert len(sim.dm_messages("U0STEPH")) == 1  # told once, now that a shout-out exists


def test_retries_repeats_self_recognition_and_credited_mentions(
    deps: Deps, client: WebClient, clock: FakeClock, sim: SlackSimulator
) -> None:
    ts = sim.seed_message("U0DANA", "C0SUPPORT", "Huge thanks to <@U0STEPH> and <@U0LEE> for staying late with Acme")
    for _ in range(4):  # Slack's retries of one event
        react(deps, client, "U0KIRI", ts, event_id="EvSAME")
    react(deps, client, "U0KIRI", ts, emoji="star2::skin-tone-2")  # the same person and emoji again
    react(deps, client, "U0LEE", ts)  # Lee is credited, with Steph: his recognition of her counts
    send(deps, client, clock)
    with deps.session_factory.begin() as session:
        [story] = session.scalars(select(Story)).all()
        assert story_rows.credits(session, team_id=story.team_id, story_id=story.id) == ["U0LEE", "U0STEPH"]
        assert story_rows.recognisers(session, team_id=story.team_id, story_id=story.id) == ["U0KIRI", "U0LEE"]
    assert len(shoutouts(sim)) == 1

    mine = sim.seed_message("U0KIRI", "C0SUPPORT", "I fixed the Initech export myself")
    react(deps, client, "U0KIRI", mine)
    react(deps, client, "U0KIRI", mine, emoji="star")  # not a story emoji: not handled here
    react(deps, client, "U0KIRI", mine)
    send(deps, client, clock)
    notes = sim.ephemerals(user="U0KIRI", channel="C0SUPPORT")
    assert len(notes) == 1 and "about you" in json.dumps(notes)
    assert len(shoutouts(sim)) == 1  # no shout-out for a story only its subject recognised


def test_bot_messages_unreadable_channels_and_other_emoji_record_nothing(
    deps: Deps, client: WebClient, clock: FakeClock, sim: SlackSimulator
) -> None:
    bot_ts = sim.seed_message(BOT, "C0SUPPORT", "Hi! I'm Rapport", extra={"bot_id": "B0RAPPORT"})
    assert react(deps, client, "U0DANA", bot_ts)
    hidden = sim.seed_message("U0LEE", "C0RANDOM", "Lunch?")  # the bot is not in #random
    assert react(deps, client, "U0DANA", hidden, channel="C0RANDOM")
    assert react(deps, client, "U0DANA", "1700000000.000100")  # a message that is not there
    assert not react(deps, client, "U0DANA", hidden, emoji="thumbsup")
    send(deps, client, clock)
    with deps.session_factory.begin() as session:
        assert session.scalar(select(func.count(Story.id))) == 0
        assert session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_kudos_credits_everyone_mentioned_but_the_giver(
    deps: Deps, client: WebClient, clock: FakeClock, sim: SlackSimulator
) -> None:
    with pytest.raises(BadCommand, match="Mention them"):
        parse_kudos("great job everyone", giver="U0DANA")
    with pytest.raises(BadCommand, match="other than yourself"):
        parse_kudos("<@U0DANA> I was great", giver="U0DANA")
    kudos = parse_kudos(
        "<@U0STEPH|steph> <@U0DANA> <@U0LEE> called the call centre for Acme <!channel>", giver="U0DANA"
    )
    assert not isinstance(kudos, type(None))
    with deps.session_factory.begin() as session:
        workspace_rows.ensure(session, team_id=TEAM, now=clock())
        channel_rows.upsert(session, team_id=TEAM, channel_id="C0SUPPORT", now=clock(), is_watched=True)
    view, where = stories.give_kudos(deps, team_id=TEAM, giver="U0DANA", channel_id="C0SUPPORT", kudos=kudos)  # type: ignore[arg-type]
    assert where == "C0SUPPORT" and view.credited == ("U0LEE", "U0STEPH") and view.recognisers == ("U0DANA",)
    send(deps, client, clock)
    [shout] = shoutouts(sim)
    shown = json.dumps(shout)
    assert "thread_ts" not in shout and "<!channel>" not in shown
    # The words left once the credited are taken out: Dana is named, @channel is plain words.
    assert "><@U0DANA> called the call centre for Acme @channel" in shown
    assert len(sim.dm_messages("U0STEPH")) == 1 and len(sim.dm_messages("U0LEE")) == 1
    assert sim.dm_messages("U0DANA") == []

    with pytest.raises(BadCommand, match="channel I'm in"):
        stories.give_kudos(deps, team_id=TEAM, giver="U0DANA", channel_id="C0RANDOM", kudos=kudos)  # type: ignore[arg-type]


def test_a_principle_tag_is_chosen_and_changed_by_the_storys_people_only(
    deps: Deps, client: WebClient, clock: FakeClock, sim: SlackSimulator
) -> None:
    ts = sim.seed_message("U0STEPH", "C0SUPPORT", "Called Acme back three days later to check the drive")
    react(deps, client, "U0LEE", ts)  # Lee recognises Stephanie's message
    send(deps, client, clock)
    with deps.session_factory.begin() as session:
        story_id = session.scalars(select(Story.id)).one()
    with pytest.raises(NotAllowed, match="recognised this story"):  # Kiri is neither, nor an admin
        stories.choose_principle(deps, client, team_id=TEAM, story_id=story_id, user_id="U0KIRI", principle="friend")
    assert stories.choose_principle(
        deps, client, team_id=TEAM, story_id=story_id, user_id="U0LEE", principle="follow_up"
    )
    assert not stories.choose_principle(  # the same tag again changes nothing
        deps, client, team_id=TEAM, story_id=story_id, user_id="U0STEPH", principle="follow_up"
    )
    assert stories.choose_principle(  # the credited person changes it
        deps, client, team_id=TEAM, story_id=story_id, user_id="U0STEPH", principle="friend"
    )
    send(deps, client, clock)
    [shout] = shoutouts(sim)
    shown = json.dumps(shout)
    assert "Treated them like a friend*" in shown and "Followed up*" not in shown
    assert "story_tag_follow_up" in shown  # the buttons stay, so the tag can change again
    with deps.session_factory.begin() as session:
        assert session.get(Story, story_id).principle == "friend"  # type: ignore[union-attr]


def test_a_story_about_a_customer_is_a_touch(
    deps: Deps, client: WebClient, clock: FakeClock, sim: SlackSimulator
) -> None:
    from bot.domain.customer_commands import AddCustomer
    from bot.services import directory

    directory.add_customer(
        deps, team_id=TEAM, command=AddCustomer(name="Acme Corp", owner_user_id="U0LEE"), created_by="U0DANA"
    )
    with deps.session_factory.begin() as session:
        [row] = customer_rows.quietest_first(session, team_id=TEAM, limit=5)
        assert row.last_touch is None
    ts = sim.seed_message("U0STEPH", "C0SUPPORT", "Acme Corp called: I stayed on until the drive worked")
    react(deps, client, "U0DANA", ts)
    with deps.session_factory.begin() as session:
        [row] = customer_rows.quietest_first(session, team_id=TEAM, limit=5)
        assert row.last_touch == clock() and row.mention_count == 0  # a story, not a mention
        assert customer_rows.last_touch(session, team_id=TEAM, customer_id=row.customer.id) == clock()
