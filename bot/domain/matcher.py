"""Find which customers of the directory a Slack message names, with one multi-pattern automaton.

Why the automaton is built over *folded* text: whole-word matching needs a boundary check on each
side of a name, and checking in Python every hit that short aliases ("ACS", "GLI") produce inside
ordinary words costs more than the scan itself. So both the names and the scanned text are folded
with the same length-preserving map that turns every non-word character into one marker and every
accented letter into its base letter ("é" -> "e", "ø" -> "o"); a name that starts (ends) with a word
character is stored with a marker before (after) it, and the text is padded with a marker at each
end. The automaton then only reports hits that sit on word boundaries, and each (rare) hit is
confirmed against the unfolded text with one ``str.startswith`` (or, when accents or quote styles
differ, a comparison of the two with those folded), because folding conflates punctuation
("acme-corp" folds like "acme corp").

What people vary without meaning to is folded on both sides: accents in either direction ("Nestle"
finds Nestlé and "Zürich" finds Zurich), apostrophe and quote styles (``O’Reilly``), Slack's
``*bold*``, ``~strike~``, `` `code` `` (punctuation already) and ``_italics_`` (an underscore at the
edge of a word is formatting; inside one, "acme_corp", it is part of the word). What cannot be folded
letter for letter is added as variants of a name when the matcher is built: "&", "and" and "+"
between words ("Procter and Gamble" finds Procter & Gamble; a glued "&", "AT&T", also matches
"AT & T" but not "AT and T", which is too easily ordinary words), German transliterations
("Mueller" finds Müller, "Strasse" finds Straße) and a name without its apostrophes ("McDonalds").

Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Burmese, and
Korean, whose particles attach to nouns) have no word boundaries: their letters count as boundaries
for Latin names ("Acmeの件" names Acme), and a name written in them is found as a substring by a
second, small automaton over text that contains such letters.

A name marked *exact* (an everyday word or tool name, see ``bot.domain.everyday_names``) counts only
as written: in its given letter case (accents and quote styles still folded), in capitals when it is
shouted (a neighbouring word is in capitals too, "TARGET IS DOWN", or it opens the message, "TARGET
called"; not "our TARGET is 50"), and in any case inside a ``#channel-name`` (Slack channel names
are always lower case).

A hyphen and a space between the words of a name are one when nothing in the directory tells them
apart ("Dunder-Mifflin" names Dunder Mifflin unless a customer is called Dunder-Mifflin).
"""

from __future__ import annotations

import gc
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ahocorasick

from bot.domain.everyday_names import everyday_words, written_form
from bot.domain.slack_text import matchable_text

# Whitespace, so it can never survive in normalized text or names: a marker is never ambiguous.
_MARK = "\x1f"
# Letters of scripts written without spaces between words; for Latin names they are boundaries.
_UNSPACED_RANGES = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3100-\u312f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
_UNSPACED = re.compile(f"[{_UNSPACED_RANGES}]")
# Python's Unicode \w is exactly ``ch.isalnum() or ch == "_"``, the product's word-character rule; the modifier
# letter apostrophe (U+02BC, "Oʼreilly") is a letter to Unicode but an apostrophe to people.
_NON_WORD = re.compile(rf"[\W\u02bc{_UNSPACED_RANGES}]")
# An underscore run at the edge of a word, in folded text: Slack's _italics_, not part of the word.
_EDGE_UNDERSCORES = re.compile(f"(?<={_MARK})_+(?=[^{_MARK}_])|(?<=[^{_MARK}_])_+(?={_MARK})")
_SPACE_RUN = re.compile(r"\s+")
# A hyphen between two letters or digits, which people write for a space in a name ("Dunder-Mifflin").
_INNER_HYPHEN = re.compile(r"(?<=[^\W_])-(?=[^\W_])")
# A word of two or more letters, for telling shouting ("TARGET IS DOWN") from emphasis.
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")


