"""Backup owners on a real database, with the real slack_sdk client asking the simulator about the owner: the alert
job at chosen times (`now`), its looks at presence and status, and who gets which DM."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from slack_sdk import WebClient

from bot.db.queries import settings as settings_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain.customer_commands import AddCustomer
from bot.runtime.deps import Deps
from bot.services import directory, mentions, unanswered
from bot.slacksim import SlackSimulator
from tests.conftest import TEAM
from tests.integration.test_unanswered import CHANNEL, MONDAY_10, alerts, post

OWNER, BACKUP = "U0LEE", "U0DANA"
DEADLINE = MONDAY_10 + timedelta(minutes=30)


class SimNow:
    """The simulator's clock set to the job's `now`, so a status ends when the test says."""

    def __init__(self) -> None:
        self.now = MONDAY_10

    def __call__(self) -> float:
        return self.now.timestamp()


@pytest.fixture
def sim_now(sim: SlackSimulator) -> Iterator[SimNow]:
    clock = SimNow()
    sim.clock = clock
    yield clock


def linked(deps: Deps, *, backup: str | None = BACKUP) -> None:
    """Acme Corp, owned by Lee with Dana as backup, linked to its shared channel."""
    command = AddCustomer(name="Acme Corp", owner_user_id=OWNER, backup_user_id=backup)
    directory.add_customer(deps, team_id=TEAM, command=command, created_by=OWNER)
    mentions.bot_joined_channel(deps, event_id="EvJoin", team_id=TEAM, channel_id=CHANNEL)
    directory.link_channel(deps, team_id=TEAM, query="Acme Corp", channel_id=CHANNEL)
    with deps.session_factory.begin() as session:
        workspace_rows.update_identity(
            session,
            team_id=TEAM,
            name="Sim",
            url="https://sim.slack.com/",
            bot_user_id="U0RAPPORT",
            bot_id="B0RAPPORT",
            now=MONDAY_10,
        )


def run_job(deps: Deps, client: WebClient, sim_now: SimNow, *, until: datetime, every: timedelta) -> int:
    """The alert job as the scheduler runs it, from the customer's message to `until`."""
    total, at = 0, MONDAY_10
    while at <= until:
        sim_now.now = at
        total += unanswered.queue_unanswered_alerts(deps, now=at, client=client)
        at += every
    return total


def dms(deps: Deps) -> dict[str, str]:
    """Each alert DM's text (blocks as JSON), by recipient."""
    return {row.payload["channel"]: json.dumps(row.payload) for row in alerts(deps)}


def keys(deps: Deps) -> list[str]:
    return sorted(row.idempotency_key for row in alerts(deps))


def test_an_owner_away_in_slack_the_whole_wait_brings_in_the_backup(
    deps: Deps, client: WebClient, sim: SlackSimulator, sim_now: SimNow
) -> None:
    linked(deps)
    sim.set_presence(OWNER, "away")
    asked = post(deps, MONDAY_10)
    assert run_job(deps, client, sim_now, until=DEADLINE, every=timedelta(seconds=30)) == 1
    sent = dms(deps)
    assert set(sent) == {OWNER, BACKUP}
    assert keys(deps) == [f"unanswered:{CHANNEL}:{asked}", f"unanswered:{CHANNEL}:{asked}:backup"]
    since = int(MONDAY_10.timestamp())
    assert f"<@{OWNER}> is away (shown away in Slack since <!date^{since}" in sent[BACKUP]
    assert "so you're getting this as *Acme Corp*'s backup owner" in sent[BACKUP]
    assert f"You seem to be away (shown away in Slack since <!date^{since}" in sent[OWNER]
    assert f"<@{BACKUP}>, Acme Corp's backup owner, is getting this too" in sent[OWNER]
    # The presence was looked at about once a minute, never on every 30-second run.
    assert 25 <= len(sim.calls_to("users.getPresence")) <= 35


def test_an_owner_who_went_away_only_lately_is_not_away_long_enough(
    deps: Deps, client: WebClient, sim: SlackSimulator, sim_now: SimNow
) -> None:
    linked(deps)
    post(deps, MONDAY_10)
    assert run_job(deps, client, sim_now, until=MONDAY_10 + timedelta(minutes=20), every=timedelta(minutes=1)) == 0
    sim.set_presence(OWNER, "away")
    start = MONDAY_10 + timedelta(minutes=21)
    total = 0
    for minute in range(0, 10):
        sim_now.now = start + timedelta(minutes=minute)
        total += unanswered.queue_unanswered_alerts(deps, now=sim_now.now, client=client)
    assert total == 1
    assert list(dms(deps)) == [OWNER]
    assert "away" not in dms(deps)[OWNER]


def test_a_status_emoji_on_the_list_brings_in_the_backup_and_says_until_when(
    deps: Deps, client: WebClient, sim: SlackSimulator, sim_now: SimNow
) -> None:
    linked(deps)
    back = MONDAY_10 + timedelta(days=4)
    sim.set_status(OWNER, emoji=":palm_tree:", text="On vacation", expiration=back.timestamp())
    post(deps, MONDAY_10)
    sim_now.now = DEADLINE
    assert unanswered.queue_unanswered_alerts(deps, now=DEADLINE, client=client) == 1
    sent = dms(deps)
    assert set(sent) == {OWNER, BACKUP}
    assert f"<@{OWNER}> is away (:palm_tree: On vacation, until <!date^{int(back.timestamp())}^" in sent[BACKUP]


