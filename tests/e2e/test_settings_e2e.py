"""`/rapport settings`: the admins' modal, its validation inside the modal, the audit trail, and a change seen
by a second `rapport run` process at once."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.db.models import Nudge, SettingsChange, WorkspaceSettings
from bot.db.queries import settings as settings_rows
from bot.services import settings
from bot.slacksim import SlackSimulator
from tests.e2e.conftest import BOT_TOKEN, RunningApp
from tests.e2e.reminders import RapportProcess, wait_until
from tests.e2e.settings_form import TEAM, open_settings, submit_settings

SPEC_SETTINGS = (
    "stories_channel",
    "story_emoji",
    "followup_emoji",
    "default_delay",
    "working_hours_start",
    "working_hours_end",
    "working_days",
    "quiet_days",
    "unanswered_minutes",
    "digest_day",
    "digest_time",
    "nudges",
    "retention_days",
    "promise_offers",
)


def _row(app: RunningApp) -> WorkspaceSettings:
    deps = app.runtime.deps
    with deps.session_factory.begin() as session:
        return settings_rows.of_workspace(session, team_id=TEAM, now=deps.clock())


def _changes(app: RunningApp) -> list[SettingsChange]:
    with app.runtime.deps.session_factory.begin() as session:
        return list(session.scalars(select(SettingsChange).order_by(SettingsChange.id)))


@pytest.mark.usefixtures("no_errors_logged")
def test_an_admin_edits_every_setting_and_each_change_is_recorded(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    sim.set_bot_member("C0SUPPORT")  # the stories channel: the bot was invited
    view = open_settings(sim)
    assert view["callback_id"] == "rapport_settings"
    fields = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert set(SPEC_SETTINGS) <= set(fields)
    assert len(view["blocks"]) <= 100 and len(json.dumps(view)) < 250_000

    saved = submit_settings(
        sim,
        view,
        stories_channel="C0SUPPORT",
        story_emoji=":star2:, tada",
        followup_emoji="alarm_clock",
        default_delay="3",
        working_hours_start="8:30",
        working_hours_end="17:00",
        working_days=["mon", "tue", "wed", "thu"],
        quiet_days="45",
        unanswered_minutes="20",
        digest_day="thu",
        digest_time="16:00",
        nudges="off",
        retention_days="30",
        nudge_excluded_channels=["C0RANDOM"],
        tone_rules_added="blame | you never listen | I hear you; let me make sure I have it right",
    )
    assert saved["response_action"] == "update", saved
    shown = json.dumps(saved["view"], ensure_ascii=False)
    assert "Saved" in shown and "Quiet-customer threshold (days)*: 30 → 45" in shown

    row = _row(app)
    assert (row.stories_channel, row.story_emojis, row.default_followup_working_days) == ("C0SUPPORT", "star2,tada", 3)
    assert (row.working_hours_start, row.working_hours_end, row.working_days) == (510, 1020, "mon,tue,wed,thu")
    assert (row.quiet_days, row.unanswered_minutes, row.digest_day, row.digest_time) == (45, 20, "thu", 960)
    assert (row.nudges_enabled, row.retention_days, row.nudge_excluded_channels) == (False, 30, "C0RANDOM")
    assert "you never listen" in row.tone_rules_added

    audit = {c.setting: c for c in _changes(app)}
    assert {c.user_id for c in audit.values()} == {"U0DANA"}
    assert (audit["quiet_days"].old_value, audit["quiet_days"].new_value) == ("30", "45")
    assert (audit["working_hours_start"].old_value, audit["working_hours_start"].new_value) == ("09:00", "08:30")
    assert (audit["nudges"].old_value, audit["nudges"].new_value) == ("on", "off")
    assert "followup_emoji" not in audit  # unchanged: not recorded
    assert all(c.changed_at == audit["quiet_days"].changed_at for c in audit.values())

    # Opened again, the modal shows the saved values and who changed them last.
    again = open_settings(sim)
    texts = json.dumps(again)
    assert '"initial_value": "45"' in texts and '"initial_value": "08:30"' in texts
    assert "Last changed by <@U0DANA>" in texts
    # Saving it unchanged records nothing more.
    unchanged = submit_settings(sim, again)
    assert "Nothing changed" in json.dumps(unchanged["view"]) and len(_changes(app)) == len(audit)


@pytest.mark.usefixtures("no_errors_logged")
@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("working_hours_start", "25:00", "An hour goes from 0 to 23"),
        ("working_hours_end", "25", "An hour goes from 0 to 23"),
        ("digest_time", "noonish", "not a time of day"),
        ("working_hours_end", "08:00", "must end after it starts"),
        ("quiet_days", "-3", "from 1 to 365"),
        ("unanswered_minutes", "0", "from 1 to 1440"),
        ("retention_days", "ninety", "from 1 to 3650"),
        ("default_delay", "", "from 1 to 30"),
        ("working_days", [], "at least one working day"),
        ("story_emoji", "star 2 :)", "not an emoji name"),
        ("followup_emoji", "star2", "already a story emoji"),
        ("timezone", "Mars/Olympus", "not a timezone I know"),
        ("tone_rules_added", "shouting | stop it | please", "Line 1"),
        ("tone_rules_file", "/nonexistent/rules.toml", "rules.toml"),
        ("stories_channel", "C0RANDOM", "invite me"),
    ],
)
def test_every_invalid_value_is_explained_next_to_its_field(
    http_app: RunningApp, field: str, value: object, expected: str
) -> None:
    app, sim = http_app, http_app.sim
    sim.set_bot_member("C0RANDOM", False)
    before = _row(app)
    view = open_settings(sim)
    answer = submit_settings(sim, view, **{field: value})
    assert answer["response_action"] == "errors", answer
    assert list(answer["errors"]) == [field] and expected.lower() in answer["errors"][field].lower()
    after = _row(app)
    assert {c.name: getattr(after, c.name) for c in WorkspaceSettings.__table__.columns} == {
        c.name: getattr(before, c.name) for c in WorkspaceSettings.__table__.columns
    }
    assert _changes(app) == []


@pytest.mark.usefixtures("no_errors_logged")
def test_several_bad_values_are_all_explained_at_once(http_app: RunningApp) -> None:
    sim = http_app.sim
    answer = submit_settings(sim, open_settings(sim), working_hours_start="25:00", quiet_days="-3")
    assert set(answer["errors"]) == {"working_hours_start", "quiet_days"}


@pytest.mark.usefixtures("no_errors_logged")
def test_non_admins_are_refused_politely_and_rapport_admins_count(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    refused = app.command("settings", command="/rapport", user="U0LEE")
    assert refused["response_type"] == "ephemeral" and "Only workspace admins" in json.dumps(refused)
    assert sim.calls_to("views.open") == []
    # A forged or stale submission from a non-admin changes nothing.
    view = open_settings(sim)  # opened by Dana, an admin
    answer = submit_settings(sim, view, user="U0LEE", quiet_days="99")
    assert answer["response_action"] == "update" and "Only workspace admins" in json.dumps(answer["view"])
    assert _row(app).quiet_days == 30 and _changes(app) == []
    # The owner is an admin too; RAPPORT_ADMINS adds people Slack does not call admins.
    deps = app.runtime.deps
    client = WebClient(token=BOT_TOKEN, base_url=sim.api_url)
    assert settings.is_admin(deps, client, team_id=TEAM, user_id="U0OWNER")
    assert not settings.is_admin(deps, client, team_id=TEAM, user_id="U0LEE")
    with_lee = dataclasses.replace(deps, settings=dataclasses.replace(deps.settings, admins=frozenset({"U0LEE"})))
    assert settings.is_admin(with_lee, client, team_id=TEAM, user_id="U0LEE")


def _nudge_count(database_url: str) -> int:
    from bot.db.session import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count(Nudge.id))) or 0)
    finally:
        engine.dispose()


def test_a_change_made_in_one_process_applies_at_once_in_another(
    sim: SlackSimulator, database_url: str, tmp_path: Path
) -> None:
    first = RapportProcess(sim, database_url, log_path=tmp_path / "first.log")
    second = RapportProcess(sim, database_url, log_path=tmp_path / "second.log")
    try:
        first.wait_healthy()
        second.wait_healthy()
        # The second process sees a brush-off first, so it has the workspace's tone settings cached.
        sim.set_bot_member("C0SUPPORT")
        sim.deliver_http_to(f"http://127.0.0.1:{second.port}/slack/events")
        assert sim.post_message("U0LEE", "C0SUPPORT", "Not my department, sorry.")[1].status == 200
        assert _nudge_count(database_url) == 1
        wait_until(lambda: sim.ephemerals(user="U0LEE"), timeout=15)

        # An admin turns tone nudges off through the first process...
        sim.deliver_http_to(f"http://127.0.0.1:{first.port}/slack/events")
        answer = submit_settings(sim, open_settings(sim), nudges="off")
        assert answer["response_action"] == "update", answer

        # ...and the very next message the second process handles is not nudged.
        sim.deliver_http_to(f"http://127.0.0.1:{second.port}/slack/events")
        assert sim.post_message("U0STEPH", "C0SUPPORT", "Not my department, sorry.")[1].status == 200
        assert _nudge_count(database_url) == 1
        # Turned back on in the first, the second nudges again at once.
        sim.deliver_http_to(f"http://127.0.0.1:{first.port}/slack/events")
        submit_settings(sim, open_settings(sim), nudges="on")
        sim.deliver_http_to(f"http://127.0.0.1:{second.port}/slack/events")
        assert sim.post_message("U0KIRI", "C0SUPPORT", "Not my department, sorry.")[1].status == 200
        assert _nudge_count(database_url) == 2
    finally:
        first.stop()
        second.stop()
    assert "Traceback" not in first.log_path.read_text() + second.log_path.read_text()


@pytest.mark.usefixtures("no_errors_logged")
def test_a_submission_without_some_inputs_keeps_their_values(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    view = open_settings(sim)
    state = {"quiet_days": {"quiet_days": {"type": "number_input", "value": "60"}}}
    submitted = {**view, "id": "V0PARTIAL", "team_id": TEAM, "state": {"values": state}}
    delivery = sim.send_interactive(
        {"type": "view_submission", "user": {"id": "U0DANA"}, "team": {"id": TEAM}, "view": submitted}
    )
    assert delivery.status == 200 and isinstance(delivery.body, dict)
    assert delivery.body["response_action"] == "update"
    row = _row(app)
    assert (row.quiet_days, row.digest_time, row.story_emojis, row.nudges_enabled) == (60, 900, "star2", True)
    assert [c.setting for c in _changes(app)] == ["quiet_days"]


@pytest.mark.usefixtures("no_errors_logged")
def test_an_admin_can_stop_using_a_stories_channel(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    sim.set_bot_member("C0SUPPORT")
    first = open_settings(sim)
    assert "stories_in_thread" not in [b.get("block_id") for b in first["blocks"]]  # nothing to give up yet
    submit_settings(sim, first, stories_channel="C0SUPPORT")
    assert _row(app).stories_channel == "C0SUPPORT"
    second = open_settings(sim)
    saved = submit_settings(sim, second, stories_in_thread=["yes"])
    assert "(none)" in json.dumps(saved["view"]) and _row(app).stories_channel is None
    assert [(c.setting, c.old_value, c.new_value) for c in _changes(app)][-1] == (
        "stories_channel",
        "C0SUPPORT",
        "(none)",
    )