def _base_letter(char: str) -> str:
    """The letter without its accents ("é" -> "e"), or the character itself."""
    decomposed = unicodedata.normalize("NFD", char)
    if len(decomposed) > 1 and all(unicodedata.combining(c) for c in decomposed[1:]):
        return decomposed[0]
    return char


def _accent_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in (*range(0xC0, 0x250), *range(0x370, 0x400), *range(0x1E00, 0x1F00)):
        char = chr(code)
        base = _base_letter(char)
        if base != char and base.isalnum():
            table[code] = base
    for char, base in {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "ı": "i"}.items():
        table[ord(char)] = base
    table[ord("ё")], table[ord("Ё")] = "е", "Е"
    # Full-width Latin letters and digits, as Japanese keyboards type them.
    for code in range(0xFF10, 0xFF5B):
        if chr(code).isalnum():
            table[code] = chr(code - 0xFEE0)
    return table


_ACCENTS = _accent_table()
# Folding works on lower-cased text and names, so its table gives lower-case letters.
_FOLD_ACCENTS = {code: base.lower() for code, base in _ACCENTS.items()}
_FOLDABLE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_ACCENTS)) + "]")


def _latin1_byte(code: int) -> int:
    char = chr(code)
    if not (char.isalnum() or char == "_"):
        return ord(_MARK)
    base = _FOLD_ACCENTS.get(code, char)
    return ord(base) if ord(base) < 256 else code


# Latin-1 (ASCII included) folds with a byte table, an order of magnitude faster than a regex.
_LATIN1_FOLD = bytes(_latin1_byte(code) for code in range(256))
# For confirming a hit: accents and the apostrophe and quote styles phones and keyboards type, folded.
_VERIFY = {
    **_ACCENTS,
    **dict.fromkeys(map(ord, "’‘ʼ`´′"), "'"),
    **dict.fromkeys(map(ord, "“”„‟«»″"), '"'),
}
_QUOTES_OR_ACCENTS = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_VERIFY)) + "']")

# Between words, "&", "+" and "and" are the same connector; a glued "&" ("AT&T") also reads spaced.
_CONNECTOR = re.compile(r"\s+(?:&|\+|and)\s+", re.IGNORECASE)
_GLUED_AMPERSAND = re.compile(r"(?<=[^\W_])&(?=[^\W_])")
_APOSTROPHE = re.compile(r"(?<=[^\W_])['’‘ʼ`´](?=[^\W_])")
_GERMAN = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "Æ": "Ae"}
_GERMAN_LETTERS = re.compile("[" + "".join(_GERMAN) + "]")

# (start, end, group, entries that passed) of a verified name occurrence in the normalized text.
_Candidate = tuple[int, int, Any]


@dataclass(frozen=True)
class NameEntry:
    """A customer's name or one of its aliases; ``exact`` None means: decide from the shipped word lists."""

    customer_id: int
    name: str
    exact: bool | None = None


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


def _fold(text: str) -> str:
    # Length-preserving: non-word characters (and letters of unspaced scripts) become the marker,
    # accented letters their base letter, formatting underscores at word edges the marker.
    try:
        folded = text.encode("latin-1").translate(_LATIN1_FOLD).decode("latin-1")
    except UnicodeEncodeError:
        folded = _NON_WORD.sub(_MARK, text)
        if _FOLDABLE.search(folded):
            folded = folded.translate(_FOLD_ACCENTS)
    if "_" in folded:
        folded = _EDGE_UNDERSCORES.sub(lambda run: _MARK * len(run.group()), folded)
    return folded


def fold_for_comparison(text: str) -> str:
    """Accents and apostrophe and quote styles folded, letter for letter (the length is kept)."""
    return text.translate(_VERIFY)


def normalize_name(name: str) -> str:
    """Return the key used for equality and uniqueness of names: NFC, lowercase, whitespace collapsed."""
    return " ".join(_nfc(name).lower().split())


