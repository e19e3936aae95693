"""Reading and validating the settings form, and the modal built from the settings; no I/O."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.blocks.settings_modal import build_settings_modal, read_settings_form
from bot.domain import workspace_settings as ws
from bot.domain.tone import shipped_rules
from tests.e2e.settings_form import settings_state

DEFAULTS = ws.WorkspaceSettingsValues(
    stories_channel=None,
    story_emojis="star2",
    followup_emoji="alarm_clock",
    default_followup_working_days=2,
    working_hours_start=540,
    working_hours_end=1020,
    working_days="mon,tue,wed,thu,fri",
    quiet_days=30,
    unanswered_minutes=30,
    digest_day="fri",
    digest_time=900,
    timezone="UTC",
    nudges_enabled=True,
    nudge_excluded_channels="",
    retention_days=90,
    tone_rules_added="",
    tone_rules_disabled="",
    tone_rules_file="",
)
RULE_IDS = frozenset(rule.id for rule in shipped_rules())


def _form(**changes: object) -> ws.SettingsForm:
    view = build_settings_modal(DEFAULTS, rules=shipped_rules())
    return read_settings_form({"state": {"values": settings_state(view, **changes)}})


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("9", 540),
        ("09:00", 540),
        ("9:30", 570),
        ("17:00", 1020),
        ("2pm", 840),
        ("12am", 0),
        ("12pm", 720),
        ("23:59", 1439),
        ("0", 0),
        ("9.15", 555),
        ("14h30", 870),
    ],
)
def test_times_of_day(text: str, minutes: int) -> None:
    assert ws.parse_time_of_day(text) == minutes


@pytest.mark.parametrize("text", ["25", "25:00", "24:00", "9:60", "-1", "13pm", "noon", "", "9:5:1"])
def test_bad_times_of_day(text: str) -> None:
    with pytest.raises(ValueError):
        ws.parse_time_of_day(text)


def test_the_end_of_the_working_day_may_be_midnight() -> None:
    assert ws.parse_time_of_day("24:00", allow_midnight_end=True) == 1440


def test_the_modal_as_opened_validates_to_the_same_values() -> None:
    assert ws.validate_settings(_form(), rule_ids=RULE_IDS) == DEFAULTS
    assert ws.changes_between(DEFAULTS, DEFAULTS) == []


def test_changes_are_described_as_people_read_them() -> None:
    new = ws.validate_settings(
        _form(working_hours_start="8", nudges="off", digest_day="mon", quiet_days="45"), rule_ids=RULE_IDS
    )
    assert [(c.key, c.old, c.new) for c in ws.changes_between(DEFAULTS, new)] == [
        ("working_hours_start", "09:00", "08:00"),
        ("quiet_days", "30", "45"),
        ("digest_day", "Friday", "Monday"),
        ("nudges", "on", "off"),
    ]


def test_story_emojis_are_normalised() -> None:
    values = ws.validate_settings(_form(story_emoji=":star2: , :TADA:, star2"), rule_ids=RULE_IDS)
    assert values.story_emojis == "star2,tada"


def test_disabling_a_shipped_rule_and_adding_one() -> None:
    first = sorted(RULE_IDS)[0]
    values = ws.validate_settings(
        _form(tone_rules_disabled=[first], tone_rules_added="threat | or we walk | Let's find a way together"),
        rule_ids=RULE_IDS,
    )
    assert values.tone_rules_disabled == first and values.tone_rules_added.startswith("threat |")
    with pytest.raises(ws.SettingsInvalid) as raised:
        ws.validate_settings(dataclasses.replace(_form(), tone_rules_disabled=("no.such.rule",)), rule_ids=RULE_IDS)
    assert list(raised.value.errors) == [ws.RULES_DISABLED]


def test_the_modal_offers_every_shipped_rule_within_slack_limits() -> None:
    view = build_settings_modal(DEFAULTS, rules=shipped_rules())
    disabled = next(b for b in view["blocks"] if b.get("block_id") == ws.RULES_DISABLED)
    options = disabled["element"]["options"]
    assert {o["value"] for o in options} == RULE_IDS and len(options) <= 100
    assert all(len(o["text"]["text"]) <= 75 for o in options)
    assert len(view["blocks"]) <= 100 and view["title"]["text"] == "Rapport settings"
    assert all(len(json.dumps(b.get("hint", ""))) < 2100 for b in view["blocks"])


@given(
    st.dictionaries(
        st.sampled_from(
            [
                ws.WORK_START,
                ws.QUIET_DAYS,
                ws.DIGEST_TIME,
                ws.TIMEZONE,
                ws.STORY_EMOJI,
                ws.RETENTION_DAYS,
                ws.RULES_ADDED,
            ]
        ),
        st.text(max_size=60),
    )
)
def test_any_text_is_either_accepted_or_explained(changes: dict[str, str]) -> None:
    try:
        ws.validate_settings(_form(**changes), rule_ids=RULE_IDS)
    except ws.SettingsInvalid as invalid:
        # A story emoji that is also the follow-up emoji is explained at the follow-up emoji.
        related = set(changes) | ({ws.FOLLOWUP_EMOJI} if ws.STORY_EMOJI in changes else set())
        assert invalid.errors and set(invalid.errors) <= related
        assert all(message and len(message) < 1900 for message in invalid.errors.values())


def test_the_date_order_is_a_choice_of_two_described_in_words() -> None:
    view = build_settings_modal(DEFAULTS, rules=shipped_rules())
    order = next(b for b in view["blocks"] if b.get("block_id") == ws.DATE_ORDER)
    assert [o["value"] for o in order["element"]["options"]] == ["MDY", "DMY"]
    assert order["element"]["initial_option"]["value"] == "MDY"
    assert "2026-12-15" in order["hint"]["text"]
    day_month = ws.validate_settings(_form(date_order="DMY"), rule_ids=RULE_IDS)
    assert day_month.date_order == "DMY"
    assert [(c.key, c.old, c.new) for c in ws.changes_between(DEFAULTS, day_month)] == [
        ("date_order", "month/day", "day/month")
    ]
    with pytest.raises(ws.SettingsInvalid) as raised:
        ws.validate_settings(dataclasses.replace(_form(), date_order=None), rule_ids=RULE_IDS)
    assert raised.value.errors == {ws.DATE_ORDER: "Pick month/day or day/month."}
