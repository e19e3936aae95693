"""Who may do what (docs/permissions.md): each rule names the people a thing belongs to; an admin may always act.

Admins are decided as for `/rapport settings` (`services.settings.is_admin`: RAPPORT_ADMINS, or a Slack admin or
owner asked of Slack at the time). Slack is asked only when the person is none of the thing's own people, so the
everyday click by an owner costs no Web API call.
"""

from __future__ import annotations

from collections.abc import Iterable

from slack_sdk import WebClient

from bot.domain.errors import NotAllowed
from bot.runtime.deps import Deps
from bot.services.settings import is_admin

FOLLOWUP_REFUSAL = (
    "This follow-up isn't yours: only its owner, the person who created it, or an admin can mark it done, snooze, "
    "reassign, edit or cancel it, or plan what comes next. Nothing changed."
)
FOLLOWUP_EXAMPLE = "/followup list"
STORY_TAG_REFUSAL = (
    "Only the people who recognised this story, the people it credits, or an admin can choose its principle. "
    "Nothing changed."
)
STORY_TAG_EXAMPLE = "/kudos @stephanie stayed until the customer's problem was solved"
QUIET_REFUSAL = (
    "Only {name}'s owner or an admin can plan a check-in or snooze it. Nothing changed: the card shows who owns it."
)
CUSTOMER_REFUSAL = "Only {name}'s owner or an admin can {what}. Nothing changed: the card shows who owns it."


def may_act(deps: Deps, client: WebClient, *, team_id: str, user_id: str, owners: Iterable[str]) -> bool:
    """Whether the person is one of `owners` (the thing's own people) or an admin."""
    if user_id in set(owners):
        return True
    return is_admin(deps, client, team_id=team_id, user_id=user_id)


def require(
    deps: Deps, client: WebClient, *, team_id: str, user_id: str, owners: Iterable[str], refusal: str, example: str
) -> None:
    """Raise NotAllowed (a polite line, with an example of what the person can do) unless they may act."""
    if not may_act(deps, client, team_id=team_id, user_id=user_id, owners=owners):
        raise NotAllowed(refusal, example=example)