def _prepared(text: str) -> str:
    """Raw Slack text as the matcher reads it, letter case kept: what people see, NFC, whitespace collapsed."""
    scanned = matchable_text(text, channel_names=True)
    if not scanned.isascii() and not unicodedata.is_normalized("NFC", scanned):
        scanned = unicodedata.normalize("NFC", scanned)
    # Every whitespace character but the plain space is unprintable, so these C-speed tests find the
    # texts that need collapsing without running a regex over every message.
    if not scanned.isprintable():
        scanned = _SPACE_RUN.sub(" ", scanned)
    else:
        # Hidden mention tokens leave double spaces behind; halving runs of spaces is cheaper than a regex.
        while "  " in scanned:
            scanned = scanned.replace("  ", " ")
    return scanned


def normalize_text(text: str) -> str:
    """Return the form of raw Slack message text that ``CustomerMatcher.find`` scans and indexes into."""
    return _prepared(text).lower()


def name_variants(name: str) -> list[str]:
    """The ways a name may be written that folding letter by letter cannot see; the name itself first."""
    name = " ".join(_nfc(name).split())
    variants = [name]
    if _CONNECTOR.search(name):
        variants.extend(_CONNECTOR.sub(f" {connector} ", name) for connector in ("&", "and", "+"))
    elif "&" in name and _GLUED_AMPERSAND.search(name):
        variants.append(_GLUED_AMPERSAND.sub(" & ", name))
        sides = re.split(r"\W+", name)
        if all(len(side) >= 3 for side in sides if side):
            variants.append(_GLUED_AMPERSAND.sub(" and ", name))
    if not name.isascii() and _GERMAN_LETTERS.search(name):
        variants.extend([_GERMAN_LETTERS.sub(lambda m: _GERMAN[m.group()], v) for v in variants])
    if _APOSTROPHE.search(name):
        variants.extend([_APOSTROPHE.sub("", v) for v in variants])
    return list(dict.fromkeys(variants))


def _is_spaced_word_char(char: str) -> bool:
    return (char.isalnum() or char == "_") and not _UNSPACED.match(char)


