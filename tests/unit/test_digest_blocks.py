"""The digest week, `/rapport` parsing, and Block Kit limits of the digest, `/rapport` replies and the Home tab
on the largest inputs."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.blocks.digest import build_digest
from bot.blocks.home import build_home
from bot.blocks.stats import build_rapport_help, build_stats, story_text
from bot.domain import rapport_commands as cmd
from bot.domain.errors import BadCommand
from bot.domain.periods import digest_week
from bot.views.customers import CustomerSummary
from bot.views.digest import Digest
from bot.views.followups import FollowUpView
from bot.views.home import HomeView
from bot.views.stats import StoryLine, WorkspaceStats

NOW = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
# What the bot itself composes: user and date tokens, and its links to messages.
_OWN_TOKENS = re.compile(r"<@[UW][A-Z0-9]+>|<!date\^[^<>]*>|<https://[^<>|]*\|the message>")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# --- the digest week ---------------------------------------------------------------------------------------


def test_the_week_is_the_seven_days_ending_at_the_latest_moment() -> None:
    week = digest_week(utc(2026, 11, 27, 15, 0), day="fri", minutes=15 * 60, tz="UTC")
    assert (week.start, week.moment, week.label) == (utc(2026, 11, 20, 15, 0), utc(2026, 11, 27, 15, 0), "2026-W48")
    assert week.due_until == utc(2026, 11, 30, 0, 0)  # until the week ends, Sunday midnight
    before = digest_week(utc(2026, 11, 27, 14, 59), day="fri", minutes=15 * 60, tz="UTC")
    assert before.moment == utc(2026, 11, 20, 15, 0) and not before.is_due(utc(2026, 11, 27, 14, 59))


def test_auckland_week_and_a_daylight_saving_change_inside_it() -> None:
    # New Zealand daylight time ends on 2027-04-04: the week is 7 local days, 169 hours long.
    week = digest_week(utc(2027, 4, 9, 3, 0), day="fri", minutes=15 * 60, tz="Pacific/Auckland")
    assert week.moment == utc(2027, 4, 9, 3, 0)  # 15:00 NZST (UTC+12)
    assert week.start == utc(2027, 4, 2, 2, 0)  # 15:00 NZDT (UTC+13)
    assert week.label == "2027-W14"


def test_a_sunday_evening_digest_may_still_go_out_the_next_day() -> None:
    week = digest_week(utc(2026, 11, 29, 23, 40), day="sun", minutes=23 * 60 + 30, tz="UTC")
    assert week.moment == utc(2026, 11, 29, 23, 30) and week.label == "2026-W48"
    assert week.is_due(utc(2026, 11, 30, 12, 0)) and not week.is_due(utc(2026, 11, 30, 23, 30))


def test_nonsense_settings_fall_back_to_friday_15_00() -> None:
    week = digest_week(NOW, day="someday", minutes=99_999, tz="Not/AZone")
    assert week.moment == utc(2026, 11, 27, 15, 0)


# --- /rapport ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["help", "HELP", "?", "--help"])
def test_rapport_help(text: str) -> None:
    assert cmd.parse_rapport_command(text) == cmd.Help()


def test_rapport_subcommands() -> None:
    assert cmd.parse_rapport_command("") == cmd.OpenSettings(asked=False)
    assert cmd.parse_rapport_command("  ") == cmd.OpenSettings(asked=False)
    assert cmd.parse_rapport_command("stats") == cmd.Stats()
    assert cmd.parse_rapport_command(" Stats please") == cmd.Stats()
    assert cmd.parse_rapport_command("settings") == cmd.OpenSettings(asked=True)
    assert cmd.parse_rapport_command("nudges off") == cmd.SwitchNudges(enabled=False)
    assert cmd.parse_rapport_command("Nudges ON") == cmd.SwitchNudges(enabled=True)
    assert cmd.parse_rapport_command("forget-me") == cmd.ForgetMe()
    assert cmd.parse_rapport_command("forget me") == cmd.ForgetMe()


@pytest.mark.parametrize("text", ["nudges", "nudges maybe", "nudges <!here>"])
def test_nudges_needs_on_or_off(text: str) -> None:
    with pytest.raises(BadCommand) as raised:
        cmd.parse_rapport_command(text)
    assert raised.value.example == "/rapport nudges off"
    assert "/rapport nudges on" in raised.value.message


def test_an_unknown_subcommand_is_explained_with_an_example() -> None:
    with pytest.raises(BadCommand) as raised:
        cmd.parse_rapport_command("<!channel> " + "x" * 500)
    assert raised.value.example == "/rapport stats"
    assert "/rapport stats" in raised.value.message and len(raised.value.message) < 200


def test_help_lists_every_command_and_what_rapport_stores() -> None:
    text = str(build_rapport_help())
    for command in (
        "/customer",
        "/followup",
        "/kudos",
        "/rapport stats",
        "/rapport settings",
        "/rapport nudges off",
        "/rapport forget-me",
    ):
        assert command in text
    assert "What Rapport stores" in text and "280 characters" in text
    # Transparency: who sees tips, how long excerpts are kept, how to turn each thing off.
    assert "nobody else sees it" in text and "retention period (90 days" in text
    assert "Turning things off" in text and "/kick @Rapport" in text


# --- limits on the largest inputs --------------------------------------------------------------------------


def _story(i: int) -> StoryLine:
    return StoryLine(
        id=i,
        credited=tuple(f"U0C{j:03d}" for j in range(40)),
        text=("<!channel> & <b> " * 200)[:3000],
        recognisers=30,
        principle="<" * 40,
        customer_name="&" * 200,
        source_channel_id="C0SUPPORT",
        source_ts="1764000000.000100",
        workspace_url="https://" + "w" * 280 + ".slack.com/",
        created_at=NOW,
    )


def _check_blocks(blocks: list[dict[str, Any]], limit: int) -> None:
    assert len(blocks) <= limit
    for block in blocks:
        texts = (
            [block["text"]["text"]]
            if "text" in block
            else [e["text"] for e in block.get("elements", []) if "text" in e and isinstance(e["text"], str)]
        )
        for text in texts:
            assert len(text) <= (150 if block["type"] == "header" else 3000)
            assert "<" not in _OWN_TOKENS.sub("", text), text  # no user text can open a token


def test_digest_of_ten_huge_stories_fits_one_message() -> None:
    week = digest_week(NOW, day="fri", minutes=15 * 60, tz="UTC")
    digest = Digest(
        week=week,
        stories=[_story(i) for i in range(10)],
        more_stories=5_000,
        followups_done=9_999,
        followups_on_time=9_000,
        customers_checked_in=5_000,
        quiet_customers=10_000,
        quiet_days=30,
    )
    body = build_digest(digest)
    _check_blocks(body["blocks"], 50)
    assert len(body["text"]) <= 3000
    for line in digest.stories:  # each story fits its section whole, so no token is ever cut in half
        assert len(story_text(line)) <= 3000
        assert "and 30 others" in story_text(line) and "Recognised by 30 people" in story_text(line)


def test_stats_reply_fits() -> None:
    stats = WorkspaceStats(
        stories_this_month=1,
        month_name="November",
        followups_done=15,
        followups_on_time=12,
        on_time_days=30,
        quiet_customers=3,
        customers=12,
        quiet_days=30,
        timezone="Pacific/Auckland",
    )
    body = build_stats(stats)
    _check_blocks(body["blocks"], 50)
    text = str(body)
    assert "1 good story* this month (November)" in text and "*12 of 15* follow-ups done on time" in text
    assert "*3 of 12* customers quiet" in text


def test_home_with_twenty_follow_ups_and_stories_at_max_sizes_fits_100_blocks() -> None:
    followups = [
        FollowUpView(
            id=i,
            owner_user_id="U0LEE",
            customer_name="&" * 200,
            note="<" * 2000,
            due_at=NOW,
            kind="followup",
            created_by="U0DANA",
            source_channel_id="C0SUPPORT",
            source_ts="1764000000.000100",
            workspace_url="https://x.slack.com/",
        )
        for i in range(20)
    ]
    customers = [
        CustomerSummary(name="&" * 200, owner_user_id="U0LEE", last_touch=NOW, mention_count=3) for i in range(10)
    ]
    home = HomeView(
        user_id="U0LEE",
        followups=followups,
        customers=customers,
        now=NOW + timedelta(hours=1),
        recent_stories=[_story(i) for i in range(5)],
        my_stories=[_story(i) for i in range(5)],
    )
    view = build_home(home)
    _check_blocks(view["blocks"], 100)
    shown = str(view)
    assert "Recent stories" in shown and "Stories about you" in shown
