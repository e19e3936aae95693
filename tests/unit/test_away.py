"""When an owner counts as away (bot.domain.away), and what the alert DMs then say (bot.blocks.unanswered)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.blocks.unanswered import build_unanswered_alert
from bot.domain.away import (
    DEFAULT_AWAY_STATUSES,
    MAX_GAP,
    Absence,
    AwayKind,
    Recipient,
    alert_recipients,
    check_away_statuses,
    next_away_since,
    owner_absence,
    parse_away_statuses,
    presence_absence,
    status_absence,
)
from bot.domain.customer_commands import SetBackup, parse_customer_command
from bot.domain.errors import BadCommand
from bot.views.unanswered import UnansweredView

NOW = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
DEFAULTS = parse_away_statuses(DEFAULT_AWAY_STATUSES)


@pytest.mark.parametrize(
    ("emoji", "text"),
    [
        (":palm_tree:", ""),
        (":face_with_thermometer:", "Feeling rough"),
        ("", "OOO until Monday"),
        ("", "ooo"),
        (":calendar:", "Out  of office this week"),
        ("", "On vacation!"),
        ("", "Public holiday"),
        ("", "sick"),
        ("", "back soon :palm_tree:"),
    ],
)
def test_a_listed_emoji_or_word_means_away(emoji: str, text: str) -> None:
    assert status_absence(emoji=emoji, text=text, expiration=0, now=NOW, statuses=DEFAULTS) == Absence(
        AwayKind.STATUS, status_emoji=emoji, status_text=text.strip()
    )


@pytest.mark.parametrize(
    ("emoji", "text"),
    [("", ""), (":coffee:", "In a meeting"), ("", "sickle cell research"), ("", "Booking holidays for clients")],
)
def test_other_statuses_do_not(emoji: str, text: str) -> None:
    assert status_absence(emoji=emoji, text=text, expiration=0, now=NOW, statuses=DEFAULTS) is None


def test_an_expired_status_does_not_count_and_one_that_ends_later_says_until_when() -> None:
    ended = int((NOW - timedelta(minutes=1)).timestamp())
    assert status_absence(emoji=":palm_tree:", text="", expiration=ended, now=NOW, statuses=DEFAULTS) is None
    later = int((NOW + timedelta(days=2)).timestamp())
    found = status_absence(emoji=":palm_tree:", text="On vacation", expiration=later, now=NOW, statuses=DEFAULTS)
    assert found is not None and found.until == datetime.fromtimestamp(later, UTC)


def test_the_workspace_list_is_checked_and_stored_tidy() -> None:
    assert check_away_statuses(" :palm_tree: ,OOO\nat a   conference, OOO") == ":palm_tree:, OOO, at a conference"
    assert check_away_statuses("") == ""
    with pytest.raises(ValueError, match="between colons"):
        check_away_statuses(":palm tree:")
    own = parse_away_statuses(":airplane:, at a conference")
    assert own.emojis == frozenset({"airplane"}) and own.words == ("at a conference",)
    assert status_absence(emoji="", text="At a Conference in Lisbon", expiration=0, now=NOW, statuses=own)
    assert status_absence(emoji=":palm_tree:", text="", expiration=0, now=NOW, statuses=own) is None


def test_presence_counts_when_seen_away_since_the_customer_wrote_or_for_the_alert_minutes() -> None:
    wrote = NOW - timedelta(minutes=30)
    assert presence_absence(away_since=None, now=NOW, minutes=30, wait_started=wrote) is None
    # First seen away at the job's first look after the message: away the whole wait.
    seen = wrote + timedelta(seconds=40)
    assert presence_absence(away_since=seen, now=NOW, minutes=30, wait_started=wrote) == Absence(
        AwayKind.PRESENCE, since=seen
    )
    # Went away ten minutes ago: not long enough.
    assert presence_absence(away_since=NOW - timedelta(minutes=10), now=NOW, minutes=30, wait_started=wrote) is None
    # After a restart the count starts again: away for the alert minutes is enough.
    assert presence_absence(away_since=NOW - timedelta(minutes=30), now=NOW, minutes=30, wait_started=wrote)


def test_since_when_away_follows_the_looks_and_a_long_gap_starts_again() -> None:
    start = NOW - timedelta(minutes=30)
    assert next_away_since(previous=None, away=True, now=start) == start
    assert next_away_since(previous=(start, start), away=True, now=start + timedelta(minutes=1)) == start
    assert next_away_since(previous=(start, start), away=False, now=start + timedelta(minutes=1)) is None
    assert next_away_since(previous=(None, start), away=True, now=NOW) == NOW
    late = start + MAX_GAP + timedelta(seconds=1)
    assert next_away_since(previous=(start, start), away=True, now=late) == late


def test_who_gets_the_alert() -> None:
    status = Absence(AwayKind.STATUS, status_emoji=":palm_tree:")
    assert alert_recipients(owner="U0LEE", backup=None, absence=status) == (Recipient("U0LEE", "owner"),)
    assert alert_recipients(owner="U0LEE", backup="U0DANA", absence=None) == (Recipient("U0LEE", "owner"),)
    assert alert_recipients(owner="U0LEE", backup="U0DANA", absence=status) == (
        Recipient("U0LEE", "owner"),
        Recipient("U0DANA", "backup"),
    )
    gone = owner_absence(gone=True, status=status, presence=None)
    assert gone == Absence(AwayKind.GONE)
    assert alert_recipients(owner="U0LEE", backup="U0DANA", absence=gone) == (Recipient("U0DANA", "backup"),)
    assert owner_absence(gone=False, status=None, presence=None) is None


def _view(**changes: object) -> UnansweredView:
    base = dict(
        customer_name="Acme <Corp>",
        owner_user_id="U0LEE",
        author_user_id="W0EXTBOB",
        channel_id="C0ACME",
        message_ts="1.000001",
        posted_at=NOW,
        excerpt="Hi",
        minutes=30,
        workspace_url="https://sim.slack.com/",
    )
    base.update(changes)
    return UnansweredView(**base)  # type: ignore[arg-type]


def test_the_backup_is_told_why_and_the_owner_who_else_is_told() -> None:
    until = NOW + timedelta(days=3)
    away = Absence(AwayKind.STATUS, status_emoji=":palm_tree:", status_text="On <vacation>", until=until)
    backup = json.dumps(build_unanswered_alert(_view(role="backup", backup_user_id="U0DANA", absence=away)))
    assert "<@U0LEE> is away (:palm_tree: On &lt;vacation&gt;, until <!date^" in backup
    assert "so you're getting this as *Acme &lt;Corp&gt;*'s backup owner" in backup
    owner = json.dumps(build_unanswered_alert(_view(role="owner", backup_user_id="U0DANA", absence=away)))
    assert "You seem to be away (:palm_tree: On &lt;vacation&gt;" in owner and "<@U0DANA>" in owner
    gone = json.dumps(build_unanswered_alert(_view(role="backup", absence=Absence(AwayKind.GONE))))
    assert "<@U0LEE> is no longer a member of this workspace, so you're getting this" in gone
    shown = json.dumps(build_unanswered_alert(_view(role="backup", absence=Absence(AwayKind.PRESENCE, since=NOW))))
    assert f"<@U0LEE> is away (shown away in Slack since <!date^{int(NOW.timestamp())}" in shown


def test_an_owner_with_no_backup_gets_the_dm_of_old() -> None:
    plain = build_unanswered_alert(_view())
    assert plain == build_unanswered_alert(_view(absence=Absence(AwayKind.STATUS, status_emoji=":palm_tree:")))
    assert "away" not in json.dumps(plain)


def test_customer_backup_grammar() -> None:
    assert parse_customer_command("backup Acme Corp <@U0LEE|lee>") == SetBackup("Acme Corp", "U0LEE")
    assert parse_customer_command("backup Acme off") == SetBackup("Acme", None)
    assert parse_customer_command("backup Acme none") == SetBackup("Acme", None)
    for bad in ("backup", "backup Acme", "backup <@U0LEE>", "backup off", "backup Acme <@U0LEE> please"):
        with pytest.raises(BadCommand) as raised:
            parse_customer_command(bad)
        assert raised.value.example
