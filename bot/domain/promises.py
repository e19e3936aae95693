"""Promises with a time in a teammate's message, as data, read the way tone tips read a message; no I/O beyond
reading the shipped rules file.

**Rules.** ``promise_rules.toml`` (next to this module) lists word sets and promise families, each with phrases in
a small syntax (its header explains it): ``{a|b}`` choices, ``{@set}`` a word set, `` .. `` a gap of up to
``GAP_WORDS`` words in one clause, a leading ``^`` for the start of a clause; top-level ``unless`` phrases are
exceptions.

**What is scanned.** The same text tone tips scan (``bot.domain.tone``): what a person sees of the message less
what the author quotes (``>`` lines, code), Slack's formatting marks dropped, case and whitespace folded,
apostrophe styles unified; contractions and chat spellings match their long forms ("I will", "ill", "I'm going
to", "gonna", "u"). A hit inside quotation marks, after reported speech ("customer said they'll pay by Friday")
or on a pasted log line does not count, and neither does a question ("will you call tomorrow?").

**The time.** A promise counts only with a time in its sentence, read by the `/followup` parser
(``bot.domain.when_grammar.split_when``) off the sentence's end or front, else off the end of the words up to a
later word ("I'll call you tomorrow about the refund"). The sentence, as written, is the follow-up's note.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from bot.domain import when_words
from bot.domain.tone import (
    _APOSTROPHES,
    _CHAT_SPELLINGS,
    _CONTRACTIONS,
    _equivalents,
    _is_reported,
    _normalize_mapped,
    _visible,
)
from bot.domain.when_grammar import DATE_ORDERS, BadWhen, When, split_when

GAP_WORDS = 3  # words a " .. " gap may stand for
NOTE_CHARS = 300  # the longest promise kept as a note
WHEN_WORDS = 6  # the most words one reading for a *when* sees

# Promise spellings, matched like tone's contractions: "I'm going to call" and "ill call" are "I'll call".
# fmt: off
_PROMISE_SPELLINGS = (
    ("i'll", "i will", "ill", "i'm going to", "im going to", "i am going to", "i'm gonna", "im gonna",
     "i am gonna", "i'ma", "imma", "i shall"),
    ("we'll", "we will", "we're going to", "we are going to", "we're gonna", "we are gonna", "we shall"),
    ("let me", "lemme"), ("tomorrow", "tmrw", "tmr", "tmw", "2morrow"), ("e-mail", "email"),
    ("follow up", "follow-up", "followup", "f/u"),
)
# fmt: on
_EQUIVALENTS = _equivalents(_CONTRACTIONS + _CHAT_SPELLINGS + _PROMISE_SPELLINGS)
_LONGEST = max(len(key) for key in _EQUIVALENTS)
_GAP_WORD = r"(?:(?!(?:not|never|no)\b)[^\s.!?…;:,]+)"
_OPENERS = r"(?:(?:ok|okay|sure|yes|yep|yeah|thanks|thx|np|noted|got it|on it|and|so|then|will do),? )*"
_CLAUSE_START = r"(?:^|(?<=^ )|(?<=^[*_~])|(?<=[.!?…;:,—–(\"“] )|(?<=[.!?…;:,—–(\"“*_~]))" + _OPENERS
# The fast check every message passes first: a first-person future ("I'll", "will", "let me", …) and a word a *when*
# can be made of (any digit, a day, a month, "tomorrow", "week", "EOD", …). Only a message with both is matched.
_TRIGGER = re.compile(
    r"(?<![a-z0-9])(?:(?:i|we|you|u|they)\W?ll|ill|will|shall|let me|lemme|gonna|going to|imma|i\W?ma|"
    r"promise|swear|my word|expect|look out for|watch for)(?![a-z0-9])"
)
_TIME_WORDS = sorted(
    {
        *when_words.WEEKDAYS,
        *when_words.WEEKDAY_PLURALS,
        *when_words.MONTHS,
        *when_words.TODAY,
        *when_words.TONIGHT,
        *when_words.TOMORROW,
        *(unit for unit in when_words.UNITS if len(unit) >= 3),
        *when_words.PARTS,
        *when_words.NOON,
        *when_words.LUNCH,
        *when_words.EOD,
        *when_words.EOW,
        *when_words.EOM,
        *when_words.ALIASES,
        "weekend",
        "later",
        "end",
    },
    key=len,
    reverse=True,
)
_TIME_HINT = re.compile(r"\d|(?<![a-z0-9])(?:" + "|".join(re.escape(w) for w in _TIME_WORDS) + r")(?![a-z0-9])")
_SET = re.compile(r"\{@([a-z_]+)\}")
_CHOICES = re.compile(r"\{([^{}]*)\}")


class PromiseRulesError(ValueError):
    """A promise rules file that cannot be read, with the reason in a sentence."""


@dataclass(frozen=True)
class Promise:
    """A promise with a time: the family that found it, the sentence as written (the note) and its *when*."""

    rule_id: str
    sentence: str
    when: When


def _words(text: str) -> str:
    """A run of plain words as a regex: each word (or run of words) that has equivalents matches any of them."""
    words = text.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            forms = _EQUIVALENTS.get(tuple(words[i : i + size]))
            if forms:
                out.append("(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + ")")
                i += size
                break
        else:
            out.append(re.escape(words[i]))
            i += 1
    return " ".join(out)


def _piece(text: str, sets: dict[str, tuple[str, ...]]) -> str:
    """A phrase's piece (no gaps) as a regex: literal words and {choices}, space-separated; an empty choice makes
    the group optional, with one of its spaces."""
    text = _SET.sub(lambda m: "{" + "|".join(sets[m.group(1)]) + "}", text)
    parts = _CHOICES.split(text)
    elements: list[tuple[str, bool]] = []  # (regex, optional)
    for index, part in enumerate(parts):
        if index % 2 == 0:
            if part.strip():
                elements.append((_words(part.strip()), False))
            continue
        options = part.split("|")
        choices = sorted({_words(o.strip()) for o in options if o.strip()}, key=len, reverse=True)
        elements.append(("(?:" + "|".join(choices) + ")", any(not o.strip() for o in options)))
    pattern = ""
    last = len(elements) - 1
    for position, (regex, optional) in enumerate(elements):
        joined = position > 0 and not elements[position - 1][1]
        if not optional:
            pattern += (" " if joined else "") + regex
        elif position < last:
            pattern += (" " if joined else "") + f"(?:{regex} )?"
        else:
            pattern += f"(?: {regex})?" if position > 0 else f"(?:{regex})?"
    return pattern


def compile_phrase(phrase: str, sets: dict[str, tuple[str, ...]]) -> str:
    """One phrase of the rules file as a regex over scanned text; ValueError for one that cannot be read."""
    text = " ".join(phrase.lower().translate(_APOSTROPHES).split())
    at_start = text.startswith("^ ")
    if at_start:
        text = text[2:]
    unknown = [name for name in _SET.findall(text) if name not in sets]
    if unknown:
        raise ValueError(f"“{phrase}” uses the word set “{unknown[0]}”, which the file does not define")
    if text.count("{") != text.count("}"):
        raise ValueError(f"“{phrase}” has a “{{” or “}}” that does not pair up")
    pieces = [p.strip() for p in text.split(" .. ")]
    pattern = _piece(pieces[0], sets)
    for piece in pieces[1:]:
        pattern += f"(?: {_GAP_WORD}){{0,{GAP_WORDS}}} " + _piece(piece, sets)
    if not pattern.strip():
        raise ValueError(f"“{phrase}” has no words to match")
    return (_CLAUSE_START if at_start else r"(?<![\w'])") + pattern + r"(?![\w'])"


def _strings(value: object, *, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise PromiseRulesError(f"{where} must be a list of phrases in quotes")
    return tuple(value)


@dataclass(frozen=True)
class PromiseRule:
    """A family of promises: its stable id and phrases."""

    id: str
    phrases: tuple[str, ...]


def parse_rules(
    text: str, *, name: str = "promise rules"
) -> tuple[tuple[PromiseRule, ...], tuple[str, ...], dict[str, tuple[str, ...]]]:
    """(families, exceptions, word sets) of a rules file; PromiseRulesError for one that cannot be read."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PromiseRulesError(f"{name} is not valid TOML: {error}") from None
    raw_sets = data.get("sets", {})
    if not isinstance(raw_sets, dict):
        raise PromiseRulesError(f"{name}: [sets] must be a table of word lists")
    sets = {key: _strings(value, where=f"{name}: set “{key}”") for key, value in raw_sets.items()}
    unless = _strings(data.get("unless", []), where=f"{name}: unless") if "unless" in data else ()
    families = data.get("promise")
    if not isinstance(families, list) or not families:
        raise PromiseRulesError(f"{name} has no [[promise]] families")
    rules = []
    for number, table in enumerate(families, start=1):
        if not isinstance(table, dict) or not isinstance(table.get("id", ""), str):
            raise PromiseRulesError(f"{name}: promise {number} needs an id and phrases")
        rule_id = str(table.get("id") or f"promise.{number}")
        rules.append(PromiseRule(rule_id, _strings(table.get("phrases"), where=f"{name}: “{rule_id}” phrases")))
    return tuple(rules), unless, sets


