"""Who a person is to the workspace that installed Rapport: one of its people, someone of another organisation, or
a bot. Read from the person's Slack profile (`users.info`); a message's own team fields are only a fallback.

- **staff**: a member of the installed workspace (its Enterprise Grid organisation included), and its guests
  (`is_restricted` / `is_ultra_restricted`): people the team itself invited into its workspace;
- **external**: someone of another organisation (a customer in a Slack Connect channel): `is_stranger`, or a home
  team that is neither the installed workspace nor of its Enterprise Grid organisation;
- **bot**: an app's bot user, and Slackbot (`USLACKBOT`, which Slack does not mark `is_bot`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

SLACKBOT_ID = "USLACKBOT"


class Kind(StrEnum):
    """What a person is to the installed workspace."""

    STAFF = "staff"
    EXTERNAL = "external"
    BOT = "bot"


def is_slackbot(user_id: object) -> bool:
    """Slackbot: never a person, whatever its profile or message says."""
    return user_id == SLACKBOT_ID


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _enterprise_of(user: dict[str, Any]) -> tuple[str, list[str]]:
    """The person's Enterprise Grid organisation and its workspaces they belong to ("" and [] outside a Grid)."""
    grid = user.get("enterprise_user")
    grid = grid if isinstance(grid, dict) else {}
    teams = grid.get("teams")
    return _text(grid.get("enterprise_id")) or _text(user.get("enterprise_id")), (
        [t for t in teams if isinstance(t, str)] if isinstance(teams, list) else []
    )


def is_external_profile(user: dict[str, Any], *, team_id: str, enterprise_id: str | None) -> bool:
    """Whether a users.info profile is someone of another organisation than the installed workspace `team_id`
    (of the Enterprise Grid organisation `enterprise_id`, if any)."""
    if user.get("is_stranger"):
        return True
    home = _text(user.get("team_id"))
    if not home or home == team_id:
        return False
    grid, teams = _enterprise_of(user)
    # Another workspace of the installed workspace's Enterprise Grid organisation is a colleague's.
    return not (team_id in teams or (enterprise_id and grid == enterprise_id))


def kind_of_profile(user: dict[str, Any], *, team_id: str, enterprise_id: str | None) -> Kind:
    """What a users.info profile is to the installed workspace."""
    if user.get("is_bot") or is_slackbot(user.get("id")):
        return Kind.BOT
    return Kind.EXTERNAL if is_external_profile(user, team_id=team_id, enterprise_id=enterprise_id) else Kind.STAFF


def kind_of_message_author(message: dict[str, Any], *, team_id: str, enterprise_id: str | None, shared: bool) -> Kind:
    """The conservative guess from a message's own fields, for when Slack cannot tell who its author is.

    `user_team` (and `source_team`, `team`) name the author's home team on messages in shared channels; they are
    optional (`file_share` and `thread_broadcast` carry none) and may be an Enterprise Grid `E…` id. A channel the
    envelope says is not shared (`shared` False) has nobody external in it.
    """
    if is_slackbot(message.get("user")) or message.get("bot_id") or message.get("subtype") == "bot_message":
        return Kind.BOT
    if not shared:
        return Kind.STAFF
    for field in ("user_team", "source_team", "team"):
        author_team = _text(message.get(field))
        if author_team:
            ours = author_team == team_id or (enterprise_id is not None and author_team == enterprise_id)
            return Kind.STAFF if ours else Kind.EXTERNAL
    return Kind.STAFF
