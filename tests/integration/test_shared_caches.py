"""Caches kept in each process follow the database's version counters: a change made through one instance applies to
the very next request another instance handles (no wait, no poll interval). Channel links and settings are covered in
test_mentions.py and tests/e2e/test_settings_e2e.py; this is the directory, with a second engine of its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.config import Settings
from bot.db.session import make_engine, make_session_factory
from bot.domain.customer_commands import AddCustomer
from bot.domain.messages import ChannelMessage
from bot.runtime.caches import DirectoryMatchers
from bot.runtime.deps import Deps
from bot.services import directory, mentions
from tests.conftest import TEAM, FakeClock


@pytest.fixture
def other_instance(database_url: str, clock: FakeClock) -> Iterator[Deps]:
    """A second Rapport instance: its own engine and caches on the same database."""
    engine = make_engine(database_url)
    yield Deps(
        session_factory=make_session_factory(engine),
        clock=clock,
        matchers=DirectoryMatchers(),
        settings=Settings(database_url=database_url),
    )
    engine.dispose()


def message(text: str, ts: str) -> ChannelMessage:
    return ChannelMessage(team_id=TEAM, channel_id="C0SUPPORT", ts=ts, thread_ts=None, user_id="U0LEE", text=text)


def test_directory_changes_made_elsewhere_apply_to_the_next_message(deps: Deps, other_instance: Deps) -> None:
    directory.add_customer(deps, team_id=TEAM, command=AddCustomer(name="Acme Corp"), created_by="U0DANA")
    # Both instances have the directory's matcher cached now.
    assert mentions.record_message(deps, event_id="Ev1", message=message("Acme Corp called", "1.0")) == 1
    assert mentions.record_message(other_instance, event_id="Ev2", message=message("Globex called", "2.0")) == 0

    directory.add_customer(deps, team_id=TEAM, command=AddCustomer(name="Globex"), created_by="U0DANA")
    assert mentions.record_message(other_instance, event_id="Ev3", message=message("Globex again", "3.0")) == 1

    directory.add_alias(other_instance, team_id=TEAM, text="Acme Corp Roadrunner")
    assert mentions.record_message(deps, event_id="Ev4", message=message("Roadrunner called", "4.0")) == 1
