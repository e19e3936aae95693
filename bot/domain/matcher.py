"""Find which customers of the directory a Slack message names, with one multi-pattern automaton.

Why the automaton is built over *folded* text: whole-word matching needs a boundary check on each
side of a name, and checking in Python every hit that short aliases ("ACS", "GLI") produce inside
ordinary words costs more than the scan itself. So both the names and the scanned text are folded
with the same length-preserving map that turns every non-word character into one marker; a name
that starts (ends) with a word character is stored with a marker before (after) it, and the text is
padded with a marker at each end. The automaton then only reports hits that sit on word boundaries,
and each (rare) hit is confirmed against the unfolded text with one ``str.startswith``, because
folding conflates punctuation ("acme-corp" folds like "acme corp").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ahocorasick

from bot.domain.slack_text import matchable_text

# Whitespace, so it can never survive in normalized text or names: a marker is never ambiguous.
_MARK = "\x1f"
# Python's Unicode \w is exactly ``ch.isalnum() or ch == "_"``, the product's word-character rule.
_NON_WORD = re.compile(r"\W")
# Latin-1 (ASCII included) folds with a byte table, an order of magnitude faster than a regex.
_LATIN1_FOLD = bytes(c if chr(c).isalnum() or c == 0x5F else ord(_MARK) for c in range(256))
_SPACE_RUN = re.compile(r"\s+")

# (start, end, group) of a verified name occurrence in the normalized text.
_Candidate = tuple[int, int, tuple[Any, ...]]


@dataclass(frozen=True)
class NameEntry:
    """A customer's name or one of its aliases."""

    customer_id: int
    name: str


@dataclass(frozen=True)
class Match:
    """A name found in a message; ``start``/``end`` index the text returned by ``normalize_text``."""

    customer_id: int
    name: str
    start: int
    end: int


def _nfc(text: str) -> str:
    # ASCII is always NFC and isascii() is O(1); the quick check avoids copying already-NFC text.
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _fold(text: str) -> str:
    # Length-preserving: every non-word character becomes the marker, word characters stay.
    try:
        return text.encode("latin-1").translate(_LATIN1_FOLD).decode("latin-1")
    except UnicodeEncodeError:
        return _NON_WORD.sub(_MARK, text)


def normalize_name(name: str) -> str:
    """Return the key used for equality and uniqueness of names: NFC, lowercase, whitespace collapsed."""
    return " ".join(_nfc(name).lower().split())


def normalize_text(text: str) -> str:
    """Return the form of raw Slack message text that ``CustomerMatcher.find`` scans and indexes into."""
    scanned = matchable_text(text)
    if not scanned.isascii() and not unicodedata.is_normalized("NFC", scanned):
        scanned = unicodedata.normalize("NFC", scanned)
    scanned = scanned.lower()
    # Every whitespace character but the plain space is unprintable, so these C-speed tests find the
    # texts that need collapsing without running a regex over every message.
    if not scanned.isprintable():
        scanned = _SPACE_RUN.sub(" ", scanned)
    else:
        # Hidden mention tokens leave double spaces behind; halving runs of spaces is cheaper than a regex.
        while "  " in scanned:
            scanned = scanned.replace("  ", " ")
    return scanned


class CustomerMatcher:
    """An immutable index of customer names that finds whole-word, case-insensitive mentions in text."""

    __slots__ = ("_automaton", "_iter", "_size")

    def __init__(self, automaton: Any, size: int) -> None:
        self._automaton = automaton
        self._iter = automaton.iter
        self._size = size

    @classmethod
    def build(cls, entries: Iterable[NameEntry]) -> CustomerMatcher:
        """Build a matcher from customer names and aliases; names that normalize to empty are ignored."""
        # A group is (lead, normalized name, customer id, display name, customer id, display name, ...):
        # the same name may belong to several customers and each of them is reported.
        groups: dict[str, list[Any]] = {}
        for entry in entries:
            key = normalize_name(entry.name)
            if not key:
                continue
            group = groups.get(key)
            if group is None:
                groups[key] = [1 if _is_word_char(key[0]) else 0, key, entry.customer_id, entry.name]
            elif entry.customer_id not in group[2::2]:
                group.extend((entry.customer_id, entry.name))
        # Names that differ only in punctuation ("AT&T", "AT-T") fold to the same automaton key.
        by_folded: dict[str, list[tuple[Any, ...]]] = {}
        for key, group in groups.items():
            folded = _fold(key)
            if group[0]:
                folded = _MARK + folded
            if _is_word_char(key[-1]):
                folded += _MARK
            alternatives = by_folded.get(folded)
            if alternatives is None:
                by_folded[folded] = [tuple(group)]
            else:
                alternatives.append(tuple(group))
        del groups
        automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        add = automaton.add_word
        for folded, alternatives in by_folded.items():
            add(folded, (len(folded), *alternatives))
        size = sum(len(alternatives) for alternatives in by_folded.values())
        if size:
            automaton.make_automaton()
        return cls(automaton, size)

    def __len__(self) -> int:
        """Return the number of distinct normalized names."""
        return self._size

    def find(self, text: str) -> list[Match]:
        """Return the leftmost-longest, non-overlapping whole-word name matches in raw Slack text."""
        if not self._size:
            return []
        scanned = normalize_text(text)
        # The padding markers stand for the text's edges, so a name can start or end there.
        folded = _fold(f" {scanned} ")
        found: list[_Candidate] = []
        for end, payload in self._iter(folded):
            # The padding shifts folded offsets by one, which cancels the +1 of an inclusive end.
            base = end - payload[0]
            for i in range(1, len(payload)):
                group = payload[i]
                start = base + group[0]
                # A name that starts with punctuation can align with the leading pad, i.e. start at -1.
                if start >= 0 and scanned.startswith(group[1], start):
                    found.append((start, start + len(group[1]), group))
        if not found:
            return []
        if len(found) > 1:
            found = _leftmost_longest(found)
        matches: list[Match] = []
        for start, stop, group in found:
            for i in range(2, len(group), 2):
                matches.append(Match(group[i], group[i + 1], start, stop))
        return matches

    def customer_ids(self, text: str) -> list[int]:
        """Return the distinct customer ids named in raw Slack text, in order of first appearance."""
        return list(dict.fromkeys(m.customer_id for m in self.find(text)))


def _leftmost_longest(found: list[_Candidate]) -> list[_Candidate]:
    # Every candidate is already boundary-valid and verified, so a greedy pass is exact.
    found.sort(key=lambda f: (f[0], -f[1]))
    chosen: list[_Candidate] = []
    taken_until = -1
    for candidate in found:
        if candidate[0] >= taken_until:
            chosen.append(candidate)
            taken_until = candidate[1]
    return chosen
