"""The customer directory service on a real database."""

from __future__ import annotations

from datetime import date

import pytest
from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.db.models import Customer, CustomerName
from bot.domain.customer_commands import AddCustomer, parse_customer_command
from bot.domain.errors import AmbiguousCustomer, BadDate, DuplicateName, NotWatched, UnknownCustomer
from bot.domain.messages import ChannelMessage
from bot.runtime.deps import Deps
from bot.services import directory, mentions
from bot.views.customers import CustomerRemoval
from tests.conftest import TEAM


def add(deps: Deps, text: str, user: str = "U0DANA") -> str:
    command = parse_customer_command("add " + text)
    assert isinstance(command, AddCustomer)
    return directory.add_customer(deps, team_id=TEAM, command=command, created_by=user).name


def count(deps: Deps, model: type) -> int:
    with deps.session_factory.begin() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_add_with_every_part_and_show_card(deps: Deps) -> None:
    name = add(deps, "Acme Corp aka Acme, ACME Inc owner <@U0LEE|lee> since 2019-04-01")
    assert name == "Acme Corp"
    card = directory.customer_card(deps, team_id=TEAM, query="acme")
    assert (card.name, card.owner_user_id, card.since) == ("Acme Corp", "U0LEE", date(2019, 4, 1))
    assert card.aliases == ("Acme", "ACME Inc")
    assert card.last_touch is None and card.mentions == ()


def test_owner_defaults_to_the_caller(deps: Deps) -> None:
    add(deps, "Globex", user="U0STEPH")
    assert directory.customer_card(deps, team_id=TEAM, query="Globex").owner_user_id == "U0STEPH"


def test_duplicate_name_or_alias_is_refused_and_changes_nothing(deps: Deps) -> None:
    add(deps, "Acme Corp aka Acme")
    with pytest.raises(DuplicateName) as refused:
        add(deps, "ACME")
    assert "Acme Corp" in refused.value.message
    with pytest.raises(DuplicateName):
        add(deps, "Acme Labs aka acme corp")
    assert count(deps, Customer) == 1
    assert count(deps, CustomerName) == 2


def test_future_since_is_refused(deps: Deps) -> None:
    with pytest.raises(BadDate):
        add(deps, "Initech since 2099-01-01")
    assert count(deps, Customer) == 0


def test_ambiguous_and_unknown_names(deps: Deps) -> None:
    add(deps, "Acme Corp")
    add(deps, "Acme Labs")
    with pytest.raises(AmbiguousCustomer) as ambiguous:
        directory.customer_card(deps, team_id=TEAM, query="acme")
    assert ambiguous.value.candidates == ["Acme Corp", "Acme Labs"]
    with pytest.raises(UnknownCustomer) as unknown:
        directory.customer_card(deps, team_id=TEAM, query="Umbrella")
    assert unknown.value.example == "/customer add Umbrella"
    # a unique word prefix is not a guess: only one customer can be meant
    assert directory.customer_card(deps, team_id=TEAM, query="labs").name == "Acme Labs"


def test_like_wildcards_in_a_query_are_literal(deps: Deps) -> None:
    add(deps, "Acme Corp")
    with pytest.raises(UnknownCustomer):
        directory.customer_card(deps, team_id=TEAM, query="%")
    with pytest.raises(UnknownCustomer):
        directory.customer_card(deps, team_id=TEAM, query="_cme")


def remove(deps: Deps, client: WebClient, query: str, *, user: str = "U0DANA") -> CustomerRemoval:
    """`/customer remove` confirmed with its Remove button."""
    asked = directory.removal_question(deps, client, team_id=TEAM, query=query, user_id=user)
    return directory.remove_customer(deps, client, team_id=TEAM, customer_id=asked.customer_id, user_id=user)


def test_owner_alias_remove(deps: Deps, client: WebClient) -> None:
    add(deps, "Acme Corp")
    assert (
        directory.set_owner(deps, client, team_id=TEAM, query="Acme Corp", owner_user_id="U0KIRI", user_id="U0DANA")
        == "Acme Corp"
    )
    alias = directory.add_alias(deps, team_id=TEAM, text="Acme Corp Acme Labs")
    assert (alias.customer, alias.name, alias.exact) == ("Acme Corp", "Acme Labs", False)
    card = directory.customer_card(deps, team_id=TEAM, query="acme labs")
    assert card.owner_user_id == "U0KIRI" and card.aliases == ("Acme Labs",)
    removed = remove(deps, client, "Acme Corp", user="U0KIRI")  # its owner now
    assert (removed.name, removed.mentions, removed.open_followups, removed.stories) == ("Acme Corp", 0, 0, 0)
    assert count(deps, Customer) == 0 and count(deps, CustomerName) == 0


def test_alias_taken_by_another_customer_is_refused(deps: Deps) -> None:
    add(deps, "Acme Corp")
    add(deps, "Globex")
    with pytest.raises(DuplicateName):
        directory.add_alias(deps, team_id=TEAM, text="Globex Acme Corp")
    assert directory.customer_card(deps, team_id=TEAM, query="Globex").aliases == ()


