"""Backup owners through the real app and the simulator: `/customer backup`, the add-customer form, the CSV import,
and a waiting customer whose owner is away (presence, status, gone) alerting the backup too, with the reason."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.blocks import customers as customer_blocks
from bot.db.models import Customer
from bot.db.session import make_engine
from bot.domain.messages import ts_to_datetime
from bot.services import outbox, unanswered
from bot.slacksim import SlackSimulator
from bot.slacksim.views import view_state
from tests.e2e.conftest import RunningApp, eventually
from tests.e2e.settings_form import open_settings, submit_settings
from tests.e2e.test_cli import run_cli, slack_env
from tests.e2e.test_unanswered_e2e import BOB, after_deadline

OWNER, BACKUP = "U0LEE", "U0STEPH"


def text_of(reply: dict[str, Any]) -> str:
    return json.dumps(reply)


def acme_with_backup(app: RunningApp, backup: str | None = BACKUP) -> None:
    """Acme Corp, owned by Lee, linked to its shared channel; its backup set by its owner with the command."""
    app.command(f"add Acme Corp owner <@{OWNER}|lee>")
    app.sim.add_bot_to_channel("C0ACME", inviter="U0DANA")
    assert "linked to *Acme Corp*" in text_of(app.command("link Acme Corp", channel="C0ACME"))
    if backup is not None:
        reply = app.command(f"backup Acme Corp <@{backup}|someone>", user=OWNER)
        assert f"<@{backup}> is now *Acme Corp*'s backup owner" in text_of(reply)


def run_jobs(app: RunningApp, now: datetime) -> int:
    """The alert job (looking at owners with the bot's client) and the sender, as they would run at `now`."""
    deps = app.runtime.deps
    queued = unanswered.queue_unanswered_alerts(deps, now=now, client=app.runtime.client)
    outbox.send_outbox(deps, client=app.runtime.client, now=now, worker="e2e")
    return queued


def wait_out(app: RunningApp, ts: str) -> datetime:
    """The alert job every 5 minutes from the customer's message to just past its deadline; the deadline."""
    due = after_deadline(app, ts)
    at = ts_to_datetime(ts)
    while at < due:
        assert run_jobs(app, at) == 0
        at += timedelta(minutes=5)
    assert run_jobs(app, due) == 1
    return due


def dm_text(sim: SlackSimulator, user: str) -> str:
    [dm] = eventually(lambda: sim.dm_messages(user))
    return json.dumps(dm)


@pytest.mark.usefixtures("no_errors_logged")
def test_customer_backup_sets_shows_and_clears_the_backup(running_app: RunningApp) -> None:
    app = running_app
    acme_with_backup(app, backup=None)
    assert "Backup owner" not in text_of(app.command("Acme Corp"))
    # Like changing the owner: for the owner or an admin.
    refused = text_of(app.command(f"backup Acme Corp <@{BACKUP}|steph>", user="U0KIRI"))
    assert "Only Acme Corp's owner or an admin can change its backup owner" in refused
    assert "is now" not in refused
    assert f"<@{BACKUP}> is now *Acme Corp*'s backup owner" in text_of(
        app.command(f"backup Acme <@{BACKUP}|steph>", user=OWNER)
    )
    assert f"*Backup owner:* <@{BACKUP}>" in text_of(app.command("Acme Corp"))
    assert "already owns Acme Corp" in text_of(app.command(f"backup Acme Corp <@{OWNER}|lee>", user="U0DANA"))
    unclear = text_of(app.command("backup Acme Corp", user=OWNER))
    assert "mention the backup owner" in unclear and "/customer backup Acme @lee" in unclear
    assert "has no backup owner now" in text_of(app.command("backup Acme Corp off", user="U0DANA"))
    assert "Backup owner" not in text_of(app.command("Acme Corp"))
    assert "/customer backup Acme @lee" in text_of(app.command("help"))


@pytest.mark.usefixtures("no_errors_logged")
def test_the_add_customer_form_takes_a_backup(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    before = len(sim.calls_to("views.open"))
    assert sim.slash_command("U0DANA", "C0SUPPORT", "/customer", "").status == 200
    opened = sim.wait_for_calls("views.open", before + 1)[-1].args["view"]
    view = opened if isinstance(opened, dict) else json.loads(opened)

    def submit(**changes: Any) -> dict[str, Any]:
        submitted = {**view, "id": "V0CUSTOMER", "state": {"values": view_state(view, changes)}}
        result = sim.send_interactive({"type": "view_submission", "user": {"id": "U0DANA"}, "view": submitted})
        assert result.status == 200, result
        return result.body if isinstance(result.body, dict) else {}

    owner_block, backup_block = customer_blocks.OWNER_BLOCK, customer_blocks.BACKUP_BLOCK
    same = submit(**{customer_blocks.NAME_BLOCK: "Globex", owner_block: OWNER, backup_block: OWNER})
    assert same["response_action"] == "errors" and "can't also be the backup" in same["errors"][backup_block]
    added = submit(**{customer_blocks.NAME_BLOCK: "Globex", owner_block: OWNER, backup_block: BACKUP})
    assert "Globex" in json.dumps(added)
    assert f"*Backup owner:* <@{BACKUP}>" in text_of(app.command("Globex"))
    # Left empty, there is none.
    submit(**{customer_blocks.NAME_BLOCK: "Initech"})
    assert "Backup owner" not in text_of(app.command("Initech"))


def test_the_csv_import_reads_a_backup_column(sim: SlackSimulator, database_url: str, tmp_path: Path) -> None:
    csv_file = tmp_path / "customers.csv"
    csv_file.write_text(
        "name,owner,backup\n"
        "Acme Corp,U0LEE,U0STEPH\n"
        "Globex,U0LEE,dana@example.com\n"
        "Initech,U0LEE,\n"
        "Umbrella,U0LEE,nobody@example.com\n"
        "Hooli,U0LEE,U0LEE\n"
    )
    result = run_cli("customers", "import", str(csv_file), env=slack_env(sim, database_url))
    assert "Imported 3 customer(s)" in result.stdout, result.stdout + result.stderr
    assert "line 5: skipped: no Slack user has the email nobody@example.com" in result.stdout
    assert "line 6: skipped: the backup is the owner" in result.stdout
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = dict(connection.execute(select(Customer.name, Customer.backup_user_id)).all())
    finally:
        engine.dispose()
    assert rows == {"Acme Corp": "U0STEPH", "Globex": "U0DANA", "Initech": None}


@pytest.mark.usefixtures("no_errors_logged")
def test_owner_on_vacation_the_backup_gets_the_alert_saying_why(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    acme_with_backup(app)
    back = datetime.now().timestamp() + 4 * 86400
    sim.set_status(OWNER, emoji=":palm_tree:", text="On vacation", expiration=back)
    ts, _ = sim.post_message(BOB, "C0ACME", "Hi, our drive is broken again")
    assert run_jobs(app, after_deadline(app, ts)) == 1
    backup_dm = dm_text(sim, BACKUP)
    assert f"<@{OWNER}> is away (:palm_tree: On vacation, until <!date^{int(back)}^" in backup_dm
    assert "so you're getting this as *Acme Corp*'s backup owner" in backup_dm
    assert "our drive is broken again" in backup_dm
    owner_dm = dm_text(sim, OWNER)
    assert f"<@{BACKUP}>, Acme Corp's backup owner, is getting this too" in owner_dm


@pytest.mark.usefixtures("no_errors_logged")
def test_a_status_word_from_the_settings_list_counts(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    acme_with_backup(app)
    view = open_settings(sim)
    assert "OOO" in json.dumps(view)  # the shipped list, ready to edit
    saved = submit_settings(sim, view, away_statuses=":airplane:, at a conference")
    assert "Statuses that mean away" in json.dumps(saved)
    sim.set_status(OWNER, emoji=":microphone:", text="At a conference in Lisbon")
    ts, _ = sim.post_message(BOB, "C0ACME", "Anyone there?")
    assert run_jobs(app, after_deadline(app, ts)) == 1
    assert f"<@{OWNER}> is away (:microphone: At a conference in Lisbon), so you're" in dm_text(sim, BACKUP)


@pytest.mark.usefixtures("no_errors_logged")
def test_owner_away_in_slack_throughout_the_wait(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    acme_with_backup(app)
    sim.set_presence(OWNER, "away")
    ts, _ = sim.post_message(BOB, "C0ACME", "Is anyone looking at this?")
    wait_out(app, ts)
    assert f"<@{OWNER}> is away (shown away in Slack since <!date^" in dm_text(sim, BACKUP)
    assert "You seem to be away (shown away in Slack" in dm_text(sim, OWNER)


@pytest.mark.usefixtures("no_errors_logged")
def test_owner_active_again_means_no_backup_dm(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    acme_with_backup(app)
    ts, _ = sim.post_message(BOB, "C0ACME", "Is anyone looking at this?")
    sim.set_status(OWNER, emoji=":palm_tree:", text="Lunch", expiration=datetime.now().timestamp() + 60)
    wait_out(app, ts)
    assert "away" not in dm_text(sim, OWNER)
    assert sim.dm_messages(BACKUP) == []


@pytest.mark.usefixtures("no_errors_logged")
def test_owner_no_longer_a_member_only_the_backup_is_alerted(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    acme_with_backup(app)
    sim.deactivate_user(OWNER)
    ts, _ = sim.post_message(BOB, "C0ACME", "Hello? Our account manager is not answering")
    assert run_jobs(app, after_deadline(app, ts)) == 1
    assert f"<@{OWNER}> is no longer a member of this workspace, so you're getting this" in dm_text(sim, BACKUP)
    assert sim.dm_messages(OWNER) == []


@pytest.mark.usefixtures("no_errors_logged")
def test_no_backup_the_away_owner_gets_the_usual_dm(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    acme_with_backup(app, backup=None)
    sim.set_status(OWNER, emoji=":palm_tree:", text="On vacation")
    sim.set_presence(OWNER, "away")
    ts, _ = sim.post_message(BOB, "C0ACME", "Hi there")
    wait_out(app, ts)
    shown = dm_text(sim, OWNER)
    assert "Acme Corp* is waiting for an answer" in shown and "away" not in shown and "backup" not in shown
    assert sim.calls_to("users.getPresence") == [] and sim.calls_to("users.profile.get") == []


def test_slack_refusing_the_looks_never_holds_the_alert_back(
    http_app: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    app, sim = http_app, http_app.sim
    acme_with_backup(app)
    sim.bot_scopes = [s for s in sim.bot_scopes if s not in ("users.profile:read",)]
    sim.set_status(OWNER, emoji=":palm_tree:", text="On vacation")
    sim.set_presence(OWNER, "away")
    sim.fail_next("users.getPresence", status=429, retry_after=30, error="ratelimited", times=1000)
    ts, _ = sim.post_message(BOB, "C0ACME", "Hi there")
    wait_out(app, ts)
    shown = dm_text(sim, OWNER)
    assert "Acme Corp* is waiting for an answer" in shown and "away" not in shown
    assert sim.dm_messages(BACKUP) == []
    assert "missing_scope (needs users.profile:read)" in caplog.text and "ratelimited" in caplog.text
