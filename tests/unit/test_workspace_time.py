"""The workspace's own time, from its people as users.list lists them (pure)."""

from __future__ import annotations

from typing import Any

from bot.domain.workspace_time import (
    COMMON,
    DEFAULT,
    PRIMARY_OWNER,
    Person,
    WorkspaceZone,
    derive_zone,
    person_from_member,
)

TEAM = "T0SIM0001"


def member(uid: str, tz: Any = "Europe/Berlin", **fields: Any) -> dict[str, Any]:
    return {"id": uid, "team_id": TEAM, "name": uid.lower(), "tz": tz, "profile": {"display_name": uid}, **fields}


def zone_of(*members: dict[str, Any]) -> WorkspaceZone:
    return derive_zone(person_from_member(m, team_id=TEAM) for m in members)


def test_the_primary_owner_decides_whatever_the_others_say() -> None:
    members = [member(f"U{i}", "Europe/Berlin") for i in range(5)]
    owner = member("U0DANA", "America/Los_Angeles", is_primary_owner=True, profile={"display_name": "Dana"})
    assert zone_of(*members, owner) == WorkspaceZone("America/Los_Angeles", PRIMARY_OWNER, "Dana")


def test_without_a_usable_primary_owner_the_most_common_among_people_who_count() -> None:
    people = [
        member("U1", "America/New_York"),
        member("U2", "America/New_York"),
        member("U3", "Europe/Paris"),
        member("U4", "America/Los_Angeles", is_primary_owner=True, deleted=True),  # deactivated: not counted
        *(member(f"B{i}", "Asia/Tokyo", is_bot=True) for i in range(5)),
        *(member(f"A{i}", "Asia/Tokyo", is_app_user=True) for i in range(5)),
        member("USLACKBOT", "Asia/Tokyo"),  # listed with is_bot false, but Slack's own bot
        *(member(f"W{i}", "Asia/Tokyo", team_id="T0EXT0001") for i in range(5)),  # another organisation
        *(member(f"S{i}", "Asia/Tokyo", is_stranger=True) for i in range(5)),
        member("U5", "Mars/Olympus_Mons"),  # not a timezone: not counted
    ]
    assert zone_of(*people) == WorkspaceZone("America/New_York", COMMON)


def test_a_tie_is_settled_by_name_and_nobody_known_means_utc() -> None:
    assert zone_of(member("U1", "Europe/Paris"), member("U2", "Africa/Lagos")).tz == "Africa/Lagos"
    assert zone_of() == WorkspaceZone("UTC", DEFAULT)
    assert zone_of(member("U1", None), member("U2", ""), member("U3", 7)) == WorkspaceZone("UTC", DEFAULT)


def test_odd_member_shapes_count_against_the_member_and_never_crash() -> None:
    odd = person_from_member({"id": "U1", "profile": "nope", "tz": ["x"], "is_primary_owner": "yes"}, team_id=TEAM)
    assert odd == Person(tz="", name="", is_primary_owner=False, counts=True)
    named = person_from_member(member("U2", real_name="Lee Adama", profile={}), team_id=TEAM)
    assert named.name == "Lee Adama"
