"""The workspace's own time through the running app: a Californian team (its primary owner in Los Angeles, no admin
setting) gets its unanswered-message alert at 10:30 their time, `/rapport settings` says where the timezone came
from, an admin's choice overrides it (and emptying the field goes back), and a failed users.list at start-up
crashes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_runtime
from bot.db.models import WorkspaceSettings
from bot.db.queries import settings as settings_rows
from bot.services import outbox, unanswered, workspace_time
from bot.slacksim import SimWorkspace, SlackSimulator
from tests.e2e.conftest import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, RunningApp, eventually, settings_for
from tests.e2e.settings_form import TEAM, open_settings, submit_settings

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
BOB = "W0EXTBOB"  # Bob Customer, of Acme's own Slack team, in the shared channel C0ACME


@pytest.fixture
def sim() -> Iterator[SlackSimulator]:
    """The standard workspace, but its primary owner (Olive) lives in California."""
    workspace = SimWorkspace.default()
    olive = workspace.user("U0OWNER")
    assert olive is not None and olive.is_primary_owner
    olive.tz = "America/Los_Angeles"
    with SlackSimulator(
        workspace=workspace, signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN, app_token=APP_TOKEN
    ) as simulator:
        yield simulator


def _row(app: RunningApp) -> WorkspaceSettings:
    deps = app.runtime.deps
    with deps.session_factory.begin() as session:
        return settings_rows.of_workspace(session, team_id=TEAM, now=deps.clock())


def _a_monday_at_10_in_los_angeles(after: datetime) -> datetime:
    """A Monday 10:00 in Los Angeles more than a week after `after` (so the app's own jobs, running now, leave
    it to the test)."""
    day = (after + timedelta(days=8)).astimezone(LOS_ANGELES).date()
    monday = day + timedelta(days=(7 - day.weekday()) % 7)
    return datetime(monday.year, monday.month, monday.day, 10, 0, tzinfo=LOS_ANGELES)


def _alerts(app: RunningApp, now: datetime) -> int:
    """The unanswered-alert job and the sender, as they would run at `now`."""
    queued = unanswered.queue_unanswered_alerts(app.runtime.deps, now=now)
    outbox.send_outbox(app.runtime.deps, client=app.runtime.client, now=now, worker="e2e")
    return queued


@pytest.mark.usefixtures("no_errors_logged")
def test_a_californian_teams_customer_waiting_since_10_alerts_the_owner_at_1030_their_time(
    running_app: RunningApp,
) -> None:
    app, sim = running_app, running_app.sim
    # No admin ever set a timezone: it is the primary owner's, read at start-up.
    assert (_row(app).timezone, _row(app).timezone_set_by_admin) == ("America/Los_Angeles", False)
    app.command("add Acme Corp owner <@U0LEE|lee>")
    assert sim.add_bot_to_channel("C0ACME", inviter="U0DANA").status == 200
    assert "linked to *Acme Corp*" in json.dumps(app.command("link Acme Corp", channel="C0ACME"))

    ten = _a_monday_at_10_in_los_angeles(app.runtime.deps.clock())
    sim.clock = lambda: ten.timestamp()  # Bob writes at 10:00 on a Monday, California time
    _, delivery = sim.post_message(BOB, "C0ACME", "Hi, our drive is broken again, can someone help?")
    assert delivery.status == 200
    eventually(lambda: app.mention_count() == 1)

    assert _alerts(app, ten + timedelta(minutes=29, seconds=59)) == 0
    assert sim.dm_messages("U0LEE") == []
    assert _alerts(app, ten + timedelta(minutes=30, seconds=1)) == 1  # 10:30 in Los Angeles, not 02:30 at night
    [dm] = eventually(lambda: sim.dm_messages("U0LEE"))
    assert "Acme Corp" in json.dumps(dm) and "our drive is broken again" in json.dumps(dm)
    assert _alerts(app, ten + timedelta(hours=18, minutes=30)) == 0  # one DM, once


def _timezone_context(view: dict[str, Any]) -> str:
    [line] = [
        e["text"]
        for b in view["blocks"]
        if b["type"] == "context"
        for e in b["elements"]
        if "Workspace timezone now" in e["text"]
    ]
    return str(line)


def _timezone_input(view: dict[str, Any]) -> dict[str, Any]:
    [block] = [b for b in view["blocks"] if b.get("block_id") == "timezone"]
    return dict(block["element"])


@pytest.mark.usefixtures("no_errors_logged")
def test_settings_show_where_the_timezone_came_from_and_an_admins_choice_overrides_it(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    deps = app.runtime.deps
    view = open_settings(sim)
    assert "America/Los_Angeles — from the primary owner, Olive" in _timezone_context(view)
    element = _timezone_input(view)
    assert "initial_value" not in element and element["placeholder"]["text"] == "America/Los_Angeles (automatic)"

    # An admin types Paris: it is theirs; the daily read of the workspace's people no longer changes it.
    saved = submit_settings(sim, view, timezone="Europe/Paris")
    shown = json.dumps(saved["view"], ensure_ascii=False)
    assert "America/Los_Angeles (automatic) → Europe/Paris (set by an admin)" in shown
    assert (_row(app).timezone, _row(app).timezone_set_by_admin) == ("Europe/Paris", True)
    assert workspace_time.refresh_due(deps, now=deps.clock() + timedelta(days=1), client=app.runtime.client) == 1
    assert _row(app).timezone == "Europe/Paris"
    again = open_settings(sim)
    assert "Europe/Paris — set by an admin" in _timezone_context(again)
    assert _timezone_input(again)["initial_value"] == "Europe/Paris"
    assert "Nothing changed" in json.dumps(submit_settings(sim, again)["view"])  # saved as opened: still theirs

    # Emptied: automatic again, the primary owner's.
    back = submit_settings(sim, again, timezone=None)
    assert "Europe/Paris (set by an admin) → America/Los_Angeles (automatic)" in json.dumps(
        back["view"], ensure_ascii=False
    )
    assert (_row(app).timezone, _row(app).timezone_set_by_admin) == ("America/Los_Angeles", False)
    assert "from the primary owner, Olive" in _timezone_context(open_settings(sim))


def test_a_failed_users_list_at_start_up_crashes_nothing_and_is_read_again_later(
    sim: SlackSimulator, database_url: str
) -> None:
    sim.fail_next("users.list", status=200, error="missing_scope")
    runtime = build_runtime(settings_for(sim, database_url, socket_mode=False))
    try:
        deps = runtime.deps
        with deps.session_factory.begin() as session:
            view = workspace_time.timezone_view(settings_rows.of_workspace(session, team_id=TEAM, now=deps.clock()))
        assert (view.tz, view.source, view.read_ever) == ("UTC", "default", False)
        later = deps.clock() + timedelta(minutes=15)
        assert workspace_time.refresh_due(deps, now=later, client=runtime.client) == 1
        with deps.session_factory.begin() as session:
            assert settings_rows.of_workspace(session, team_id=TEAM, now=later).timezone == "America/Los_Angeles"
    finally:
        runtime.close()