class CustomerMatcher:
    """An immutable index of customer names that finds whole-word, case-insensitive mentions in text."""

    __slots__ = ("_dense", "_iter", "_size")

    def __init__(self, automaton: Any, dense: Any, size: int) -> None:
        self._iter = automaton.iter if automaton is not None else _nothing
        self._dense = dense
        self._size = size

    @classmethod
    def build(cls, entries: Iterable[NameEntry]) -> CustomerMatcher:
        """Build a matcher from customer names and aliases; names that normalize to empty are ignored."""
        # Hundreds of thousands of new lists would each run the cyclic collector over all the others, doubling the
        # build time for nothing: none of them can be garbage before the build ends.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return cls._build(entries)
        finally:
            if collecting:
                gc.enable()

    @classmethod
    def _build(cls, entries: Iterable[NameEntry]) -> CustomerMatcher:
        # A group is (lead, key, compared key, exact?, customer id, display name, written form, ...): the same
        # key may belong to several customers and each of them is reported; the written form is None unless
        # the name counts only as written. Until the automaton keys are made, group[0] says whether the key is a
        # name's own (1) or only a variant of one (0), so that ``len`` counts names, not variants.
        groups: dict[str, list[Any]] = {}
        everyday = everyday_words()
        for entry in entries:
            key = normalize_name(entry.name)
            if not key:
                continue
            customer_id, exact = entry.customer_id, key in everyday if entry.exact is None else entry.exact
            form = written_form(entry.name) if exact else None
            group = groups.get(key)
            if group is None:
                groups[key] = [1, key, None, exact, customer_id, entry.name, form]
            else:
                group[0] = 1
                if customer_id not in group[4::3]:
                    group.extend((customer_id, entry.name, form))
                    group[3] = group[3] or exact
            # The common case stays cheap for a directory of 100,000 names: nothing to vary.
            if key.isascii() and "&" not in key and "+" not in key and " and " not in key and "'" not in key:
                continue
            for variant in name_variants(entry.name)[1:]:
                variant_key = normalize_name(variant)
                form = written_form(variant) if exact else None
                group = groups.get(variant_key)
                if group is None:
                    groups[variant_key] = [0, variant_key, None, exact, customer_id, entry.name, form]
                elif customer_id not in group[4::3]:
                    group.extend((customer_id, entry.name, form))
                    group[3] = group[3] or exact
        # Names that differ only in punctuation ("AT&T", "AT-T") fold to the same automaton key.
        spaced: dict[str, list[list[Any]]] = {}
        dense: dict[str, list[list[Any]]] = {}
        size = 0
        for key, group in groups.items():
            size += group[0]
            if key.isascii():
                group[2] = fold_for_comparison(key) if "`" in key else key
            else:
                group[2] = fold_for_comparison(key) if _QUOTES_OR_ACCENTS.search(key) else key
                if _UNSPACED.search(key):
                    dense.setdefault(fold_for_comparison(key), []).append(group)
                    continue
            # Underscores fold by what surrounds them, so a name with one is folded with the text's padding.
            folded = _fold(f" {key} ")[1:-1] if "_" in key else _fold(key)
            group[0] = 0
            if folded[0] != _MARK:
                folded = _MARK + folded
                group[0] = 1
            if folded[-1] != _MARK:
                folded += _MARK
            # Groups stay lists: never changed after this, and 200,000 tuple copies would cost a tenth of the build.
            alternatives = spaced.get(folded)
            if alternatives is None:
                spaced[folded] = [group]
            else:
                alternatives.append(group)
        del groups
        return cls(_automaton(spaced, offset=0), _automaton(dense, offset=1), size)

    def __len__(self) -> int:
        """Return the number of distinct normalized names."""
        return self._size

    def find(self, text: str) -> list[Match]:
        """Return the leftmost-longest, non-overlapping whole-word name matches in raw Slack text."""
        if not self._size:
            return []
        cased = _prepared(text)
        scanned = cased.lower()
        # The padding markers stand for the text's edges, so a name can start or end there.
        folded = _fold(f" {scanned} ")
        found: list[_Candidate] = []
        for end, payload in self._iter(folded):
            # The padding shifts folded offsets by one, which cancels the +1 of an inclusive end.
            base = end - payload[0]
            before = len(found)
            for i in range(1, len(payload)):
                group = payload[i]
                start = base + group[0]
                # A name that starts with punctuation can align with the leading pad, i.e. start at -1.
                if start >= 0 and (
                    scanned.startswith(group[1], start)
                    or fold_for_comparison(scanned[start : start + len(group[1])]) == group[2]
                ):
                    found.append((start, start + len(group[1]), group))
            if len(found) == before:
                found.extend(_hyphenated(payload, base, scanned))
        if self._dense is not None and not scanned.isascii() and _UNSPACED.search(scanned):
            found.extend(self._find_dense(scanned))
        if not found:
            return []
        for candidate in found:
            if candidate[2][3]:  # a name that counts only as written is among them
                found = _written_as_given(found, cased, scanned)
                break
        if len(found) > 1:
            found = _leftmost_longest(found)
        matches: list[Match] = []
        for start, stop, group in found:
            for i in range(4, len(group), 3):
                matches.append(Match(group[i], group[i + 1], start, stop))
        return matches

    def _find_dense(self, scanned: str) -> list[_Candidate]:
        found: list[_Candidate] = []
        for end, payload in self._dense.iter(fold_for_comparison(scanned)):
            start = end - payload[0]
            for group in payload[1:]:
                stop = start + len(group[1])
                # A Latin letter at the name's edge still needs a boundary ("Acmeジャパン" is not in "XAcmeジャパン").
                if start > 0 and _is_spaced_word_char(group[1][0]) and _is_spaced_word_char(scanned[start - 1]):
                    continue
                if stop < len(scanned) and _is_spaced_word_char(group[1][-1]) and _is_spaced_word_char(scanned[stop]):
                    continue
                found.append((start, stop, group))
        return found

    def customer_ids(self, text: str) -> list[int]:
        """Return the distinct customer ids named in raw Slack text, in order of first appearance."""
        return list(dict.fromkeys(m.customer_id for m in self.find(text)))