def test_a_word_of_the_status_text_on_the_list_brings_in_the_backup(
    deps: Deps, client: WebClient, sim: SlackSimulator, sim_now: SimNow
) -> None:
    linked(deps)
    sim.set_status(OWNER, emoji=":airplane:", text="OOO till Monday")
    post(deps, MONDAY_10)
    sim_now.now = DEADLINE
    assert unanswered.queue_unanswered_alerts(deps, now=DEADLINE, client=client) == 1
    assert f"<@{OWNER}> is away (:airplane: OOO till Monday), so you're" in dms(deps)[BACKUP]


def test_the_workspace_decides_which_statuses_mean_away(
    deps: Deps, client: WebClient, sim: SlackSimulator, sim_now: SimNow
) -> None:
    linked(deps)
    with deps.session_factory.begin() as session:
        settings_rows.of_workspace(session, team_id=TEAM, now=MONDAY_10).away_statuses = ":airplane:, conference"
    sim.set_status(OWNER, emoji=":palm_tree:", text="Beach")
    post(deps, MONDAY_10)
    sim_now.now = DEADLINE
    assert unanswered.queue_unanswered_alerts(deps, now=DEADLINE, client=client) == 1
    assert list(dms(deps)) == [OWNER]  # a palm tree is not on this workspace's list
    sim.set_status(OWNER, emoji="", text="At a conference")
    later = post(deps, DEADLINE + timedelta(minutes=1), text="Hello again?")
    sim_now.now = DEADLINE + timedelta(minutes=40)  # the status read 5 minutes ago and more is read again
    assert unanswered.queue_unanswered_alerts(deps, now=sim_now.now, client=client) == 1
    assert f"unanswered:{CHANNEL}:{later}:backup" in keys(deps)


def test_a_status_that_ended_before_the_deadline_does_not_count(
    deps: Deps, client: WebClient, sim: SlackSimulator, sim_now: SimNow
) -> None:
    linked(deps)
    sim.set_status(
        OWNER, emoji=":palm_tree:", text="Long lunch", expiration=(MONDAY_10 + timedelta(minutes=10)).timestamp()
    )
    post(deps, MONDAY_10)
    # Read while it still shows (at the first run), then judged at the deadline, after it ended.
    assert run_job(deps, client, sim_now, until=DEADLINE, every=timedelta(minutes=1)) == 1
    assert list(dms(deps)) == [OWNER]
    assert "away" not in dms(deps)[OWNER]


def test_an_owner_no_longer_a_member_leaves_the_alert_to_the_backup(
    deps: Deps, client: WebClient, sim: SlackSimulator, sim_now: SimNow
) -> None:
    linked(deps)
    sim.deactivate_user(OWNER)
    post(deps, MONDAY_10)
    sim_now.now = DEADLINE
    assert unanswered.queue_unanswered_alerts(deps, now=DEADLINE, client=client) == 1
    sent = dms(deps)
    assert list(sent) == [BACKUP]  # a DM to a deactivated account reaches nobody
    assert (
        f"<@{OWNER}> is no longer a member of this workspace, so you're getting this as *Acme Corp*'s" in sent[BACKUP]
    )


def test_no_backup_the_owner_gets_the_usual_dm_and_nobody_is_looked_at(
    deps: Deps, client: WebClient, sim: SlackSimulator, sim_now: SimNow
) -> None:
    linked(deps, backup=None)
    sim.set_presence(OWNER, "away")
    sim.set_status(OWNER, emoji=":palm_tree:", text="On vacation")
    post(deps, MONDAY_10)
    assert run_job(deps, client, sim_now, until=DEADLINE, every=timedelta(minutes=1)) == 1
    sent = dms(deps)
    assert list(sent) == [OWNER]
    assert "away" not in sent[OWNER] and "backup" not in sent[OWNER]
    assert sim.calls_to("users.getPresence") == [] and sim.calls_to("users.profile.get") == []


def test_slack_errors_leave_the_owner_not_known_to_be_away_and_the_alert_goes(
    deps: Deps, client: WebClient, sim: SlackSimulator, sim_now: SimNow, caplog: pytest.LogCaptureFixture
) -> None:
    linked(deps)
    sim.bot_scopes = [s for s in sim.bot_scopes if s != "users.profile:read"]
    sim.set_status(OWNER, emoji=":palm_tree:", text="On vacation")
    sim.set_presence(OWNER, "away")
    sim.fail_next("users.getPresence", status=429, retry_after=30, error="ratelimited", times=1000)
    post(deps, MONDAY_10)
    with caplog.at_level(logging.WARNING, logger="bot.services.away"):
        assert run_job(deps, client, sim_now, until=DEADLINE, every=timedelta(minutes=1)) == 1
    assert list(dms(deps)) == [OWNER]
    assert "away" not in dms(deps)[OWNER]
    logged = caplog.text
    assert "users.profile.get failed for U0LEE: missing_scope (needs users.profile:read)" in logged
    assert "users.getPresence failed for U0LEE: ratelimited" in logged
    # A refused read is not asked again on every run: once per STATUS_TTL.
    assert len(sim.calls_to("users.profile.get")) <= 7
