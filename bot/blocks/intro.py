"""The note Rapport posts when it joins a channel: for the team, or, in a channel shared with another
organisation, for both sides."""

from __future__ import annotations

from typing import Any

from bot.blocks.text import context, message, section

INTRO_TEXT = (
    ":wave: Hi! I'm *Rapport*. In this channel I notice when a message names one of your customers "
    "(from `/customer list`) and keep a link and a short excerpt (at most 280 characters) on that customer's card, "
    "so owners can follow up. Excerpts are deleted after the workspace's retention period (90 days unless an admin "
    "changed it), and deleting a message deletes its excerpt at once."
)
INTRO_NUDGES = (
    ":seedling: If a reply here sounds like a brush-off, a threat or blame, I show its author alone a private tip "
    "with a warmer way to say it. Nobody else sees tips and nobody is ranked by them."
)
INTRO_CONTROLS = (
    "Turn your tips off with `/rapport nudges off`; `/rapport forget-me` deletes your excerpts and tip history; "
    "admins can turn tips off here in `/rapport settings`. To stop everything in this channel, remove me "
    "(`/kick @Rapport`). `/rapport help` says what I store."
)


def build_intro_note() -> dict[str, Any]:
    """The join note: what is recorded, for how long, and how to turn it off."""
    return message(
        "Rapport joined: it records which customers are mentioned here.",
        [section(INTRO_TEXT), section(INTRO_NUDGES), context(INTRO_CONTROLS)],
    )


SHARED_INTRO_TEXT = (
    ":wave: Hi! I'm *Rapport*, an app of the team that added me here. In this channel I note which organisations a "
    "message names and whether a message is still waiting for a reply, and I keep a link and a short excerpt (at "
    "most 280 characters) of those messages for that team. Excerpts are deleted after the team's retention period "
    "(90 days unless an admin changed it), and deleting a message deletes its excerpt at once."
)
SHARED_INTRO_CONTROLS = "Removing me from this channel stops everything I do here."


def build_shared_intro_note() -> dict[str, Any]:
    """The join note in a channel shared with another organisation: what is recorded about the conversation, for
    everyone in it (nothing addressed to one side, no tips)."""
    return message(
        "Rapport joined: it records which organisations are mentioned here.",
        [section(SHARED_INTRO_TEXT), context(SHARED_INTRO_CONTROLS)],
    )