def _nothing(_: str) -> tuple[()]:
    return ()


def _automaton(by_key: dict[str, list[list[Any]]], *, offset: int) -> Any:
    if not by_key:
        return None
    automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
    add = automaton.add_word
    for key, alternatives in by_key.items():
        # payload[0] turns the automaton's inclusive end into the name's start (see ``find``).
        add(key, (len(key) - offset, *alternatives))
    automaton.make_automaton()
    return automaton


def _hyphenated(payload: tuple[Any, ...], base: int, scanned: str) -> list[_Candidate]:
    """A hit no name matched to the letter: "Dunder-Mifflin" still names Dunder Mifflin, "acme corp" Acme-Corp.

    Only when no name of the hit matches as written, so "AT-T" and "AT T" stay two names when both exist."""
    found: list[_Candidate] = []
    for group in payload[1:]:
        start, key = base + group[0], group[2]
        piece = scanned[start : start + len(key)]
        if (
            start >= 0
            and ("-" in key or "-" in piece)
            and _INNER_HYPHEN.sub(" ", fold_for_comparison(piece)) == _INNER_HYPHEN.sub(" ", key)
        ):
            found.append((start, start + len(key), group))
    return found


def _aligned(cased: str, scanned: str) -> str:
    # Lower-casing lengthens a few letters ("İ"); keep such letters lower-cased so offsets line up.
    if len(cased) == len(scanned):
        return cased
    return "".join(c if len(c.lower()) == 1 else c.lower() for c in cased)


def _written_as_given(found: list[_Candidate], cased: str, scanned: str) -> list[_Candidate]:
    """The candidates with only the entries that count: a name marked exact must be written as given."""
    cased = _aligned(cased, scanned)
    kept: list[_Candidate] = []
    for start, stop, group in found:
        if not group[3]:
            kept.append((start, stop, group))
            continue
        entries: list[Any] = []
        for i in range(4, len(group), 3):
            form = group[i + 2]
            if form is None or _as_written(cased, start, stop, form):
                entries.extend(group[i : i + 3])
        if entries:
            kept.append((start, stop, (*group[:4], *entries)))
    return kept


def _as_written(cased: str, start: int, stop: int, form: str) -> bool:
    piece = cased[start:stop]
    if piece == form or fold_for_comparison(piece) == fold_for_comparison(form):
        return True
    # Slack channel names are lower case: "#target-support" names Target.
    token_start = cased.rfind(" ", 0, start) + 1
    if cased.startswith("#", token_start):
        return True
    return (
        piece.isupper()
        and fold_for_comparison(piece) == fold_for_comparison(form).upper()
        and _shouted(cased, start, stop)
    )


def _shouted(cased: str, start: int, stop: int) -> bool:
    """Whether a name in capitals is shouted: a neighbouring word is in capitals too ("TARGET IS DOWN"), or it opens
    the message ("TARGET called"), but not emphasis inside a sentence ("hit our TARGET this week")."""
    before = _LETTER_WORD.findall(cased, max(0, start - 60), start)
    after = _LETTER_WORD.search(cased, stop, stop + 60)
    if not before and not any(c.isalnum() for c in cased[:start]):
        return True
    neighbours = ([before[-1]] if before else []) + ([after.group()] if after else [])
    return not neighbours or any(word.isupper() for word in neighbours)


def _leftmost_longest(found: list[_Candidate]) -> list[_Candidate]:
    # Every candidate is already boundary-valid and verified, so a greedy pass is exact.
    found.sort(key=lambda f: (f[0], -f[1]))
    chosen: list[_Candidate] = []
    taken_until = -1
    for candidate in found:
        if candidate[0] >= taken_until:
            chosen.append(candidate)
            taken_until = candidate[1]
        elif candidate[:2] == chosen[-1][:2]:
            # The same words name two entries that differ only in accents ("Nestle", "Nestlé"): both count.
            chosen.append(candidate)
    return chosen
