"""What `/rapport forget-me` tells the person it forgot."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Forgotten:
    """What forget-me removed: how many excerpts, tone tips and personal settings."""

    excerpts: int
    nudges: int
    settings: int