@dataclass(frozen=True)
class _Hit:
    start: int
    stop: int
    rule_id: str


class PromiseMatcher:
    """An immutable set of promise families, compiled into one expression per family and one for the exceptions."""

    __slots__ = ("_families", "_unless")

    def __init__(self, families: tuple[tuple[str, re.Pattern[str]], ...], unless: re.Pattern[str] | None) -> None:
        self._families = families
        self._unless = unless

    @classmethod
    def build(
        cls, rules: Iterable[PromiseRule], *, unless: Iterable[str] = (), sets: dict[str, tuple[str, ...]] | None = None
    ) -> PromiseMatcher:
        """Compile the families; PromiseRulesError names the phrase that cannot be read."""
        sets = sets or {}
        families = []
        for rule in rules:
            try:
                patterns = [compile_phrase(p, sets) for p in rule.phrases]
            except ValueError as error:
                raise PromiseRulesError(f"Promise “{rule.id}”: {error}.") from None
            families.append((rule.id, re.compile("|".join(f"(?:{p})" for p in patterns))))
        exceptions = [compile_phrase(p, sets) for p in unless]
        pattern = re.compile("|".join(f"(?:{p})" for p in exceptions)) if exceptions else None
        return cls(tuple(families), pattern)

    def find(self, text: str, *, date_order: str = "MDY") -> Promise | None:
        """The first promise with a time in raw Slack message text, or None."""
        for rule_id, visible, (start, sentence_start, sentence_stop) in self._candidates(text):
            when = _when_in(visible, sentence_start, sentence_stop, start, date_order)
            if when is not None:
                sentence = " ".join(visible[sentence_start:sentence_stop].split()).rstrip(" ,;:")
                return Promise(rule_id, sentence[:NOTE_CHARS], when)
        return None

    def spot(self, text: str) -> bool:
        """Whether a message may hold a promise with a time: a promise of the rules, not quoted, reported or asked,
        with a word a *when* can be made of in its sentence. The message path's check: ``find`` reads the *when*
        (the costly part) only for these."""
        return next(self._candidates(text), None) is not None

    def _candidates(self, text: str) -> Iterator[tuple[str, str, tuple[int, int, int]]]:
        """(family, visible text, (promise start, sentence start, sentence stop)) of each promise, in order."""
        if not text or not self._families:
            return
        lowered = text.lower()
        if _TRIGGER.search(lowered) is None or _TIME_HINT.search(lowered) is None:
            return
        visible = _visible(text)
        scanned, index = _normalize_mapped(visible)
        scanned = scanned.translate(_APOSTROPHES)
        for hit in self._hits(scanned):
            start, stop = index[hit.start], index[hit.stop - 1] + 1
            if _is_reported(visible, start, stop):
                continue
            sentence_start, sentence_stop = _sentence(visible, start, stop)
            if visible[sentence_stop : sentence_stop + 1] == "?" or visible[start:sentence_stop].rstrip().endswith("?"):
                continue  # a question asks for a promise; it makes none
            if _TIME_HINT.search(visible[sentence_start:sentence_stop].lower()) is not None:
                yield hit.rule_id, visible, (start, sentence_start, sentence_stop)

    def _hits(self, scanned: str) -> list[_Hit]:
        """Every family's phrases found, searched only near a first-person future (the rare words the fast check
        looked for), so a long message costs little more than a short one."""
        hits = [
            _Hit(m.start(), m.end(), rule_id)
            for low, high in _windows(scanned)
            for rule_id, pattern in self._families
            for m in pattern.finditer(scanned, low, high)
            if m.end() > m.start()
        ]
        if hits and self._unless is not None:
            low, high = min(h.start for h in hits), max(h.stop for h in hits)
            spans = [
                (m.start(), m.end())
                for m in self._unless.finditer(scanned, max(0, low - _WINDOW_BEFORE), high + _WINDOW_AFTER)
            ]
            hits = [h for h in hits if not any(a <= h.start < b for a, b in spans)]
        return sorted(set(hits), key=lambda h: (h.start, -h.stop))


