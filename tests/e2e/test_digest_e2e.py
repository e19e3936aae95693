"""The weekly digest, `/rapport` and the Home tab's stories through the running app and the simulator: the digest
is queued by the job at a chosen `now` and delivered by the real sender into the stories channel; `/rapport` is a
real signed slash command; the Home tab is published on a real app_home_opened event."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.db.queries import settings as settings_rows
from bot.services import followups, outbox
from bot.services.digest import queue_weekly_digest
from tests.e2e.conftest import RunningApp, eventually
from tests.integration.stories_seed import add_story

TEAM = "T0SIM0001"
STORIES_CHANNEL = "C0RANDOM"


def _a_friday_at_15(after: datetime) -> datetime:
    """The digest's default moment, Friday 15:00 in the workspace's timezone: its primary owner's (Olive, London)."""
    london = ZoneInfo("Europe/London")
    day = after.astimezone(london).date()
    return datetime.combine(day + timedelta(days=(4 - day.weekday()) % 7), time(15, 0), tzinfo=london).astimezone(UTC)


def _set_stories_channel(app: RunningApp) -> None:
    assert app.sim.add_bot_to_channel(STORIES_CHANNEL, inviter="U0OWNER").status == 200
    deps = app.runtime.deps
    with deps.session_factory.begin() as session:
        settings_rows.of_workspace(session, team_id=TEAM, now=deps.clock()).stories_channel = STORIES_CHANNEL


def _seed(app: RunningApp, **story: Any) -> int:
    with app.runtime.deps.session_factory.begin() as session:
        return add_story(session, TEAM, **story)


@pytest.mark.usefixtures("no_errors_logged")
def test_weekly_digest_is_posted_once_into_the_stories_channel(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    deps = app.runtime.deps
    _set_stories_channel(app)
    # Weeks ahead of the app's own clock, so its background job (running now) has nothing of these to send.
    friday = _a_friday_at_15(deps.clock() + timedelta(days=14))
    ts, _ = sim.post_message("U0DANA", "C0SUPPORT", "Lee drove to Acme to swap the drive himself")
    _seed(
        app,
        text="Lee drove to Acme to swap the drive <!channel>",
        at=friday - timedelta(days=2),
        credited=("U0LEE",),
        recognisers=("U0DANA", "U0KIRI", "U0STEPH"),
        principle="friend",
        source=("C0SUPPORT", ts),
    )
    _seed(app, text="Kiri called back two days later", at=friday - timedelta(days=1), credited=("U0KIRI",))

    assert queue_weekly_digest(deps, now=friday - timedelta(minutes=1)) == 0
    assert queue_weekly_digest(deps, now=friday) == 1
    assert queue_weekly_digest(deps, now=friday + timedelta(hours=2)) == 0
    # Only the digest is checked: the app's own sender may leave other rows (the intro note) to this pass.
    report = outbox.send_outbox(deps, client=app.runtime.client, now=friday, worker="e2e")
    assert report.sent >= 1 and report.failed == 0

    [post] = [
        c
        for c in sim.calls_to("chat.postMessage")
        if c.args.get("channel") == STORIES_CHANNEL and "good service" in json.dumps(c.args)
    ]
    [digest] = [m for m in sim.messages(STORIES_CHANNEL) if m["ts"] == post.response["ts"]]
    shown = json.dumps(digest, ensure_ascii=False)
    assert "This week in good service" in shown and "2 good stories" in shown
    assert shown.index("Lee drove to Acme") < shown.index("Kiri called back")  # most recognised first
    assert "Recognised by 3 people" in shown and "Treated them like a friend" in shown
    assert f"archives/C0SUPPORT/p{ts.replace('.', '')}" in shown
    assert "<!channel>" not in shown
    outbox.send_outbox(deps, client=app.runtime.client, now=friday + timedelta(hours=3), worker="e2e")
    assert sum("good service" in json.dumps(m) for m in sim.messages(STORIES_CHANNEL)) == 1


@pytest.mark.usefixtures("no_errors_logged")
def test_rapport_help_stats_and_settings_for_non_admins(running_app: RunningApp) -> None:
    app = running_app
    deps = app.runtime.deps
    _seed(app, text="Steph stayed until it was solved", at=deps.clock(), credited=("U0STEPH",))
    _seed(app, text="nobody recognised this one", at=deps.clock(), recognisers=())
    app.command("add Acme Corp owner <@U0LEE|lee>")
    app.command("Acme Corp tomorrow call back about the drive", command="/followup")
    [view] = followups.list_open(deps, team_id=TEAM, user_id="U0LEE")
    assert followups.mark_done(deps, app.runtime.client, team_id=TEAM, followup_id=view.id, user_id="U0LEE").changed

    help_text = json.dumps(app.command("help", command="/rapport", user="U0LEE"))
    for command in ("/customer", "/followup", "/kudos", "/rapport stats", "What Rapport stores"):
        assert command in help_text
    # No text opens the settings modal for admins; Lee is not one, so Lee gets the help.
    assert json.dumps(app.command("", command="/rapport", user="U0LEE")) == help_text

    stats = app.command("stats", command="/rapport")
    assert stats.get("response_type") == "ephemeral"
    shown = json.dumps(stats)
    assert "*1 good story* this month" in shown
    assert "*1 of 1* follow-ups done on time in the last 30 days" in shown
    assert "*0 of 1* customers quiet" in shown

    refused = json.dumps(app.command("settings", command="/rapport", user="U0LEE"))
    assert "Only workspace admins" in refused and "/rapport nudges off" in refused
    unknown = app.command("frobnicate <!here>", command="/rapport")
    assert unknown.get("response_type") == "ephemeral"
    assert "/rapport stats" in json.dumps(unknown) and "<!here>" not in json.dumps(unknown)
    assert "Traceback" not in json.dumps(unknown)


@pytest.mark.usefixtures("no_errors_logged")
def test_home_tab_shows_recent_stories_and_the_stories_about_me(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    deps = app.runtime.deps
    now = deps.clock()
    _seed(app, text="Lee fixed the Acme export", at=now - timedelta(hours=3), credited=("U0LEE",))
    _seed(app, text="Kiri called the customer back", at=now - timedelta(hours=2), credited=("U0KIRI",))
    _seed(app, text="withdrawn story", at=now - timedelta(hours=1), credited=("U0LEE",), recognisers=())

    assert sim.send_event({"type": "app_home_opened", "user": "U0LEE", "channel": "D0LEE", "tab": "home"}).status == 200
    home = eventually(lambda: (v := sim.home_view("U0LEE")) is not None and "Recent stories" in json.dumps(v) and v)
    shown = json.dumps(home)
    recent, about_me = shown.split("Recent stories")[1].split("Stories about you")
    assert recent.index("Kiri called the customer back") < recent.index("Lee fixed the Acme export")  # newest first
    assert "Lee fixed the Acme export" in about_me and "Kiri called" not in about_me
    assert "withdrawn story" not in shown
    assert len(home["blocks"]) <= 100
