"""The principle tags on a shout-out: the first one chosen is shown on it."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack

from bot.domain.errors import RapportError
from bot.services import stories
from bot.services.deps import Deps

log = logging.getLogger(__name__)


def handle_story_tag(ack: Ack, body: dict[str, Any], action: dict[str, Any], deps: Deps) -> None:
    """Tag the story; the shout-out is updated through the outbox, like every other change to it."""
    ack()
    story_id, _, principle = str(action.get("value") or "").partition(":")
    team_id = str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or "")
    if not story_id.isdigit():
        return
    try:
        stories.choose_principle(deps, team_id=team_id, story_id=int(story_id), user_id=body["user"]["id"],
                                 principle=principle)  # fmt: skip
    except RapportError as error:
        log.info("story tag not applied: %s", error.message)
