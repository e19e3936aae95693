"""Who the person behind an event is (staff, external, bot), from their profile; the event's fields only when Slack
cannot say."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from bot.domain.people import Kind, kind_of_message_author
from bot.listeners.events.payloads import enterprise_of, in_shared_channel
from bot.runtime.deps import Deps
from bot.services import profiles


def person_kind(
    deps: Deps,
    body: dict[str, Any],
    context: BoltContext,
    *,
    team_id: str,
    user_id: str,
    message: dict[str, Any] | None = None,
) -> Kind:
    """What `user_id` is to the installed workspace `team_id` (a message of theirs, if any, is the fallback when
    Slack refuses for good; a 429 or 5xx is raised, so the event is answered 503 and delivered again)."""
    enterprise = enterprise_of(body)
    if enterprise is not None and team_id not in deps.enterprises:
        deps.enterprises[team_id] = enterprise  # learnt from the installation, as auth.test says it at start

    def fallback() -> Kind:  # needed only when Slack cannot say: not worked out for every message
        if message is None:
            return Kind.STAFF
        return kind_of_message_author(
            message, team_id=team_id, enterprise_id=deps.enterprises.get(team_id), shared=in_shared_channel(body)
        )

    return profiles.person_kind(
        deps, context.client, team_id=team_id, user_id=user_id, fallback=fallback, retry_busy=True
    )
