"""The principle tags on a shout-out (the first one chosen is shown on it), and "Share as a story" after Done."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.blocks.customers import build_error
from bot.blocks.story_modal import build_story_modal
from bot.domain.errors import RapportError
from bot.listeners.interactions import actor
from bot.runtime.deps import Deps
from bot.services import stories

log = logging.getLogger(__name__)


def handle_story_tag(ack: Ack, body: dict[str, Any], action: dict[str, Any], deps: Deps) -> None:
    """Tag the story; the shout-out is updated through the outbox, like every other change to it."""
    ack()
    story_id, _, principle = str(action.get("value") or "").partition(":")
    team_id = actor(body)[0]
    if not story_id.isdigit():
        return
    try:
        stories.choose_principle(deps, team_id=team_id, story_id=int(story_id), user_id=body["user"]["id"],
                                 principle=principle)  # fmt: skip
    except RapportError as error:
        log.info("story tag not applied: %s", error.message)


def handle_share_story(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond,
                       deps: Deps) -> None:  # fmt: skip
    """Share as a story: the story modal, prefilled from the follow-up, opened with this click's trigger id."""
    ack()
    value = str(action.get("value") or "")
    team_id = actor(body)[0]
    try:
        if not value.isdigit():
            raise RapportError("I couldn't tell which follow-up that was.", example="/followup list")
        draft = stories.draft_from_followup(deps, team_id=team_id, followup_id=int(value))
    except RapportError as error:
        respond(response_type="ephemeral", replace_original=False, **build_error(error))
        return
    client.views_open(trigger_id=body["trigger_id"], view=build_story_modal(draft))
