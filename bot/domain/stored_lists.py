"""Reading the comma-separated lists settings are stored as (channels, rule ids, working days, emoji); no I/O.

One reader for every stored list, so a list written by the settings modal reads back the same everywhere.
"""

from __future__ import annotations


def id_list(text: str) -> tuple[str, ...]:
    """A stored comma-separated list (channels, rule ids, days) as its items."""
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())
