"""The note Rapport posts when it joins a channel."""

from __future__ import annotations

from typing import Any

from bot.blocks.text import context, message, section

INTRO_TEXT = (
    ":wave: Hi! I'm *Rapport*. In this channel I notice when a message names one of your customers "
    "(from `/customer list`) and keep a link and a short excerpt (at most 280 characters) on that customer's card, "
    "so owners can follow up. Excerpts expire after the workspace's retention period, and deleting a message "
    "deletes its excerpt."
)
INTRO_CONTROLS = (
    "Try `/customer Acme` to see a card, `/rapport help` for everything I do. "
    "To stop, remove me from the channel (`/kick @Rapport`)."
)


def build_intro_note() -> dict[str, Any]:
    """The join note: what is recorded, for how long, and how to turn it off."""
    return message(
        "Rapport joined: it records which customers are mentioned here.",
        [section(INTRO_TEXT), context(INTRO_CONTROLS)],
    )
