"""Parsing `/rapport` text into typed commands; no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import BadCommand
from bot.domain.slack_text import strip_controls

STATS_EXAMPLE = "/rapport stats"
# Subcommands the spec names that a later version brings: the word typed, and the name to show for it.
LATER = {"settings": "settings", "setting": "settings", "nudges": "nudges", "nudge": "nudges",
         "forget-me": "forget-me", "forget": "forget-me", "forgetme": "forget-me"}  # fmt: skip
_HELP_WORDS = ("help", "?", "-h", "--help", "commands")
_STATS_WORDS = ("stats", "stat", "statistics", "numbers")
_SHOWN_WORD = 40


@dataclass(frozen=True)
class Help:
    """`/rapport help`, and `/rapport` alone (the settings modal is for a later version)."""


@dataclass(frozen=True)
class Stats:
    """`/rapport stats`."""


@dataclass(frozen=True)
class NotYet:
    """A subcommand the spec names but this version does not have yet."""

    name: str


RapportCommand = Help | Stats | NotYet


def parse_rapport_command(text: str) -> RapportCommand:
    """Read the subcommand; an unknown one is explained with an example that works."""
    words = strip_controls(text or "").split()
    if not words or words[0].lower() in _HELP_WORDS:
        return Help()
    first = words[0].lower()
    if first in _STATS_WORDS:
        return Stats()
    if first in LATER:
        return NotYet(name=LATER[first])
    shown = words[0] if len(words[0]) <= _SHOWN_WORD else words[0][: _SHOWN_WORD - 1] + "…"
    raise BadCommand(
        f"I don't know “/rapport {shown}”. Try `/rapport stats` for the workspace's numbers, "
        "or `/rapport help` for every command.",
        example=STATS_EXAMPLE,
    )
