"""Parsing `/rapport` text into typed commands; no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import BadCommand
from bot.domain.slack_text import strip_controls

STATS_EXAMPLE = "/rapport stats"
NUDGES_EXAMPLE = "/rapport nudges off"
PROMISES_EXAMPLE = "/rapport promises off"
_HELP_WORDS = ("help", "?", "-h", "--help", "commands")
_STATS_WORDS = ("stats", "stat", "statistics", "numbers")
_SETTINGS_WORDS = ("settings", "setting", "config", "configure", "preferences")
_NUDGES_WORDS = ("nudges", "nudge", "tips", "tone")
_PROMISES_WORDS = ("promises", "promise", "offers")
_FORGET_WORDS = ("forget-me", "forgetme", "forget")
_ON_WORDS = ("on", "yes", "enable", "enabled", "true")
_OFF_WORDS = ("off", "no", "disable", "disabled", "false", "stop")
_SHOWN_WORD = 40


@dataclass(frozen=True)
class Help:
    """`/rapport help`."""


@dataclass(frozen=True)
class Stats:
    """`/rapport stats`."""


@dataclass(frozen=True)
class OpenSettings:
    """`/rapport settings`, and `/rapport` alone: the admins' settings modal (help for everyone else)."""

    asked: bool = True  # typed `settings`, rather than `/rapport` alone


@dataclass(frozen=True)
class SwitchNudges:
    """`/rapport nudges on|off`: the caller's own tone tips."""

    enabled: bool


@dataclass(frozen=True)
class SwitchPromises:
    """`/rapport promises on|off`: whether the caller's promises are offered as follow-ups."""

    enabled: bool


@dataclass(frozen=True)
class ForgetMe:
    """`/rapport forget-me`: asks for a confirmation first."""


RapportCommand = Help | Stats | OpenSettings | SwitchNudges | SwitchPromises | ForgetMe


def _shown(word: str) -> str:
    return word if len(word) <= _SHOWN_WORD else word[: _SHOWN_WORD - 1] + "…"


def parse_rapport_command(text: str) -> RapportCommand:
    """Read the subcommand; an unknown one is explained with an example that works."""
    words = strip_controls(text or "").split()
    if not words:
        return OpenSettings(asked=False)
    first = words[0].lower()
    if first in _HELP_WORDS:
        return Help()
    if first in _STATS_WORDS:
        return Stats()
    if first in _SETTINGS_WORDS:
        return OpenSettings()
    if first in _FORGET_WORDS or (first == "forget" and words[1:2] == ["me"]):
        return ForgetMe()
    if first in _NUDGES_WORDS:
        choice = words[1].lower() if len(words) > 1 else ""
        if choice in _ON_WORDS:
            return SwitchNudges(enabled=True)
        if choice in _OFF_WORDS:
            return SwitchNudges(enabled=False)
        what = f"“{_shown(words[1])}” is not on or off. " if choice else ""
        raise BadCommand(
            f"{what}Say `/rapport nudges off` to stop your private tone tips, or `/rapport nudges on` to get them.",
            example=NUDGES_EXAMPLE,
        )
    if first in _PROMISES_WORDS:
        choice = words[1].lower() if len(words) > 1 else ""
        if choice in _ON_WORDS or choice in _OFF_WORDS:
            return SwitchPromises(enabled=choice in _ON_WORDS)
        what = f"“{_shown(words[1])}” is not on or off. " if choice else ""
        raise BadCommand(
            f"{what}Say `/rapport promises off` to stop my private offers to turn your promises into follow-ups, "
            "or `/rapport promises on` to get them.",
            example=PROMISES_EXAMPLE,
        )
    raise BadCommand(
        f"I don't know “/rapport {_shown(words[0])}”. Try `/rapport stats` for the workspace's numbers, "
        "or `/rapport help` for every command.",
        example=STATS_EXAMPLE,
    )
