"""The workspace's own time read from its people through the simulator's users.list, on a real database: paged,
stopping at the primary owner; the most common otherwise; a failed read keeps what was there and is retried; an
admin's choice always wins, and emptying it goes back to automatic."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.db.models import SettingsChange, WorkspaceSettings
from bot.db.queries import settings as settings_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain import workspace_settings as ws
from bot.runtime.deps import Deps
from bot.services import settings, workspace_time
from bot.slacksim import SimUser, SimWorkspace, SlackSimulator
from tests.conftest import TEAM, FakeClock


def people(count: int, tz: str = "Europe/Paris") -> list[SimUser]:
    return [SimUser(f"U{i:05d}", f"user{i}", f"User {i}", tz=tz) for i in range(count)]


@pytest.fixture
def big_sim() -> Iterator[SlackSimulator]:
    """450 people in Paris, an admin in New York, the primary owner (Dana) in Los Angeles on the second page."""
    users = people(450)
    users[0] = SimUser("U0ADMIN", "ada", "Ada Admin", tz="America/New_York", is_admin=True)
    users[250] = SimUser("U0DANA", "dana", "Dana Scully", tz="America/Los_Angeles", display_name="Dana")
    users[250].is_primary_owner = True
    with SlackSimulator(workspace=SimWorkspace(users=users), bot_token="xoxb-t") as simulator:
        yield simulator


@pytest.fixture
def big_client(big_sim: SlackSimulator) -> WebClient:
    return WebClient(token="xoxb-t", base_url=big_sim.api_url)


def installed(deps: Deps) -> None:
    """What start-up does: auth.test names the installed workspace."""
    with deps.session_factory.begin() as session:
        workspace_rows.update_identity(
            session, team_id=TEAM, name="Sim", url="https://x/", bot_user_id="U0RAPPORT", bot_id="B0", now=deps.clock()
        )


def row(deps: Deps) -> WorkspaceSettings:
    with deps.session_factory.begin() as session:
        return settings_rows.of_workspace(session, team_id=TEAM, now=deps.clock())


def test_the_primary_owners_zone_is_read_page_by_page_and_reading_stops_there(
    deps: Deps, big_sim: SlackSimulator, big_client: WebClient, clock: FakeClock
) -> None:
    installed(deps)
    assert (row(deps).timezone, workspace_time.timezone_view(row(deps)).source) == ("UTC", "default")
    assert workspace_time.refresh_due(deps, now=clock(), client=big_client) == 1
    saved = row(deps)
    assert (saved.timezone, saved.auto_timezone_source, saved.auto_timezone_name) == (
        "America/Los_Angeles",
        "primary_owner",
        "Dana",
    )
    calls = big_sim.calls_to("users.list")
    assert len(calls) == 2 and [c.args.get("limit") for c in calls] == ["200", "200"]  # not the third page
    assert calls[1].args["cursor"] == calls[0].response["response_metadata"]["next_cursor"]
    assert workspace_time.refresh_due(deps, now=clock() + timedelta(hours=23), client=big_client) == 0  # daily
    assert workspace_time.refresh_due(deps, now=clock() + timedelta(days=1), client=big_client) == 1


def test_without_a_primary_owner_the_most_common_zone_among_people_who_count(
    deps: Deps, big_sim: SlackSimulator, big_client: WebClient, clock: FakeClock
) -> None:
    installed(deps)
    big_sim.workspace.user("U0DANA").deleted = True  # type: ignore[union-attr]
    big_sim.workspace.users += [SimUser(f"B{i}", f"bot{i}", tz="Asia/Tokyo", is_bot=True) for i in range(600)]
    workspace_time.refresh(deps, big_client, team_id=TEAM, now=clock())
    view = workspace_time.timezone_view(row(deps))
    assert (view.tz, view.source, view.owner_name) == ("Europe/Paris", "common", "")
    assert len(big_sim.calls_to("users.list")) == 6  # every page: 1,050 members, 200 at a time


def test_a_failed_read_keeps_the_zone_and_is_tried_again_later(
    deps: Deps, sim: SlackSimulator, client: WebClient, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    installed(deps)
    sim.fail_next("users.list", status=429, retry_after=30)
    with caplog.at_level(logging.WARNING):
        assert workspace_time.refresh_due(deps, now=clock(), client=client) == 1  # no exception
    assert "users.list: ratelimited" in caplog.text and "trying again in 15 minutes" in caplog.text
    view = workspace_time.timezone_view(row(deps))
    assert (view.tz, view.source, view.read_ever) == ("UTC", "default", False)
    assert workspace_time.refresh_due(deps, now=clock() + timedelta(minutes=14), client=client) == 0
    sim.fail_next("users.list", status=200, error="fatal_error")
    workspace_time.refresh_due(deps, now=clock() + timedelta(minutes=15), client=client)
    assert row(deps).timezone == "UTC"
    workspace_time.refresh_due(deps, now=clock() + timedelta(minutes=30), client=client)
    assert (row(deps).timezone, row(deps).auto_timezone_name) == ("Europe/London", "Olive")  # the sim's owner

    # Once read, a later failure keeps the zone that was read.
    sim.fail_next("users.list", status=500)
    workspace_time.refresh(deps, client, team_id=TEAM, now=clock() + timedelta(days=2))
    assert workspace_time.timezone_view(row(deps)).tz == "Europe/London"


def test_an_admins_choice_wins_until_emptied(
    deps: Deps, big_sim: SlackSimulator, big_client: WebClient, clock: FakeClock
) -> None:
    installed(deps)
    workspace_time.refresh(deps, big_client, team_id=TEAM, now=clock())
    form = ws.form_of(settings.current(deps, team_id=TEAM).values)

    # The admin types a zone: it is theirs, and a later read only refreshes the automatic one.
    settings.save(deps, big_client, team_id=TEAM, user_id="U0ADMIN", form=replace(form, timezone="Europe/Berlin"))
    big_sim.workspace.user("U0DANA").tz = "America/Chicago"  # type: ignore[union-attr]
    workspace_time.refresh(deps, big_client, team_id=TEAM, now=clock() + timedelta(days=1))
    view = workspace_time.timezone_view(row(deps))
    assert (view.tz, view.source, view.automatic) == ("Europe/Berlin", "admin", "America/Chicago")

    # Emptied: automatic again, at once; the switch is recorded.
    settings.save(deps, big_client, team_id=TEAM, user_id="U0ADMIN", form=replace(form, timezone=""))
    view = workspace_time.timezone_view(row(deps))
    assert (view.tz, view.source, view.owner_name) == ("America/Chicago", "primary_owner", "Dana")
    with deps.session_factory.begin() as session:
        changes = session.scalars(select(SettingsChange).where(SettingsChange.setting == "timezone"))
        audit = [(c.old_value, c.new_value) for c in changes]
    assert audit == [
        ("America/Los_Angeles (automatic)", "Europe/Berlin (set by an admin)"),
        ("Europe/Berlin (set by an admin)", "America/Chicago (automatic)"),
    ]