def test_removing_a_customer_removes_its_mentions(deps: Deps, client: WebClient) -> None:
    add(deps, "Acme Corp")
    message = ChannelMessage(
        team_id=TEAM,
        channel_id="C0SUPPORT",
        ts="1764000000.000100",
        thread_ts=None,
        user_id="U0LEE",
        text="Acme Corp called",
    )
    assert mentions.record_message(deps, event_id="Ev1", message=message) == 1
    assert remove(deps, client, "acme corp").mentions == 1
    assert count(deps, Customer) == 0


def test_link_needs_a_watched_channel(deps: Deps) -> None:
    add(deps, "Acme Corp")
    with pytest.raises(NotWatched):
        directory.link_channel(deps, team_id=TEAM, query="Acme Corp", channel_id="C0ACME")
    with pytest.raises(NotWatched):
        directory.link_channel(deps, team_id=TEAM, query="Acme Corp", channel_id="D0DANA")
    mentions.bot_joined_channel(deps, event_id="Ev2", team_id=TEAM, channel_id="C0ACME")
    assert directory.link_channel(deps, team_id=TEAM, query="Acme Corp", channel_id="C0ACME") == "Acme Corp"
    assert directory.customer_card(deps, team_id=TEAM, query="Acme Corp").linked_channels == ("C0ACME",)


def test_list_is_quietest_first(deps: Deps) -> None:
    for name in ("Acme Corp", "Globex", "Initech"):
        add(deps, name)
    for ts, text in (("1764000000.000100", "Globex again"), ("1764000100.000100", "Acme Corp now")):
        mentions.record_message(
            deps,
            event_id=f"Ev{ts}",
            message=ChannelMessage(
                team_id=TEAM, channel_id="C0SUPPORT", ts=ts, thread_ts=None, user_id="U0LEE", text=text
            ),
        )
    listing = directory.list_customers(deps, team_id=TEAM)
    assert [c.name for c in listing.customers] == ["Initech", "Globex", "Acme Corp"]
    assert listing.total == 3


def test_workspaces_never_see_each_other(deps: Deps) -> None:
    add(deps, "Acme Corp")
    with pytest.raises(UnknownCustomer):
        directory.customer_card(deps, team_id="T0OTHER", query="Acme Corp")
    other = AddCustomer(name="Acme Corp")
    assert directory.add_customer(deps, team_id="T0OTHER", command=other, created_by="U1").name == "Acme Corp"


def test_everyday_word_names_count_only_as_written_and_can_be_switched(deps: Deps) -> None:
    added = directory.add_customer(
        deps, team_id=TEAM, command=AddCustomer(name="Target", aliases=("Target Corp",)), created_by="U0DANA"
    )
    assert [(m.name, m.exact, m.reason) for m in added.names] == [
        ("Target", True, "everyday word"),
        ("Target Corp", False, ""),
    ]
    assert directory.customer_card(deps, team_id=TEAM, query="Target").as_written == ("Target",)
    zoom = directory.add_alias(deps, team_id=TEAM, text="Target Zoom")
    assert (zoom.customer, zoom.exact, zoom.reason) == ("Target", True, "tool")

    off = directory.set_exact(deps, team_id=TEAM, query="target", exact=False)
    assert (off.name, off.customer, off.exact, off.reason) == ("Target", "Target", False, "chosen")
    assert directory.customer_card(deps, team_id=TEAM, query="Target").as_written == ("Zoom",)
    # A customer named by a unique prefix means its name; an alias means that alias.
    on = directory.set_exact(deps, team_id=TEAM, query="Target Corp", exact=True)
    assert (on.name, on.exact) == ("Target Corp", True)
    assert directory.set_exact(deps, team_id=TEAM, query="Targ", exact=None).name == "Target"
    with pytest.raises(UnknownCustomer):
        directory.set_exact(deps, team_id=TEAM, query="Initech", exact=True)


def test_the_matcher_follows_a_switched_name(deps: Deps) -> None:
    directory.add_customer(deps, team_id=TEAM, command=AddCustomer(name="Target"), created_by="U0DANA")

    def named(text: str) -> list[int]:
        with deps.session_factory.begin() as session:
            return deps.matchers.for_team(session, team_id=TEAM).customer_ids(text)

    assert named("our target is 50 tickets") == []
    directory.set_exact(deps, team_id=TEAM, query="Target", exact=False)
    assert len(named("our target is 50 tickets")) == 1
    directory.set_exact(deps, team_id=TEAM, query="Target", exact=True)
    assert named("our target is 50 tickets") == []


def test_the_form_can_choose_either_way(deps: Deps) -> None:
    command = AddCustomer(name="Globex", aliases=("Box",), exact=True)
    added = directory.add_customer(deps, team_id=TEAM, command=command, created_by="U0DANA")
    assert [(m.name, m.exact, m.reason) for m in added.names] == [("Globex", True, "chosen"), ("Box", True, "chosen")]
    command = AddCustomer(name="Square", exact=False)
    added = directory.add_customer(deps, team_id=TEAM, command=command, created_by="U0DANA")
    assert [(m.name, m.exact) for m in added.names] == [("Square", False)]
