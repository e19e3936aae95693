"""Every field a domain error can name lands under an input of each real modal, by the one rule for all modals."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bot.blocks import customers, followups, settings_modal, story_modal
from bot.blocks.errors import build_field_errors, field_problems, input_block_for
from bot.domain import workspace_settings as ws
from bot.domain.errors import (
    ALIASES_FIELD,
    CUSTOMER_FIELD,
    NAME_FIELD,
    NOTE_FIELD,
    SINCE_FIELD,
    WHEN_FIELD,
    AmbiguousCustomer,
    BadCommand,
    BadDate,
    DuplicateName,
    UnknownCustomer,
)
from bot.domain.stories import CREDITED_FIELD, PRINCIPLE_FIELD, THANKS_FIELD, BadStory
from bot.domain.tone import shipped_rules
from bot.domain.when import BadWhen
from bot.services.stories import StoryDraft, StorySource
from tests.unit.test_workspace_settings import DEFAULTS

CUSTOMER_MODAL = customers.build_add_customer_modal(channel_id="C0SUPPORT", owner_user_id="U0DANA")
FOLLOWUP_MODAL = followups.build_followup_modal(owner_user_id="U0DANA", customer_name=None, source={})
STORY_MODAL = story_modal.build_story_modal(
    StoryDraft(credited=("U0LEE",), about="", customer_name=None, source=StorySource())
)
SETTINGS_MODAL = settings_modal.build_settings_modal(
    dataclasses.replace(DEFAULTS, stories_channel="C0STORIES", triage_channel="C0TRIAGE"), rules=shipped_rules()
)  # every input shown


@pytest.mark.parametrize(
    ("view", "field", "block_id"),
    [
        (CUSTOMER_MODAL, NAME_FIELD, customers.NAME_BLOCK),
        (CUSTOMER_MODAL, ALIASES_FIELD, customers.ALIASES_BLOCK),
        (CUSTOMER_MODAL, SINCE_FIELD, customers.SINCE_BLOCK),
        (CUSTOMER_MODAL, None, customers.NAME_BLOCK),
        (FOLLOWUP_MODAL, CUSTOMER_FIELD, followups.MODAL_CUSTOMER_BLOCK),
        (FOLLOWUP_MODAL, WHEN_FIELD, followups.MODAL_WHEN_BLOCK),
        (FOLLOWUP_MODAL, NOTE_FIELD, followups.MODAL_NOTE_BLOCK),
        (STORY_MODAL, CREDITED_FIELD, story_modal.CREDITED_BLOCK),
        (STORY_MODAL, THANKS_FIELD, story_modal.THANKS_BLOCK),
        (STORY_MODAL, PRINCIPLE_FIELD, story_modal.PRINCIPLE_BLOCK),
        (STORY_MODAL, None, story_modal.CREDITED_BLOCK),
        *((SETTINGS_MODAL, key, key) for key in ws.LABELS),
    ],
)
def test_the_input_that_answers_for_a_field(view: dict[str, Any], field: str | None, block_id: str) -> None:
    assert input_block_for(view, field) == block_id


def test_the_fields_domain_errors_name() -> None:
    assert BadWhen("past").field == WHEN_FIELD and BadDate("future").field == SINCE_FIELD
    assert UnknownCustomer("who?").field == CUSTOMER_FIELD
    assert AmbiguousCustomer("ac", ["Acme", "Acne"], command="/followup").field == CUSTOMER_FIELD
    assert DuplicateName("taken", name="Acme").field == NAME_FIELD
    assert DuplicateName("taken", name="Acme", field=ALIASES_FIELD).field == ALIASES_FIELD
    assert BadStory("nobody", field=PRINCIPLE_FIELD).field == PRINCIPLE_FIELD
    assert BadCommand("vague").field is None and BadCommand("empty", field=NOTE_FIELD).field == NOTE_FIELD


def test_errors_for_a_real_modal() -> None:
    unknown = UnknownCustomer("I don't know a customer called “Initech”. Add it:", example="/customer add Initech")
    assert build_field_errors(FOLLOWUP_MODAL, field_problems(unknown)) == {
        followups.MODAL_CUSTOMER_BLOCK: "I don't know a customer called “Initech”. Add it: For example: "
        "/customer add Initech"
    }
    invalid = ws.SettingsInvalid({ws.QUIET_DAYS: "1 to 365.", ws.WORK_START: "x" * 3000})
    assert build_field_errors(SETTINGS_MODAL, field_problems(invalid)) == {
        ws.QUIET_DAYS: "1 to 365.",
        ws.WORK_START: "x" * 1900,
    }
    assert build_field_errors({"blocks": []}, field_problems(unknown)) == {}