_WINDOW_BEFORE = 16  # "we are going to": the words of a phrase before the word the fast check finds
_WINDOW_AFTER = 100


def _windows(scanned: str) -> list[tuple[int, int]]:
    """The stretches of scanned text around each first-person future, merged; each ends at a word's end."""
    windows: list[tuple[int, int]] = []
    for found in _TRIGGER.finditer(scanned):
        low = max(0, found.start() - _WINDOW_BEFORE)
        high = scanned.find(" ", min(len(scanned), found.end() + _WINDOW_AFTER))
        high = len(scanned) if high < 0 else high
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(high, windows[-1][1]))
        else:
            windows.append((low, high))
    return windows


_SENTENCE_END = re.compile(r"[!?…\n\r]|\.(?=\s|$)")  # a "." inside a number or a time ("3.30") ends nothing


def _sentence(visible: str, start: int, stop: int) -> tuple[int, int]:
    """The bounds of the sentence holding ``visible[start:stop]``: from after the last sentence end before it to
    the next one."""
    before = 0
    for end in _SENTENCE_END.finditer(visible, 0, start):
        before = end.end()
    after = _SENTENCE_END.search(visible, stop)
    return before, len(visible) if after is None else after.start()


def _when_in(visible: str, start: int, stop: int, promise_start: int, date_order: str) -> When | None:
    """The *when* of a sentence: read off the end of its words up to each word after the promise a *when* can end
    with, the latest first ("I'll call you tomorrow about the refund"), else off the front of each of its clauses
    up to the promise ("Hi Bob, by Friday I'll …"). Each read sees at most ``WHEN_WORDS`` words: a *when* is
    short, and a long message must not cost more."""
    lowered = visible[start:stop].lower()
    if _TIME_HINT.search(lowered) is None:
        return None
    after = promise_start - start
    ends = sorted({start + _word_end(lowered, m.end()) for m in _TIME_HINT.finditer(lowered, after)}, reverse=True)
    clauses = [start] + [start + m.end() for m in re.finditer(r"[,;:—–]\s*", visible[start:promise_start])]
    candidates = [" ".join(visible[start:end].split()[-WHEN_WORDS:]) for end in ends]
    candidates += [" ".join(visible[clause:stop].split()[:WHEN_WORDS]) for clause in clauses]
    for candidate in dict.fromkeys(candidates):
        try:
            when, _ = split_when(candidate, date_order=date_order)
        except BadWhen:
            continue
        if when is not None and when.text:
            return when
    return None


