"""Follow-up and Home tab Block Kit: user text escaped, Slack's limits kept on the largest realistic inputs."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.blocks.followups import (
    build_followup_list,
    build_followup_modal,
    build_pick_time_modal,
    build_reminder,
    confirm_created,
    due_in_words,
)
from bot.blocks.home import build_home
from bot.domain.when import Due, describe_due
from bot.slacksim.webapi.blockkit import MESSAGE_BLOCKS, validate_blocks, validate_view
from bot.views.customers import CustomerSummary
from bot.views.followups import FollowUpEdit, FollowUpListing, FollowUpView
from bot.views.home import HomeView

EVIL = "<!here> & <https://evil.example|click> <@U123>"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _view(i: int, *, note: str = EVIL, customer: str | None = EVIL) -> FollowUpView:
    return FollowUpView(
        id=i,
        owner_user_id="U0LEE",
        customer_name=customer,
        note=note,
        due_at=NOW + timedelta(hours=i - 10),
        kind="followup",
        created_by="U0DANA",
        source_channel_id="C0SUPPORT",
        source_ts="1712345678.000100",
        workspace_url="https://x.slack.com/",
    )


def _within_limits(blocks: list[dict], *, max_blocks: int) -> None:  # type: ignore[type-arg]
    assert len(blocks) <= max_blocks
    for block in blocks:
        text = block.get("text") or {}
        assert len(text.get("text", "")) <= (150 if block["type"] == "header" else 3000)
        assert len(block.get("block_id", "")) <= 255
        for element in block.get("elements", []):
            assert len(element.get("action_id", "")) <= 255
            label = (element.get("text") or {}).get("text", "") if element.get("type") == "button" else ""
            assert len(label) <= 75


def test_user_text_is_escaped_in_confirmation_reminder_and_home() -> None:
    customer = CustomerSummary(name=EVIL, owner_user_id="U0LEE", last_touch=None, mention_count=0)
    home = HomeView(user_id="U0LEE", followups=[_view(1)], customers=[customer], now=NOW)
    for body in (confirm_created([_view(1)], creator="U0DANA"), build_reminder(_view(1)), build_home(home)):
        shown = json.dumps(body)
        assert "<!here>" not in shown and "<https://evil" not in shown and "<@U123>" not in shown
        assert "&lt;!here&gt;" in shown


def test_home_tab_with_the_most_it_shows_stays_within_limits() -> None:
    customers = [
        CustomerSummary(name="C" * 200, owner_user_id="U0LEE", last_touch=NOW - timedelta(days=i), mention_count=i)
        for i in range(10)
    ]
    views = [_view(i, note="n" * 2000, customer="A" * 200) for i in range(20)]
    home = build_home(HomeView(user_id="U0LEE", followups=views, customers=customers, now=NOW))
    assert home["type"] == "home"
    _within_limits(home["blocks"], max_blocks=100)
    assert json.dumps(home).count("Overdue") == 11  # due at or before NOW: the first eleven


def test_reminder_and_modal_stay_within_limits() -> None:
    reminder = build_reminder(_view(1, note="n" * 2000, customer="A" * 200))
    _within_limits(reminder["blocks"], max_blocks=50)
    modal = build_followup_modal(
        owner_user_id="U0LEE", customer_name="A" * 200, source={"channel": "C0SUPPORT", "ts": "1712345678.000100"}
    )
    assert len(modal["title"]["text"]) <= 24 and len(modal["private_metadata"]) <= 3000
    _within_limits(modal["blocks"], max_blocks=100)


def test_the_confirmation_says_the_due_time_in_the_owners_words() -> None:
    local = datetime(2026, 11, 24, 15, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    due = Due(at=local.astimezone(UTC), local=local, words="tomorrow at 3", assumptions=("“at 3” as 15:00 <b>",))
    view = replace(_view(1, note="call"), due_day="Tuesday 24 Nov at 15:00", due_assumptions=due.assumptions)
    # To its creator, the words are describe_due's (the assumption quotes what was typed: escaped).
    assert due_in_words(view, creator="U0LEE") == describe_due(due, now=NOW).replace("<b>", "&lt;b&gt;")
    theirs = due_in_words(view, creator="U0DANA")
    assert theirs.startswith("<!date^") and theirs.endswith(
        "(Tuesday 24 Nov at 15:00 their time; I read “at 3” as 15:00 &lt;b&gt;)"
    )
    stored = _view(2, note="call")  # a stored follow-up keeps no words: the date token alone
    assert "I'll remind <@U0LEE> <!date^" in json.dumps(confirm_created([stored], creator="U0DANA"))


def test_list_and_home_menus_and_the_pick_time_form_pass_slacks_block_kit_checks() -> None:
    # The simulator's checks are Slack's documented limits: menus (options, text, value) and pickers included.
    views = [_view(i) for i in range(20)]
    listing = FollowUpListing(viewer="U0DANA", owner_user_id=None, customer_name=EVIL, overdue=True, followups=views)
    shown = build_followup_list(listing, now=NOW)
    assert validate_blocks(shown["blocks"], MESSAGE_BLOCKS) == []
    assert "<!here>" not in json.dumps(shown) and "The overdue follow-ups for" in shown["blocks"][0]["text"]["text"]
    assert all(len(b["accessory"]["options"]) == 3 for b in shown["blocks"][1:])

    home = build_home(HomeView(user_id="U0LEE", followups=views, customers=[], now=NOW))
    validate_view(home)
    menus = [e for b in home["blocks"] if b["type"] == "actions" for e in b["elements"] if e["type"] == "overflow"]
    assert len(menus) == 20 and all(len(m["options"]) == 2 for m in menus)

    validate_view(build_pick_time_modal(_view(1), timezone="Europe/Berlin", initial_day=NOW.date()))
    editing = FollowUpEdit(id=1, owner_user_id="U0LEE", customer_name=EVIL, when_text="2026-11-24 at 10:00", note=EVIL)
    edit_form = build_followup_modal(owner_user_id="U0LEE", customer_name=EVIL, source={}, editing=editing)
    validate_view(edit_form)
    assert edit_form["callback_id"] == "followup_edit" and edit_form["submit"]["text"] == "Save"
