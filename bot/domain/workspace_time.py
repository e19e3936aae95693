"""The workspace's own time: until an admin chooses a timezone, the primary owner's, else the most common among
the workspace's people (not bots, not deactivated, not people of another organisation), else UTC.

Pure: it reads people the way `users.list` lists them and says which timezone they make, and where it came from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Where the workspace timezone came from.
ADMIN = "admin"
PRIMARY_OWNER = "primary_owner"
COMMON = "common"
DEFAULT = "default"
DEFAULT_TIMEZONE = "UTC"
SLACKBOT = "USLACKBOT"  # listed by users.list as a person (is_bot false), but Slack's own bot


@dataclass(frozen=True)
class Person:
    """What the workspace's time needs of one member of `users.list`."""

    tz: str
    name: str = ""
    is_primary_owner: bool = False
    counts: bool = True  # False for bots, Slackbot, deactivated people and people of another organisation


@dataclass(frozen=True)
class WorkspaceZone:
    """A timezone for the workspace and where it came from (`name`: the primary owner's, when it is theirs)."""

    tz: str
    source: str
    name: str = ""


def known_timezone(tz: str) -> bool:
    """Whether `tz` is an IANA timezone this machine knows."""
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return bool(tz)


def person_from_member(member: Mapping[str, Any], *, team_id: str) -> Person:
    """A `users.list` member as a Person; any missing or odd field counts against them, never crashes."""
    profile = member.get("profile")
    profile = profile if isinstance(profile, Mapping) else {}
    names = (profile.get("display_name"), member.get("real_name"), profile.get("real_name"), member.get("name"))
    name = next((str(n) for n in names if isinstance(n, str) and n.strip()), "")
    home = member.get("team_id")
    outsider = bool(member.get("is_stranger")) or (isinstance(home, str) and bool(home) and home != team_id)
    robot = bool(member.get("is_bot")) or bool(member.get("is_app_user")) or member.get("id") == SLACKBOT
    tz = member.get("tz")
    return Person(
        tz=tz if isinstance(tz, str) else "",
        name=name[:200],
        is_primary_owner=member.get("is_primary_owner") is True,
        counts=not (robot or outsider or bool(member.get("deleted"))),
    )


def primary_owner(people: Iterable[Person]) -> Person | None:
    """The primary owner, if listed among the people who count and with a timezone this machine knows."""
    return next((p for p in people if p.is_primary_owner and p.counts and known_timezone(p.tz)), None)


def derive_zone(people: Iterable[Person]) -> WorkspaceZone:
    """The primary owner's timezone, else the most common among the people who count (ties: the first by name),
    else UTC."""
    listed = list(people)
    owner = primary_owner(listed)
    if owner is not None:
        return WorkspaceZone(tz=owner.tz, source=PRIMARY_OWNER, name=owner.name)
    counted = Counter(p.tz for p in listed if p.counts and known_timezone(p.tz))
    if not counted:
        return WorkspaceZone(tz=DEFAULT_TIMEZONE, source=DEFAULT)
    most = max(counted.values())
    return WorkspaceZone(tz=min(tz for tz, n in counted.items() if n == most), source=COMMON)