def _word_end(text: str, at: int) -> int:
    while at < len(text) and not text[at].isspace() and text[at] not in ",;:":
        at += 1
    return at


@cache
def shipped_matcher() -> PromiseMatcher:
    """The matcher of the shipped ``promise_rules.toml``."""
    text = resources.files("bot.domain").joinpath("promise_rules.toml").read_text(encoding="utf-8")
    rules, unless, sets = parse_rules(text, name="promise_rules.toml")
    return PromiseMatcher.build(rules, unless=unless, sets=sets)


def may_promise(text: str) -> bool:
    """Whether a message has both a first-person future ("I'll", "let me", "we will"…) and a word a time can be made
    of: the acknowledgement path's only promise check (two regular-expression searches); ``spot_promise`` and
    ``find_promise`` read the few such messages after it."""
    if not text:
        return False
    lowered = text.lower()
    return _TRIGGER.search(lowered) is not None and _TIME_HINT.search(lowered) is not None


def spot_promise(text: str) -> bool:
    """Whether a message may hold a promise with a time, by the shipped rules (the message path's cheap check)."""
    return shipped_matcher().spot(text)


def find_promise(text: str, *, date_order: str = "MDY") -> Promise | None:
    """The first promise with a time in a message, by the shipped rules."""
    return shipped_matcher().find(text, date_order=date_order if date_order in DATE_ORDERS else "MDY")
