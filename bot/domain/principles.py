"""The service principles a story can be tagged with: a workspace list admins edit (add, rename, retire), the six
of the spec by default; no I/O.

A principle keeps its key for good: a story stores the key, so a renamed principle shows its new label on old
stories, and a retired one still shows on the stories tagged with it but is no longer offered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.stories import PRINCIPLES as SHIPPED

KEY_LIMIT = 30  # stories.principle holds 40 characters
LABEL_LIMIT = 60  # a button's text holds 75
MAX_ACTIVE = 12  # tag buttons on a shout-out: one actions block holds 25 elements
MAX_ALL = 60
_KEY = re.compile(r"^[a-z0-9_]{1,30}$")
_LINE = re.compile(r"^\s*(?:(?P<key>[A-Za-z0-9_]{1,30})\s*:\s*)?(?P<label>.*?)\s*$")
EXAMPLE = "patience: Stayed patient"


@dataclass(frozen=True)
class Principle:
    """One principle: its key (stored on stories), its label (shown), and whether it is retired."""

    key: str
    label: str
    retired: bool = False


DEFAULT_PRINCIPLES = tuple(Principle(key, label) for key, label in SHIPPED)


def read_principles(stored: str) -> tuple[Principle, ...]:
    """The workspace's principles from their stored JSON ("" or anything unreadable: the six shipped ones)."""
    if not stored.strip():
        return DEFAULT_PRINCIPLES
    try:
        items = json.loads(stored)
    except ValueError:
        return DEFAULT_PRINCIPLES
    found = (
        [
            Principle(str(i["key"]), str(i["label"]), bool(i.get("retired")))
            for i in items
            if isinstance(i, dict) and isinstance(i.get("key"), str) and isinstance(i.get("label"), str)
        ]
        if isinstance(items, list)
        else []
    )
    return tuple(found) or DEFAULT_PRINCIPLES


def store_principles(principles: Sequence[Principle]) -> str:
    """The stored form of a list: "" for the six shipped ones unchanged, else JSON."""
    if tuple(principles) == DEFAULT_PRINCIPLES:
        return ""
    return json.dumps([{"key": p.key, "label": p.label, "retired": p.retired} for p in principles])


def active(principles: Sequence[Principle]) -> tuple[tuple[str, str], ...]:
    """(key, label) of the principles offered as tags, in the list's order."""
    return tuple((p.key, p.label) for p in principles if not p.retired)


def label_of(principles: Sequence[Principle], key: str) -> str:
    """The label of a story's tag, retired or not (a key no list knows shows as itself)."""
    labels = {p.key: p.label for p in (*DEFAULT_PRINCIPLES, *principles)}
    return labels.get(key, key)


def principles_text(principles: Sequence[Principle], *, retired: bool) -> str:
    """The form's text for the active (or retired) principles: one `key: Label` a line."""
    return "\n".join(f"{p.key}: {p.label}" for p in principles if p.retired == retired)


def shown_principles(stored: str) -> str:
    """The list as the audit log and the confirmation show it."""
    principles = read_principles(stored)
    shown = ", ".join(p.label for p in principles if not p.retired)
    retired = ", ".join(p.label for p in principles if p.retired)
    return shown + (f" (retired: {retired})" if retired else "")


def _slug(label: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[: KEY_LIMIT - 3] or "principle"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def parse_principles(active_text: str, retired_text: str, *, current: Sequence[Principle]) -> tuple[Principle, ...]:
    """The list an admin typed: one `key: Label` (or a new `Label`) a line, active ones first, then retired ones.
    A principle left out of both is kept, retired, so the stories tagged with it still show it. ValueError says
    what to fix."""
    seen: dict[str, Principle] = {}
    pending: list[tuple[str, bool]] = []
    for text, retired in ((active_text, False), (retired_text, True)):
        for raw in text.splitlines():
            if not raw.strip():
                continue
            match = _LINE.match(raw)
            assert match is not None  # the pattern matches any line
            key, label = (match["key"] or "").lower(), " ".join(match["label"].split())
            if not label:
                raise ValueError(f"“{raw.strip()[:40]}” has no label: write it as `key: Label`, for example {EXAMPLE}.")
            if len(label) > LABEL_LIMIT:
                raise ValueError(f"“{label[:40]}…” is too long: a label holds at most {LABEL_LIMIT} characters.")
            if not key:
                pending.append((label, retired))
                continue
            if key in seen:
                raise ValueError(f"`{key}` appears twice: give each principle its own key.")
            seen[key] = Principle(key, label, retired)
    for label, retired in pending:  # new principles: a key made from the label
        key = _slug(label, set(seen) | {p.key for p in current})
        seen[key] = Principle(key, label, retired)
    for old in current:
        if old.key not in seen:
            seen[old.key] = Principle(old.key, old.label, True)
    found = tuple(seen.values())
    if not active(found):
        raise ValueError(f"Keep at least one principle that is not retired, for example {EXAMPLE}.")
    if len(active(found)) > MAX_ACTIVE or len(found) > MAX_ALL:
        raise ValueError(f"At most {MAX_ACTIVE} principles can be offered at once: retire some.")
    return tuple(sorted(found, key=lambda p: p.retired))
