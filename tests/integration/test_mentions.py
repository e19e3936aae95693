"""Mention recording on a real database: new, edited, deleted messages, retries, linked channels."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.db.models import Mention, OutboxMessage
from bot.db.queries import channels as channel_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain.customer_commands import AddCustomer
from bot.domain.messages import ChannelMessage
from bot.runtime.caches import DirectoryMatchers
from bot.runtime.deps import Deps
from bot.services import directory, mentions
from tests.conftest import TEAM


def msg(
    text: str, ts: str = "1764000000.000100", channel: str = "C0SUPPORT", thread: str | None = None
) -> ChannelMessage:
    return ChannelMessage(team_id=TEAM, channel_id=channel, ts=ts, thread_ts=thread, user_id="U0LEE", text=text)


def stored(deps: Deps) -> list[tuple[str, str, str | None]]:
    with deps.session_factory.begin() as session:
        rows = session.execute(
            select(Mention.message_ts, Mention.customer_id, Mention.excerpt).order_by(Mention.id)
        ).all()
        return [(r[0], directory_name(session, r[1]), r[2]) for r in rows]


def directory_name(session, customer_id: int) -> str:  # type: ignore[no-untyped-def]
    from bot.db.models import Customer

    return session.get(Customer, customer_id).name


def setup_directory(deps: Deps) -> None:
    for name, aliases in (("Acme Corp", ("Acme",)), ("Globex", ())):
        directory.add_customer(deps, team_id=TEAM, command=AddCustomer(name=name, aliases=aliases), created_by="U0DANA")


def test_message_naming_two_customers_stores_two_mentions(deps: Deps) -> None:
    setup_directory(deps)
    assert mentions.record_message(deps, event_id="Ev1", message=msg("Acme's renewal and (GLOBEX) invoice")) == 2
    assert [(ts, name) for ts, name, _ in stored(deps)] == [
        ("1764000000.000100", "Acme Corp"),
        ("1764000000.000100", "Globex"),
    ]


def test_retry_with_same_event_id_changes_nothing(deps: Deps) -> None:
    setup_directory(deps)
    assert mentions.record_message(deps, event_id="Ev1", message=msg("Acme called")) == 1
    assert mentions.record_message(deps, event_id="Ev1", message=msg("Acme called")) == 0
    assert len(stored(deps)) == 1


def test_edit_updates_and_delete_removes(deps: Deps) -> None:
    setup_directory(deps)
    mentions.record_message(deps, event_id="Ev1", message=msg("Acme called about the drive"))
    mentions.record_edit(deps, event_id="Ev2", message=msg("Globex called about the drive"))
    assert [(name, excerpt) for _, name, excerpt in stored(deps)] == [("Globex", "Globex called about the drive")]
    assert (
        mentions.record_deletion(deps, event_id="Ev3", team_id=TEAM, channel_id="C0SUPPORT", ts="1764000000.000100")
        == 1
    )
    assert stored(deps) == []


def test_excerpt_is_short_and_visible_text(deps: Deps) -> None:
    setup_directory(deps)
    long_text = "word " * 200 + "<https://acme.example|Acme portal> is down " + "more " * 200
    mentions.record_message(deps, event_id="Ev1", message=msg(long_text))
    [(_, name, excerpt)] = stored(deps)
    assert name == "Acme Corp"
    assert excerpt is not None and len(excerpt) <= 280 and "Acme portal" in excerpt and "<http" not in excerpt


def test_excerpt_keeps_the_people_a_message_mentions_as_slack_text(deps: Deps) -> None:
    setup_directory(deps)
    text = "Huge thanks to <@U0STEPH> for the Acme <https://x.example|renewal> <!here> &amp; &lt;@U0LEE&gt;"
    mentions.record_message(deps, event_id="Ev1", message=msg(text))
    mentions.record_message(deps, event_id="Ev2", message=msg("<@W0KIRI|kiri> " * 40 + "Globex" + " <@U0LEE>" * 40))
    [(_, acme, kept), (_, globex, window)] = stored(deps)
    # The person stays a mention; the link is its label, @here harmless words, the typed "<@U0LEE>" text.
    assert (acme, kept) == ("Acme Corp", "Huge thanks to <@U0STEPH> for the Acme renewal @here &amp; &lt;@U0LEE&gt;")
    # Cut around the name, never through a mention: every "<" opens a whole one.
    assert globex == "Globex" and window is not None and len(window) <= 280 and "Globex" in window
    assert window.startswith("…<@W0KIRI>") and window.endswith("<@U0LEE>…")
    assert window.replace("<@W0KIRI>", "").replace("<@U0LEE>", "").strip("… ").replace(" ", "") == "Globex"


def test_linked_channel_counts_every_message(deps: Deps) -> None:
    setup_directory(deps)
    mentions.bot_joined_channel(deps, event_id="Ev0", team_id=TEAM, channel_id="C0ACME")
    directory.link_channel(deps, team_id=TEAM, query="Acme", channel_id="C0ACME")
    mentions.record_message(deps, event_id="Ev1", message=msg("hello, is anyone there?", channel="C0ACME"))
    mentions.record_message(
        deps, event_id="Ev2", message=msg("Globex says hi", ts="1764000001.000100", channel="C0ACME")
    )
    assert sorted(name for _, name, _ in stored(deps)) == ["Acme Corp", "Acme Corp", "Globex"]


def test_new_customer_is_matched_at_once(deps: Deps) -> None:
    setup_directory(deps)
    mentions.record_message(deps, event_id="Ev1", message=msg("Initech phoned"))
    directory.add_customer(deps, team_id=TEAM, command=AddCustomer(name="Initech"), created_by="U0DANA")
    mentions.record_message(deps, event_id="Ev2", message=msg("Initech phoned again", ts="1764000002.000100"))
    assert [name for _, name, _ in stored(deps)] == ["Initech"]


def test_joining_queues_one_intro_note(deps: Deps) -> None:
    mentions.bot_joined_channel(deps, event_id="Ev9", team_id=TEAM, channel_id="C0SUPPORT")
    mentions.bot_joined_channel(deps, event_id="Ev9", team_id=TEAM, channel_id="C0SUPPORT")
    with deps.session_factory.begin() as session:
        rows = session.scalars(select(OutboxMessage)).all()
        assert [(r.kind, r.method, r.payload["channel"]) for r in rows] == [("intro", "chat.postMessage", "C0SUPPORT")]
        assert "excerpt" in rows[0].payload["blocks"][0]["text"]["text"]


def test_nul_and_control_characters_in_a_message_are_stored_without_them(deps: Deps) -> None:
    setup_directory(deps)
    assert mentions.record_message(deps, event_id="Ev1", message=msg("Acme\x00 called\x1b back")) == 1
    assert [excerpt for _, _, excerpt in stored(deps)] == ["Acme called back"]


def test_a_batch_stores_each_new_event_once(deps: Deps) -> None:
    setup_directory(deps)
    first, second = msg("Acme called"), msg("Globex and Acme", ts="1764000001.000100")
    counts = mentions.record_messages(
        deps, [("Ev1", first), ("Ev1", first), ("Ev2", second), ("Ev3", msg("nothing here", ts="1764000002.000100"))]
    )
    assert counts == [1, 0, 2, 0]
    assert mentions.record_messages(deps, [("Ev2", second), ("Ev4", first)]) == [0, 0]  # a retry; a re-send
    assert len(stored(deps)) == 3


def other_process(deps: Deps) -> Deps:
    """A second Rapport process on the same database: its own caches, nothing shared in memory."""
    return Deps(
        session_factory=deps.session_factory, clock=deps.clock, matchers=DirectoryMatchers(), settings=deps.settings
    )


def test_a_link_made_in_another_process_applies_to_the_next_message(deps: Deps, client: WebClient) -> None:
    setup_directory(deps)
    assert mentions.record_message(deps, event_id="Ev1", message=msg("nothing here", channel="C0ACME")) == 0
    # This process now has C0ACME cached as watched and unlinked; another process links it.
    directory.link_channel(other_process(deps), team_id=TEAM, query="Acme", channel_id="C0ACME")
    assert mentions.record_message(deps, event_id="Ev2", message=msg("still nothing", ts="2.0", channel="C0ACME")) == 1
    # Removing the customer elsewhere unlinks the channel here too.
    elsewhere = other_process(deps)
    asked = directory.removal_question(elsewhere, client, team_id=TEAM, query="Acme Corp", user_id="U0DANA")
    directory.remove_customer(elsewhere, client, team_id=TEAM, customer_id=asked.customer_id, user_id="U0DANA")
    assert mentions.record_message(deps, event_id="Ev3", message=msg("and again", ts="3.0", channel="C0ACME")) == 0


def test_a_channel_left_elsewhere_is_watched_again_when_its_messages_arrive(deps: Deps) -> None:
    setup_directory(deps)
    mentions.record_message(deps, event_id="Ev1", message=msg("Acme", channel="C0RANDOM"))
    mentions.bot_left_channel(other_process(deps), event_id="Ev2", team_id=TEAM, channel_id="C0RANDOM")
    with deps.session_factory.begin() as session:
        assert channel_rows.get(session, team_id=TEAM, channel_id="C0RANDOM").is_watched is False  # type: ignore[union-attr]
    # Slack only sends a channel's messages while the bot is in it: it was invited back.
    mentions.record_message(deps, event_id="Ev3", message=msg("Acme again", ts="2.0", channel="C0RANDOM"))
    with deps.session_factory.begin() as session:
        assert channel_rows.get(session, team_id=TEAM, channel_id="C0RANDOM").is_watched is True  # type: ignore[union-attr]


def test_a_failed_batch_leaves_no_channel_cached(deps: Deps) -> None:
    setup_directory(deps)
    # The channel is watched inside the transaction, then the batch fails on the message's bad ts.
    with pytest.raises(ValueError):
        mentions.record_messages(deps, [(None, msg("Acme", ts="not-a-ts", channel="C0NEW"))])
    with deps.session_factory.begin() as session:
        assert channel_rows.get(session, team_id=TEAM, channel_id="C0NEW") is None
        versions = workspace_rows.versions(session, team_id=TEAM)[:2]
    assert deps.channels.lookup(team_id=TEAM, versions=versions, channel_ids=["C0NEW"]) == ({}, ["C0NEW"])
    # Whereas a committed batch is remembered at those versions.
    mentions.record_messages(deps, [(None, msg("Acme", channel="C0NEW"))])
    assert deps.channels.lookup(team_id=TEAM, versions=versions, channel_ids=["C0NEW"]) == ({"C0NEW": None}, [])
