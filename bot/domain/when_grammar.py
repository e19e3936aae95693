"""Reading a *when* out of what people type (Slack /remind and calendar forms); no clock, no I/O.

`split_when(text)` reads the *when* off the front of a command's text and returns it with the rest as the note;
when nothing at the front is a time, it looks for one at the end, the way people type to /remind ("call back about
the drive tomorrow at 3pm"). The result is a `When`: a day rule and a wall-clock time, or an exact delay, plus the
words it was read from and every assumption made, so a confirmation can say "(I read “at 3” as 15:00)".
`bot.domain.when.resolve_due` turns it into an instant from `now`, the owner's timezone and the working week.

The rule above all: never silently wrong. A phrase that looks like a time but is not fully understood is refused
with a suggestion (`BadWhen`), never folded into the note.

Decisions (each one has a unit test in tests/unit/test_when_grammar.py):
- A clock time may come with or without "at" (`3pm`, `15:00`, `at 3`, `@3pm`), before or after the day.
  An hour without am/pm: 1-7 is the afternoon, 8-11 the morning, 12 noon; a zero-padded hour (`08:30`) or
  0 and 13-23 are read as written. After a part of the day it follows that part (`tonight at 8` is 20:00,
  `tomorrow morning at 8` is 08:00). Either way the assumption is reported.
- A bare number right after a day is an hour (`friday 3` is 15:00) unless a plural word, a unit or a month follows
  (`tomorrow 2 invoices to check` keeps "2 invoices to check" as the note).
- Parts of the day: morning 09:00, afternoon 14:00, evening 18:00, night and tonight 19:00, noon and lunch 12:00,
  after lunch 13:00, midnight the 00:00 that ends the day. `first thing` is the start of the working day, `EOD`,
  `COB`, `end of day` its end (from the workspace's working hours; 17:00 by default).
- `end of week`: the end of the last working day of this run of working days (on a day off, of the coming one),
  so a Sunday-to-Thursday workspace's week ends on Thursday; `end of month`: the end of the month's last working
  day. A part that names a time (noon, EOD) with a clock time is refused as two times. `next week` alone is the
  first working day of next week at 09:00; `next friday` and `friday next week` are the Friday of next week;
  `this friday` and `friday` the coming one (today's weekday means next week's).
- `by <when>` is that when; a day without a time is its start (`by friday` is Friday 09:00, leaving the day to act).
- Numeric dates follow the workspace's `date_order` ("MDY" or "DMY"); ISO (2026-12-15) always works; a date that
  is not valid in that order is refused with the month-name form to type. A date without a year is the next one,
  unless it passed in the last 90 days: then it is refused as past (`Nov 17` typed on Nov 18 is a mistake, not a
  plan for next year).
- `in N minutes|hours` is an exact delay; `in N days|weeks|months` counts calendar days at 09:00; compound
  durations (`in 2h30m`, `in 1 day 2 hours`) are exact delays; `in an hour`, `in half an hour`, `in a couple of
  days`, number words. `in a few days`, `soon`, `3ish`, `this week` are refused: they are not one time.
- Past phrases (`yesterday`, `last friday`, `in -3 days`, `2 days ago`) are read, and resolving refuses them with
  the time they meant. A repeating phrase (`every 2 weeks`) is not one time: it is refused here, pointing to the
  rhythm at the front (read by `bot.domain.recurrence`); other zones (`3pm EST`) are refused for now.
- A *when* at the end of a note is read only when it runs to the end, is not a bare number or number/number, and
  does not follow a word that puts it in the note's story ("shipped on monday", "since friday", "said yesterday").
- Misspelt day and month names one letter off (`tomorow`, `firday`, `decmber`) and common short forms (`tmrw`,
  `tues`, `weds`, `thurs`) are read, and the reading is reported.

Why no date library: dateparser 1.5 was measured on tests/fixtures/when_phrases.tsv (same `now`, zone and date
order; its midnight or "now" times for date-only phrases counted as 09:00 to be fair). On the 60 month-name and
numeric-date rows, the part it would do, it gave the labelled time for 49 (82%; this grammar, written against
them, 60); used for whole phrases it gave the labelled time for 49% and a different time, silently, for 375 of
801 ("friday at 5" is 18 May, "tomorrow at 3" is 10:00). It cannot say which words it did not understand, which
the rule above needs; it took 0.6-1.0 s to import and 6-9 ms per phrase, about 20 times this grammar on the same
(busy) machine.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, time

from bot.domain import when_words as words
from bot.domain.errors import WHEN_FIELD, RapportError

DATE_ORDERS = ("MDY", "DMY")
MAX_AHEAD_DAYS = 366
GENERIC_EXAMPLE = "/followup Acme tomorrow at 10am call back about the drive"
REPEATING = (
    "Repeating follow-ups start with their rhythm, right after the customer (`every 2 weeks`, "
    "`every monday at 10am`, `every month on the 1st`), and the note comes last."
)
REPEATING_EXAMPLE = "/followup Acme every 2 weeks check in"


class BadWhen(RapportError):
    """A *when* that cannot be understood, lies in the past, or is too far away."""

    field = WHEN_FIELD

    def __init__(self, message: str, *, example: str | None = None, suggestion: str | None = None) -> None:
        if example is None:
            example = f"/followup Acme {suggestion} call back about the drive" if suggestion else GENERIC_EXAMPLE
        super().__init__(message, example=example)
        self.suggestion = suggestion


class _Unread(BadWhen):
    """A word that looks like a time but is not one: reworded by `_Reader.read` with what was read before it."""

    def __init__(self, typed: str, reason: str, fix: str) -> None:
        super().__init__(f"I can't read *{typed}*{reason}. Try `{fix}`.", suggestion=fix)
        self.typed, self.reason, self.fix = typed, reason, fix


@dataclass(frozen=True)
class When:
    """A parsed *when*: an exact delay, or a day rule with an optional wall-clock time.

    Kinds: "delay" (amount minutes), "days" (amount days), "working_days", "months", "today", "tonight",
    "clock" (a time of day alone: its next occurrence), "weekday" (amount 0-6: the coming one, `weeks` more;
    -1 the last one), "week_weekday" (amount 0-6 in the calendar week `weeks` from this one), "next_week",
    "week" (first working day of the week `weeks` from this one), "month_start" (first working day of the
    month `amount` from this one), "end_of_week" (`weeks`), "end_of_month" (`amount`), "date" (`day`),
    "month_day" (`month` and day `amount`, no year), "day_of_month" (day `amount`, no month).
    """

    kind: str
    amount: int = 0
    day: date | None = None
    at: time | None = None
    text: str = ""  # the words it was read from, as typed
    weeks: int = 0
    month: int = 0
    weekday_check: int | None = None  # the weekday typed with a date ("friday dec 4"), checked when resolved
    anchor: str = ""  # instead of `at`: "start" / "end" of the working day, or "midnight" (00:00 after the day)
    bare_hour: bool = False  # `at` came from an hour typed without am/pm
    assumptions: tuple[str, ...] = ()  # each reads after "I read …": "“at 3” as 15:00"


@dataclass
class _Tok:
    text: str  # as typed
    low: str  # lower case, quotes and markup stripped
    key: str  # `low` without trailing dots and colons: what the tables are looked up by
    start: int
    end: int
    punct: bool


@dataclass
class _Piece:
    """One part of a *when* as read: a day, a clock time, a part of the day, or a span of time."""

    slot: str  # "day" | "clock" | "part" | "span"
    start: int  # token index
    end: int  # token index after it
    kind: str = ""
    amount: int = 0
    day: date | None = None
    weeks: int = 0
    month: int = 0
    weekday_check: int | None = None
    at: time | None = None
    anchor: str = ""
    context: str = ""  # how a bare hour reads with this piece: "am", "pm", or "night" (pm, and 12 is midnight)
    hour: int = -1  # clock: as typed
    minute: int = 0
    ampm: str = ""
    padded: bool = False
    weak: bool = False  # "noon", "morning" alone at the front: a time only if nothing but a *when* follows
    by: bool = False
    part: _Piece | None = None  # a part of the day that came with a day ("this afternoon")
    part_note: str = ""  # "“afternoon” as 14:00": said only when no clock time overrides the part
    notes: list[str] = field(default_factory=list)


_TOKEN = re.compile(r"@(?=\s*[0-9])|(?:[^\s,;!?()\[\]@]|@(?!\s*[0-9]))+|[,;!?()\[\]]")  # any Unicode space splits
_PUNCT_ONLY = re.compile(r"[-–—:.…/|*_~]+", re.ASCII)
_QUOTES = "\"'“”‘’`*_~"
_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", re.ASCII)
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.])(\d{1,2})(?:\2(\d{4}|\d{2}))?(\.?)", re.ASCII)
_DAY_NUMBER = re.compile(r"(\d{1,2})(st|nd|rd|th)?", re.ASCII)
_YEAR = re.compile(r"(20\d\d)", re.ASCII)
_CLOCK_AMPM = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?(am|pm|a|p|a\.m|p\.m)", re.ASCII)
_CLOCK_COLON = re.compile(r"(\d{1,2}):(\d{2})", re.ASCII)
_CLOCK_DOT = re.compile(r"(\d{1,2})\.(\d{2})", re.ASCII)
_CLOCK_H = re.compile(r"(\d{1,2})h(\d{2})?", re.ASCII)
_CLOCK_ISH = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?(am|pm|a|p)?-?ish", re.ASCII)
_CLOCK_RANGE = re.compile(r"(\d{1,2})(?::(\d{2}))?(am|pm)?[-–](\d{1,2})(?::(\d{2}))?(am|pm)?", re.ASCII)
_CLOCKISH = re.compile(r"\d{1,2}([:.]\d{1,2})?\s*(am|pm|a|p|a\.m|p\.m|h|ish|-ish)?|\d{3,4}", re.ASCII)
_GLUED_SPAN = re.compile(r"(-?\d{1,6}(?:\.\d{1,2})?)([a-z]+)(?:(\d{1,3})([a-z]*))?", re.ASCII)
_HHMM = re.compile(r"([01]?\d|2[0-3])([0-5]\d)", re.ASCII)
_ISHY = re.compile(r"(.+?)-?ish", re.ASCII)
_NUMBER = re.compile(r"-?\d{1,6}(?:\.\d{1,2})?", re.ASCII)
_AMPM = {"am": "am", "a.m": "am", "pm": "pm", "p.m": "pm"}
_ABOUT = frozenset({"around", "about", "approx", "approximately", "~", "circa", "roughly", "ca"})
_OCLOCK = frozenset({"o'clock", "oclock", "o-clock", "oclock."})
_RANGE_WORDS = frozenset({"or", "to", "until", "till", "til", "through", "thru", "-", "–", "—"})
_NOT_COUNTS = frozenset(
    {
        "pls",
        "plus",
        "thanks",
        "this",
        "is",
        "was",
        "has",
        "as",
        "its",
        "us",
        "yes",
        "his",
        "pm",
        "ish",
        "sharp",
        "please",
        "across",
        "less",
    }
)
_PREFIXES = frozenset({"on", "by", "at", "@", "this", "next", "in", "the", "around", "about", "coming"})
_NOT_PAST_ED = frozenset(
    {
        "need",
        "feed",
        "seed",
        "speed",
        "proceed",
        "succeed",
        "exceed",
        "indeed",
        "embed",
        "shed",
        "bed",
        "red",
        "ted",
        "fred",
        "ned",
        "heed",
        "weed",
        "breed",
    }
)
_TAIL_WORDS = 10


def split_when(text: str, *, date_order: str = "MDY") -> tuple[When | None, str]:
    """Read a *when* off the front of `text` (else off its end); (when or None, the note). BadWhen if garbled."""
    return _Reader(text, date_order).split()


def _tokenize(text: str) -> list[_Tok]:
    tokens = []
    for match in _TOKEN.finditer(text):
        raw = match.group(0)
        low = _fold_digits(raw.lower()).replace("’", "'").strip(_QUOTES) or raw.lower()
        punct = len(raw) == 1 and raw in ",;!?()[]" or bool(_PUNCT_ONLY.fullmatch(raw))
        key = low if punct else (low.rstrip(".:") or low)
        key = words.ALIASES.get(key, key)
        tokens.append(_Tok(text=raw, low=low, key=key, start=match.start(), end=match.end(), punct=punct))
    return tokens


def _fold_digits(text: str) -> str:
    """Any script's decimal digits as ASCII ("٣", "３" → "3"): a phone keyboard's digits are still a time."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def _clean_note(text: str) -> str:
    """The note without the separators people put after a *when* ("tomorrow, call them", "friday - demo")."""
    return re.sub(r"^[\s,;:!?.\-–—]+", "", text).strip()


def _hm(hour: int, minute: int) -> str:
    return f"{hour:02d}:{minute:02d}"


def _valid_day(year: int | None, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year or 2024, month)[1]  # 2024: Feb 29 exists


class _Reader:
    """One reading of one text: tokens, and matchers that each read one piece at a token index."""

    def __init__(self, text: str, date_order: str) -> None:
        if date_order not in DATE_ORDERS:
            raise ValueError(f"date_order must be one of {DATE_ORDERS}, not {date_order!r}")
        self.text = text
        self.order = date_order
        self.toks = _tokenize(text)
        self.n = len(self.toks)
        self.last_word = max((i for i, tok in enumerate(self.toks) if not tok.punct), default=-1)

    # ---- token helpers ----

    def key(self, i: int) -> str:
        return self.toks[i].key if 0 <= i < self.n else ""

    def word(self, i: int) -> bool:
        return 0 <= i < self.n and not self.toks[i].punct

    def ends(self, i: int) -> bool:
        """Nothing but punctuation from token i on."""
        return i > self.last_word

    def words_of(self, i: int, j: int) -> str:
        j = min(j, self.n)
        return self.text[self.toks[i].start : self.toks[j - 1].end] if j > i else ""

    def weekday_at(self, i: int) -> tuple[int, list[str]] | None:
        key = self.key(i)
        if key in words.WEEKDAYS:
            return words.WEEKDAYS[key], []
        typo = words.typo_of(key)
        if typo in words.WEEKDAY_NAMES:
            return words.WEEKDAY_NAMES.index(typo), [f"“{self.toks[i].text}” as {typo.capitalize()}"]
        return None

    def month_at(self, i: int) -> tuple[int, list[str]] | None:
        key = self.key(i)
        if key in words.MONTHS:
            return words.MONTHS[key], []
        typo = words.typo_of(key)
        if typo in words.MONTH_NAMES:
            return words.MONTH_NAMES.index(typo) + 1, [f"“{self.toks[i].text}” as {typo.capitalize()}"]
        return None

    def day_word_at(self, i: int) -> tuple[str, list[str]] | None:
        """today / tonight / tomorrow / yesterday, with their short forms and one-letter typos."""
        key = self.key(i)
        for name, forms in (
            ("today", words.TODAY),
            ("tonight", words.TONIGHT),
            ("tomorrow", words.TOMORROW),
            ("yesterday", words.YESTERDAY),
        ):
            if key in forms:
                return name, []
        typo = words.typo_of(key)
        if typo in ("tomorrow", "tonight", "yesterday"):
            return typo, [f"“{self.toks[i].text}” as {typo}"]
        return None

    def part_at(self, i: int) -> tuple[str, list[str]] | None:
        key = self.key(i)
        if key in words.PARTS:
            return key, []
        typo = words.typo_of(key)
        return (typo, [f"“{self.toks[i].text}” as {typo}"]) if typo in words.PARTS else None

    # ---- the whole text ----

    def split(self) -> tuple[When | None, str]:
        if not self.toks:
            return None, self.text.strip()
        got = self.read(0)
        if got is not None:
            pieces, end = got
            return self.build(pieces, 0, end), _clean_note(self.text[self.toks[end - 1].end :])
        self.refuse_time_words(0, front=True)
        if self.key(self.last_word) in words.URGENT:
            raise BadWhen(
                f"*{self.toks[self.last_word].text}* is not one time I can set. Try `in 1 hour` or `today at 3pm`.",
                suggestion="in 1 hour",
            )
        tail = self.read_tail()
        if tail is not None:
            when, start = tail
            return when, re.sub(r"[\s,;:\-–—]+$", "", self.text[: self.toks[start].start])
        return None, self.text.strip()

    def read(self, i: int) -> tuple[list[_Piece], int] | None:
        """The pieces of a *when* starting at token i, and the index after them; None if none starts there."""
        pieces: list[_Piece] = []
        j = i
        while j < self.n:
            k = j + 1 if pieces and self.key(j) in (",", "(") else j
            try:
                piece = self.piece(k, pieces)
            except _Unread as error:
                if not pieces:
                    raise
                read = self.words_of(pieces[0].start, pieces[-1].end)
                raise BadWhen(
                    f"I read *{read}* but not *{error.typed}*{error.reason}. Try `{read} {error.fix}`.",
                    suggestion=f"{read} {error.fix}",
                ) from None
            if piece is None:
                break
            if self.key(k - 1) == "(" and self.key(piece.end) == ")":
                piece.end += 1  # "tomorrow (3pm)"
            self.merge(pieces, piece)
            j = piece.end
        if not pieces:
            return None
        if len(pieces) == 1 and pieces[0].weak and not self.ends(j) and self.word(j):
            return None  # "noon deploy failed", "morning report": a noun, not a time
        self.check_rest(j, pieces)
        return pieces, j

    def read_tail(self) -> tuple[When, int] | None:
        """A *when* that runs to the end of the text, as in "/remind me to call Acme tomorrow at 3pm"."""
        # The longest *when* is a few words ("by the end of the next week"): look no further back than that.
        for i in range(max(1, self.last_word - _TAIL_WORDS), self.n):
            if not self.word(i) or self.blocked(i):
                continue
            try:
                got = self.read(i)
                if got is None or not self.ends(got[1]) or not self.strong_tail(got[0], i):
                    continue
                when = self.build(got[0], i, got[1])
            except BadWhen:
                if self.strong_start(i):
                    raise  # "call back tomorrow 3ish", "ping me in 20": a time, half understood
                continue
            if _past_meaning(when):
                continue  # "what they said last friday": the note's story
            return when, i
        return None

    def strong_start(self, i: int) -> bool:
        """Whether token i can only begin a time: a day's name, or "in"/"at" and a number."""
        nxt = self.key(i + 1)
        if self.key(i) in ("in", "at", "@", "by") and _ascii_digits(nxt[:1]):
            return True
        return bool(self.day_word_at(i) or self.weekday_at(i))

    def blocked(self, i: int) -> bool:
        """Whether the word before a tail *when* makes it part of the note ("shipped on monday", "since friday")."""
        j = i - 1
        while j >= 0 and self.key(j) in _PREFIXES:
            j -= 1
        if j < 0:
            return False
        key = self.key(j)
        # "they shipped on monday" tells the note's story; "check it was fixed in 3 days" still sets the time.
        past_tense = key.endswith("ed") and len(key) > 4 and key not in _NOT_PAST_ED and self.key(i) != "in"
        return key in words.PAST_MARKERS or past_tense

    def strong_tail(self, pieces: list[_Piece], i: int) -> bool:
        if len(pieces) == 1 and pieces[0].weak:
            return False
        first = self.key(i)
        # "ticket 12/3", "version 2.30": numbers in a note, unless "on" or "by" says they are a date or time
        return not (_NUMERIC_DATE.fullmatch(self.toks[i].low) or _CLOCK_DOT.fullmatch(first))

    def merge(self, pieces: list[_Piece], piece: _Piece) -> None:
        slots = {p.slot: p for p in pieces}
        span = slots.get("span")
        clash = slots.get(piece.slot)
        if clash is None and piece.slot == "part" and "day" in slots and slots["day"].part is not None:
            clash = slots["day"]
        if clash is None and span is not None and (span.kind == "delay" or piece.slot == "day"):
            clash = span
        if clash is None and piece.slot == "span" and pieces and (piece.kind == "delay" or "day" in slots):
            clash = pieces[0]
        if clash is not None:
            first, second = self.words_of(clash.start, clash.end), self.words_of(piece.start, piece.end)
            raise BadWhen(
                f"I read *{first}* and then *{second}*: two different times. Pick one, like `{first}`.",
                suggestion=first,
            )
        pieces.append(piece)

    def check_rest(self, j: int, pieces: list[_Piece]) -> None:
        """Refuse a note that starts with a time-like word the *when* before it did not take ("3ish", "EST")."""
        read = self.words_of(pieces[0].start, pieces[-1].end)
        key = self.key(j)
        has_clock = any(p.slot in ("clock", "part") for p in pieces)
        if key in words.ZONES and (has_clock or len(key) > 2):
            raise BadWhen(
                f"I read *{read}* but not *{self.toks[j].text}*: times are read in your own Slack "
                f"timezone. Try `{read}` as your time.",
                suggestion=read,
            )
        if key in ("ish", "-ish") or _ishy(key):
            raise BadWhen(
                f"I read *{read}* but not *{self.toks[j].text}*: pick one time, like `{read}`.", suggestion=read
            )
        if key in _RANGE_WORDS and self.time_like(j + 1):
            raise BadWhen(
                f"I read *{read}* but then *{self.words_of(j, min(j + 3, self.n))}*: pick one time, like `{read}`.",
                suggestion=read,
            )
        w = next((k for k in range(j, self.n) if self.word(k)), self.n)
        if w > j and self.starts_piece(w):
            # "tomorrow: tonight", "Friday. Tomorrow …": a second time after punctuation is not a note
            raise BadWhen(
                f"I read *{read}* and then *{self.toks[w].text}*: two different times. Pick one, like `{read}`.",
                suggestion=read,
            )
        self.refuse_time_words(w, front=False)

    def starts_piece(self, i: int) -> bool:
        """Whether a *when* starts at token i, or one that would be refused."""
        try:
            return self.piece(i, []) is not None
        except BadWhen:
            return True

    def time_like(self, i: int) -> bool:
        """Whether a *when* (or a garbled one) starts at token i."""
        key = self.key(i)
        if key in ("so", "the") and self.key(i + 1) in ("", "day"):
            return True
        return key in words.NUMBER_WORDS or bool(_CLOCKISH.fullmatch(key)) or self.starts_piece(i)

    def refuse_time_words(self, i: int, *, front: bool) -> None:
        """Refuse repeating and vague phrases ("every monday", "asap", "3ish") at token i."""
        key, nxt = self.key(i), self.key(i + 1)
        text = self.toks[i].text if i < self.n else ""
        loose_end = self.ends(i + 1) or nxt in ("at", "@", "on", "this", "today", "tonight", "tomorrow")
        if key in words.RECURRING and (
            self.time_like(i + 1)
            or _ascii_digits(nxt[:1])  # "every 90000", "every 2nd tuesday": repeating, never a note's first words
            or nxt in ("other", "weekday", "day", "week", "month", "year", "hour", "morning", "evening")
        ):
            raise BadWhen(REPEATING, example=REPEATING_EXAMPLE)
        if key == "on" and nxt in words.WEEKDAY_PLURALS:
            key, loose_end = nxt, True
        if (key in words.RECURRING_ADVERBS or key in words.WEEKDAY_PLURALS) and (loose_end or self.time_like(i + 1)):
            raise BadWhen(REPEATING, example=REPEATING_EXAMPLE)
        if not front:
            return
        if key in words.VAGUE or (key == "later" and loose_end):
            raise BadWhen(
                f"*{text}* is not one time I can set. Try `in 1 hour`, `today at 3pm` or `tomorrow`.",
                suggestion="in 1 hour",
            )
        if m := _CLOCK_ISH.fullmatch(key):
            raise _Unread(text, ", which is not one time", f"at {_ish_guess(m)}")
        if _ishy(key):
            raise BadWhen(
                f"*{text}* is not one time I can set. Try `at 12pm` or `tomorrow at 3pm`.", suggestion="tomorrow at 3pm"
            )

    # ---- one piece at token i ----

    def piece(self, i: int, pieces: list[_Piece]) -> _Piece | None:
        if i >= self.n or not self.word(i):
            return None
        has_day = any(p.slot == "day" or (p.slot == "span" and p.kind != "delay") for p in pieces)
        if self.key(i) == "by":
            inner = self.piece(i + 1, pieces)
            if inner is not None:
                inner.start, inner.by, inner.weak = i, True, False
            return inner
        if self.key(i) in words.FILLERS and not pieces:
            inner = self.piece(i + 1, pieces)
            if inner is None or inner.slot != "day":
                return None
            inner.start = i  # "sometime tomorrow": that day, at its usual time
            return inner
        return self.span(i) or self.day_piece(i) or self.part_piece(i, has_day) or self.clock(i, has_day)

    # -- spans: "in 2 hours", "3 days from now", "2 days ago"

    def span(self, i: int) -> _Piece | None:
        key = self.key(i)
        if key in ("in", "within"):
            if self.key(i + 1) == "the":
                return None
            month = self.month_at(i + 1)
            if month and not self.day_number(i + 2):
                name = calendar.month_abbr[month[0]]
                raise BadWhen(
                    f"I read *{self.words_of(i, i + 2)}* but not which day. Try `{name} 1`.", suggestion=f"{name} 1"
                )
            got = self.amounts(i + 1, strict=True)
            if got is None:
                return None
            groups, end = got
            if self.key(end) == "from" and self.key(end + 1) in ("now", "today"):
                end += 2
            piece = self.span_piece(i, groups, end, sign=1)
            if self.key(end) == "or" and self.key(end + 1) == "so":
                piece.end = end + 2  # "in an hour or so": about an hour; the confirmation shows the time
                piece.notes.append(f"“{self.words_of(i, end + 2)}” as {self.words_of(i, end)}")
            return piece
        got = self.amounts(i, strict=False)
        if got is None:
            return None
        groups, end = got
        if self.key(end) == "from" and self.key(end + 1) in ("now", "today"):
            return self.span_piece(i, groups, end + 2, sign=1)
        if self.key(end) == "ago":
            return self.span_piece(i, groups, end + 1, sign=-1)
        after = end + 1 if self.key(end) in ("from", "on") else end
        if len(groups) == 1 and groups[0][1] == words.WEEK and groups[0][0] == int(groups[0][0]):
            weeks = int(groups[0][0])  # British: "a week tomorrow", "a week on friday", "2 weeks from monday"
            if (day := self.day_word_at(after)) and day[0] == "tomorrow":
                return _Piece(slot="span", start=i, end=after + 1, kind="days", amount=1 + 7 * weeks)
            if wd := self.weekday_at(after):
                return _Piece(slot="day", start=i, end=after + 1, kind="weekday", amount=wd[0], weeks=weeks)
        return None

    def amounts(self, j: int, *, strict: bool) -> tuple[list[tuple[float, int]], int] | None:
        """Amounts with units ("2 hours and 30 minutes", "2h30m", "an hour and a half"); (groups, end)."""
        groups: list[tuple[float, int]] = []
        while True:
            got = self.amount_group(j, strict=strict and not groups)
            if got is None:
                break
            groups.extend(got[0])
            j = got[1]
            if self.key(j) in ("and", "&", "+", ",") and self.amount_group(j + 1, strict=False) is not None:
                j += 1
        if not groups:
            return None
        if self.key(j) in ("time", "times"):  # "in 2 weeks time"
            j += 1
        return groups, j

    def amount_group(self, j: int, *, strict: bool) -> tuple[list[tuple[float, int]], int] | None:
        key = self.key(j)
        if not key:
            return None
        if (m := _GLUED_SPAN.fullmatch(key)) and m.group(2) in words.UNITS:
            first = (float(m.group(1)), words.UNITS[m.group(2)])
            if m.group(3) is None:
                return [first], j + 1
            unit = words.UNITS.get(m.group(4)) if m.group(4) else (words.MINUTE if first[1] == words.HOUR else None)
            if unit is None:
                raise self.bad_unit(j, key)
            return [first, (float(m.group(3)), unit)], j + 1
        if (m := _GLUED_SPAN.fullmatch(key)) and strict and _unit_like(m.group(2)) and not _CLOCKISH.fullmatch(key):
            raise self.bad_unit(j, key)
        value: float
        word_amount = False
        u = j + 1
        if _NUMBER.fullmatch(key):
            value = float(key)
        elif key in ("a", "an") or key in words.NUMBER_WORDS or key in ("couple", "half"):
            word_amount = True
            if key in ("a", "an") and self.key(j + 1) in words.VAGUE_COUNTS | {"few"} | {"mo"}:
                if strict:
                    raise self.vague_span(j)
                return None
            if key in ("a", "an") and self.key(j + 1) == "couple":
                j += 1
                key = "couple"
            if key == "couple":
                value, u = 2, j + 1
                if self.key(u) == "of":
                    u += 1
            elif key == "half" and self.key(j + 1) in ("an", "a"):
                value, u = 0.5, j + 2
            elif key == "half":
                return None
            elif key in ("a", "an") and self.key(j + 1) == "half":
                value, u = 0.5, j + 2
            else:
                value = float(words.NUMBER_WORDS.get(key, 1))
        elif key in ("few", "several", "some") and strict:
            raise self.vague_span(j)
        else:
            return None
        if self.key(u) == "and" and self.key(u + 1) == "a" and self.key(u + 2) == "half":
            value, u = value + 0.5, u + 3
        unit_key = self.key(u)
        if unit_key.endswith("'s") and self.key(u + 1) == "time":
            unit_key = unit_key[:-2]  # "in a week's time"
        if unit_key in words.WORKING and self.key(u + 1) in ("day", "days"):
            if value != int(value) or value < 0:
                raise BadWhen("Working days come whole: try `in 2 working days`.", suggestion="in 2 working days")
            return [(value, -2)], u + 2
        unit = words.UNITS.get(unit_key)
        if unit is None:
            if not strict or word_amount or (unit_key and not _unit_like(unit_key)):
                return None  # "in a meeting", "in 2 places": a note
            raise (
                self.bad_unit(u, unit_key)
                if unit_key
                else BadWhen(
                    f"*{self.words_of(j - 1, j + 1)}* what? Say minutes, hours, days or weeks, like `in 3 days`.",
                    suggestion="in 3 days",
                )
            )
        if unit == words.SECOND:
            raise BadWhen("Seconds are too soon for a follow-up: try `in 5 minutes`.", suggestion="in 5 minutes")
        end = u + 1
        if self.key(end) == "and" and self.key(end + 1) in ("a", "an") and self.key(end + 2) == "half":
            value, end = value + 0.5, end + 3
        return [(value, unit)], end

    def bad_unit(self, j: int, unit: str) -> BadWhen:
        guess = next(
            (
                name
                for name in ("minutes", "hours", "days", "weeks")
                if words.one_edit_apart(unit, name) or words.one_edit_apart(unit, name[:-1])
            ),
            None,
        )
        start = max(0, j - 2) if self.key(max(0, j - 2)) == "in" else max(0, j - 1)
        typed = self.words_of(start, j + 1)
        suggestion = f"in 3 {guess}" if guess else "in 3 days"
        if guess and (m := re.search(r"-?\d+(?:\.\d+)?", typed, re.ASCII)):
            suggestion = f"in {m.group(0)} {guess}"
        return BadWhen(
            f"*{typed}*: I can count minutes, hours, days and weeks, like `{suggestion}`.", suggestion=suggestion
        )

    def vague_span(self, j: int) -> BadWhen:
        typed = self.words_of(max(0, j - 1), min(self.n, j + 3))
        return BadWhen(
            f"*{typed}* is not one time I can set. Say how long, like `in 3 days` or `in 2 hours`.",
            suggestion="in 3 days",
        )

    def span_piece(self, i: int, groups: list[tuple[float, int]], end: int, *, sign: int) -> _Piece:
        typed = self.words_of(i, end)
        if any(unit == -2 for _, unit in groups):
            if len(groups) > 1:
                raise BadWhen(
                    f"*{typed}*: count working days on their own, like `in 3 working days`.",
                    suggestion="in 3 working days",
                )
            count = int(groups[0][0]) * sign
            if count == 0:
                raise BadWhen("“in 0 working days” is now. Try `in 2 working days`.", suggestion="in 2 working days")
            if count > MAX_AHEAD_DAYS:
                raise _too_far()
            return _Piece(slot="span", start=i, end=end, kind="working_days", amount=count)
        if any(unit < 0 for _, unit in groups):
            if not all(unit < 0 and value == int(value) for value, unit in groups):
                raise BadWhen(
                    f"*{typed}*: I count months whole and on their own. Try `in 2 months` or `in 6 weeks`.",
                    suggestion="in 2 months",
                )
            months = sign * int(sum(value * unit / words.MONTH for value, unit in groups))
            if months == 0:
                raise BadWhen(f"*{typed}* is now. Say how long from now, like `in 2 months`.", suggestion="in 2 months")
            if abs(months) > 12:
                raise _too_far()
            return _Piece(slot="span", start=i, end=end, kind="months", amount=months)
        minutes = sign * sum(value * unit for value, unit in groups)
        if minutes == 0:
            raise BadWhen(f"*{typed}* is now. Say how long from now, like `in 2 hours`.", suggestion="in 2 hours")
        if abs(minutes) > MAX_AHEAD_DAYS * words.DAY:
            raise _too_far()
        exact = any(unit < words.DAY for _, unit in groups) or minutes % words.DAY != 0
        if exact:
            return _Piece(slot="span", start=i, end=end, kind="delay", amount=round(minutes))
        return _Piece(slot="span", start=i, end=end, kind="days", amount=int(minutes) // words.DAY)

    # -- days: "tomorrow", "friday", "next week", "Dec 15", "12/15", "the 20th", "last friday"

    def day_piece(self, i: int) -> _Piece | None:
        key, nxt = self.key(i), self.key(i + 1)
        if key == "on":
            inner = self.day_piece(i + 1)
            if inner is None or inner.slot != "day":
                return None
            inner.start, inner.weak = i, False
            return inner
        if key in ("this", "coming", "next", "last"):
            return self.relative_day(i)
        if key in ("early", "start", "beginning", "mid", "midweek", "mid-week", "late") or key.startswith("mid-"):
            return self.rough_day(i)
        if key in ("after", "before", "until", "till", "til"):
            if key == "after" and nxt == "the" and self.key(i + 2) == "weekend":
                return _Piece(
                    slot="day",
                    start=i,
                    end=i + 3,
                    kind="next_week",
                    notes=[f"“{self.words_of(i, i + 3)}” as the first working day of next week"],
                )
            if key == "after" and nxt in words.LUNCH:
                return None
            if self.time_like(i + 1) and not _NUMBER.fullmatch(nxt):
                raise BadWhen(
                    f"I can't set *{self.words_of(i, min(i + 3, self.n))}*: pick one time, like "
                    "`tomorrow at 3pm` or `by friday`.",
                    suggestion="by friday",
                )
            return None
        if key == "later" and nxt in words.TODAY:
            return _Piece(slot="day", start=i, end=i + 2, kind="today")
        if key == "earlier" and nxt in words.TODAY:
            raise BadWhen(
                "*earlier today* is already past. Pick a time still ahead, like `in 1 hour`.", suggestion="in 1 hour"
            )
        if key in ("the", "week") and self.key(i + 1 if key == "week" else i + 2) == "after":
            j = i + 1 if key == "week" else i + 2
            if self.key(j + 1) == "next":
                typed = self.words_of(i, j + 2)
                return _Piece(
                    slot="day", start=i, end=j + 2, kind="week", weeks=2, notes=[f"“{typed}” as its first working day"]
                )
        if key in ("the", "day") or key == "overmorrow":
            got = self.day_after(i)
            if got is not None:
                return got
        if key in ("weekend", "the") and self.weekend_at(i):
            raise BadWhen(
                f"I read *{self.words_of(i, i + 2)}* but not which day. Try `saturday` or `monday`.",
                suggestion="monday",
            )
        if word := self.day_word_at(i):
            name, notes = word
            kind, amount, context, at = {
                "today": ("today", 0, "", None),
                "tonight": ("tonight", 0, "night", None),
                "tomorrow": ("days", 1, "", None),
                "yesterday": ("days", -1, "", None),
            }[name]
            return _Piece(slot="day", start=i, end=i + 1, kind=kind, amount=amount, context=context, at=at, notes=notes)
        if wd := self.weekday_at(i):
            return self.weekday_tail(i, i + 1, wd[0], wd[1], prefixed=False)
        return self.date_piece(i)

    def weekend_at(self, i: int) -> bool:
        j = i + 1 if self.key(i) == "the" else i
        return self.key(j) == "weekend" and (self.ends(j + 1) or not self.word(j + 1) or self.key(i) == "the")

    def day_after(self, i: int) -> _Piece | None:
        j = i + 1 if self.key(i) == "the" else i
        if self.key(i) == "overmorrow":
            return _Piece(slot="day", start=i, end=i + 1, kind="days", amount=2)
        if self.key(j) == "day" and self.key(j + 1) in ("after", "before"):
            target = self.day_word_at(j + 2)
            if target and target[0] in ("tomorrow", "yesterday"):
                amount = 2 if target[0] == "tomorrow" else -2
                return _Piece(slot="day", start=i, end=j + 3, kind="days", amount=amount)
        return None

    def relative_day(self, i: int) -> _Piece | None:
        key, j = self.key(i), i + 1
        if key == "this" and self.key(j) == "coming":
            j += 1
        typed = self.words_of(i, j + 1)
        if wd := self.weekday_at(j):
            if key == "last":
                return _Piece(slot="day", start=i, end=j + 1, kind="weekday", amount=wd[0], weeks=-1)
            if key == "next":
                name = words.WEEKDAY_NAMES[wd[0]].capitalize()
                notes = [*wd[1], f"“{typed}” as the {name} of next week"]
                return _Piece(slot="day", start=i, end=j + 1, kind="week_weekday", amount=wd[0], weeks=1, notes=notes)
            return self.weekday_tail(i, j + 1, wd[0], wd[1], prefixed=True)
        nxt = self.key(j)
        if key == "this" and (part := self.part_at(j)):
            name, notes = part
            at, context = words.PARTS[name]
            part_piece = _Piece(
                slot="part",
                start=j,
                end=j + 1,
                at=at,
                context=context,
                notes=notes,
                part_note=f"“{name}” as {_hm(at.hour, at.minute)}",
            )
            return _Piece(slot="day", start=i, end=j + 1, kind="today", part=part_piece)
        if key == "last" and nxt == "night":
            return _Piece(slot="day", start=i, end=j + 1, kind="days", amount=-1, at=words.TONIGHT_TIME)
        if nxt == "week":
            if key == "next":
                k = j + 1
                if self.key(k) in ("on", ","):
                    k += 1
                if wd := self.weekday_at(k):
                    return _Piece(
                        slot="day", start=i, end=k + 1, kind="week_weekday", amount=wd[0], weeks=1, notes=wd[1]
                    )
                return _Piece(slot="day", start=i, end=j + 1, kind="next_week")
            if key == "last":
                return _Piece(slot="day", start=i, end=j + 1, kind="week", weeks=-1)
            if key == "this":
                raise BadWhen(
                    "I read *this week* but not which day. Try `friday` or `end of week`.", suggestion="end of week"
                )
        if nxt == "month" and key in ("next", "last"):
            amount = 1 if key == "next" else -1
            notes = [f"“{typed}” as its first working day"] if key == "next" else []
            return _Piece(slot="day", start=i, end=j + 1, kind="month_start", amount=amount, notes=notes)
        if nxt in ("weekend", "year", "quarter", "month", "semester") and key in ("this", "next", "last"):
            raise BadWhen(
                f"I read *{typed}* but not which day. Try a day, like `friday` or `Dec 15`.", suggestion="friday"
            )
        return None

    def rough_day(self, i: int) -> _Piece | None:
        key = self.key(i)
        j = i + 1
        if key in ("start", "beginning") and self.key(j) == "of":
            j += 1
        if self.key(j) == "next" and self.key(j + 1) == "week" and key in ("early", "start", "beginning"):
            typed = self.words_of(i, j + 2)
            return _Piece(
                slot="day",
                start=i,
                end=j + 2,
                kind="next_week",
                notes=[f"“{typed}” as the first working day of next week"],
            )
        tail = key.split("-", 1)[1] if key.startswith("mid-") else ""
        target = self.key(j + 1) if self.key(j) in ("next", "this", "the") else self.key(j)
        if target in ("week", "month") or target in words.MONTHS or tail in words.MONTHS or key == "midweek":
            raise BadWhen(
                f"*{self.words_of(i, min(i + 3, self.n))}* is not one time I can set. Pick a day, like "
                "`wednesday` or `Dec 15`.",
                suggestion="wednesday",
            )
        return None

    def weekday_tail(self, start: int, j: int, weekday: int, notes: list[str], *, prefixed: bool) -> _Piece | None:
        """A weekday and what may follow it: "next week", "this week", "after next", or the date it falls on."""
        key = self.key(j)
        if not prefixed and self.key(start) in words.AMBIGUOUS_WEEKDAYS:
            follows_time = self.ends(j) or not self.word(j) or key in ("next", "this", "at", "@", "am", "pm", "eod")
            if not follows_time and not self.time_like(j):
                return None  # "sat down with their CTO"
        if key == "next" and self.key(j + 1) == "week":
            return _Piece(slot="day", start=start, end=j + 2, kind="week_weekday", amount=weekday, weeks=1, notes=notes)
        if key == "this" and self.key(j + 1) == "week":
            return _Piece(slot="day", start=start, end=j + 2, kind="week_weekday", amount=weekday, notes=notes)
        if key == "after" and self.key(j + 1) == "next":
            return _Piece(slot="day", start=start, end=j + 2, kind="weekday", amount=weekday, weeks=1, notes=notes)
        if key == "week" and not _ascii_digits(self.key(j + 1)[:1]):
            name = words.WEEKDAY_NAMES[weekday].capitalize()
            notes = [*notes, f"“{self.words_of(start, j + 1)}” as the {name} after the coming one"]
            return _Piece(slot="day", start=start, end=j + 1, kind="weekday", amount=weekday, weeks=1, notes=notes)
        k = j + 1 if key == "," else j
        dated = self.date_piece(k)
        if dated is None and (m := _DAY_NUMBER.fullmatch(self.key(k))) and m.group(2) and 1 <= int(m.group(1)) <= 31:
            dated = _Piece(slot="day", start=k, end=k + 1, kind="day_of_month", amount=int(m.group(1)))
        if dated is not None:
            dated.start = start
            dated.notes = notes + dated.notes
            if dated.kind == "date" and dated.day is not None and dated.day.weekday() != weekday:
                day = dated.day
                raise BadWhen(
                    f"*{self.words_of(start, dated.end)}*: {day.day} {day:%b} is a {day:%A}, not a "
                    f"{words.WEEKDAY_NAMES[weekday].capitalize()}. Try `{day:%A} {day.day} {day:%b}`.",
                    suggestion=f"{day:%b} {day.day}",
                )
            dated.weekday_check = weekday
            return dated
        return _Piece(slot="day", start=start, end=j, kind="weekday", amount=weekday, notes=notes)

    def day_number(self, i: int) -> int | None:
        m = _DAY_NUMBER.fullmatch(self.key(i))
        return int(m.group(1)) if m and 1 <= int(m.group(1)) <= 31 else None

    def year_at(self, i: int) -> tuple[int, int] | None:
        """A year after a date ("Dec 15 2026", "Dec 15, 2026"); (year, index after it)."""
        j = i + 1 if self.key(i) == "," else i
        m = _YEAR.fullmatch(self.key(j))
        return (int(m.group(1)), j + 1) if m else None

    def date_piece(self, i: int) -> _Piece | None:
        tok = self.toks[i] if i < self.n else None
        if tok is None or tok.punct:
            return None
        key = tok.key
        if m := _ISO.fullmatch(key):
            return self.dated(i, i + 1, int(m.group(1)), int(m.group(2)), int(m.group(3)), typed=tok.text)
        if (m := _NUMERIC_DATE.fullmatch(tok.low)) and key not in ("24/7", "9/11"):
            a, sep, b, year, dot = int(m.group(1)), m.group(2), int(m.group(3)), m.group(4), m.group(5)
            if sep == "." and not year and not dot:
                return None  # "9.30" is a time
            month, day = (a, b) if self.order == "MDY" else (b, a)
            full_year = (2000 + int(year) if len(year) == 2 else int(year)) if year else None
            if not _valid_day(full_year, month, day):
                other = (b, a) if self.order == "MDY" else (a, b)
                order = "month/day" if self.order == "MDY" else "day/month"
                hint = f"{calendar.month_abbr[other[0]]} {other[1]}" if _valid_day(full_year, *other) else "Dec 15"
                raise BadWhen(
                    f"*{tok.text}* is not a date in this workspace's {order} order. Try `{hint}`.", suggestion=hint
                )
            piece = self.dated(i, i + 1, full_year, month, day, typed=tok.text)
            if a != b and a <= 12 and b <= 12:
                piece.notes.append(f"“{tok.text}” as {'month/day' if self.order == 'MDY' else 'day/month'}")
            return piece
        if key == "the" and (number := self.day_number(i + 1)) is not None:
            j = i + 2
            if self.key(j) == "of" and self.month_at(j + 1):
                j += 1
            if named := self.month_at(j):
                return self.month_day(i, j + 1, named[0], number, named[1])
            if _DAY_NUMBER.fullmatch(self.key(i + 1)) and self.key(i + 1)[-2:].isalpha():
                # weak: "the 5th invoice bounced" is a note; "the 5th", "the 5th at 3pm", "on the 5th" are times
                return _Piece(slot="day", start=i, end=i + 2, kind="day_of_month", amount=number, weak=True)
            return None
        if (number := self.day_number(i)) is not None:
            j = i + 1
            if self.key(j) == "of" and self.month_at(j + 1):
                j += 1
            if named := self.month_at(j):
                return self.month_day(i, j + 1, named[0], number, named[1])
            return None
        if named := self.month_at(i):
            j = i + 1
            if self.key(j) == "the":
                j += 1
            if (number := self.day_number(j)) is not None:
                return self.month_day(i, j + 1, named[0], number, named[1])
        return None

    def month_day(self, i: int, j: int, month: int, day: int, notes: list[str]) -> _Piece:
        year = self.year_at(j)
        if year is not None:
            piece = self.dated(i, year[1], year[0], month, day, typed=self.words_of(i, year[1]))
        else:
            if not _valid_day(None, month, day):
                raise _not_a_date(self.words_of(i, j))
            piece = _Piece(slot="day", start=i, end=j, kind="month_day", month=month, amount=day)
        piece.notes = notes + piece.notes
        return piece

    def dated(self, i: int, j: int, year: int | None, month: int, day: int, *, typed: str) -> _Piece:
        if year is None:
            if not _valid_day(None, month, day):
                raise _not_a_date(typed)
            return _Piece(slot="day", start=i, end=j, kind="month_day", month=month, amount=day)
        if not 1 <= year <= 9999 or not _valid_day(year, month, day):
            raise _not_a_date(typed)
        return _Piece(slot="day", start=i, end=j, kind="date", day=date(year, month, day))

    # -- parts of the day: "morning", "EOD", "end of week", "first thing", "noon", "midnight"

    def part_piece(self, i: int, has_day: bool) -> _Piece | None:
        key, nxt = self.key(i), self.key(i + 1)
        if key in ("at", "@"):
            inner = self.part_piece(i + 1, True)
            if inner is None or inner.slot != "part" or self.key(i + 1) in ("in", "first"):
                return None
            inner.start, inner.weak = i, False
            return inner
        if key == "in" and nxt == "the" and (part := self.part_at(i + 2)):
            return self.part_of_day(i, i + 3, part[0], part[1], weak=False)
        if key == "in" and nxt == "the" and self.key(i + 2) in _AMPM:
            name = "morning" if _AMPM[self.key(i + 2)] == "am" else "afternoon"
            return self.part_of_day(i, i + 3, name, [], weak=False)
        if key == "the" and nxt in ("end", "close") and self.key(i + 2) == "of":
            inner = self.end_of(i + 1)
            if inner is not None:
                inner.start = i
            return inner
        if key == "first" and nxt == "thing":
            end = i + 2
            if self.key(end) == "in" and self.key(end + 1) == "the" and self.key(end + 2) == "morning":
                end += 3
            return _Piece(
                slot="part",
                start=i,
                end=end,
                anchor="start",
                context="am",
                part_note=f"“{self.words_of(i, end)}” as the start of the working day",
            )
        if key == "after" and nxt in words.LUNCH:
            return _Piece(
                slot="part",
                start=i,
                end=i + 2,
                at=time(13, 0),
                context="pm",
                part_note=f"“{self.words_of(i, i + 2)}” as 13:00",
            )
        if key in words.EOD:
            return self.end_of_day(i, i + 1)
        if key in words.EOW:
            return _Piece(slot="day", start=i, end=i + 1, kind="end_of_week", anchor="end")
        if key in words.EOM:
            return _Piece(slot="day", start=i, end=i + 1, kind="end_of_month", anchor="end")
        if key in ("end", "close") and nxt == "of":
            return self.end_of(i)
        if part := self.part_at(i):
            if part[0] == "night" and not has_day:
                return None
            return self.part_of_day(i, i + 1, part[0], part[1], weak=not has_day)
        if has_day and key in _AMPM:
            name = "morning" if _AMPM[key] == "am" else "afternoon"
            return self.part_of_day(i, i + 1, name, [], weak=False)
        if key in words.NOON or (key == "12" and nxt in words.NOON):
            end = i + 2 if key == "12" else i + 1
            return _Piece(slot="part", start=i, end=end, at=time(12, 0), weak=not has_day)
        if key == "midnight":
            return _Piece(
                slot="part",
                start=i,
                end=i + 1,
                anchor="midnight",
                weak=not has_day,
                part_note=f"“{self.toks[i].text}” as the 00:00 that ends the day",
            )
        if key in words.LUNCH:
            return _Piece(
                slot="part",
                start=i,
                end=i + 1,
                at=time(12, 0),
                weak=not has_day,
                part_note=f"“{self.toks[i].text}” as 12:00",
            )
        return None

    def part_of_day(self, i: int, end: int, name: str, notes: list[str], *, weak: bool) -> _Piece:
        at, context = words.PARTS[name]
        return _Piece(
            slot="part",
            start=i,
            end=end,
            at=at,
            context="night" if name == "night" else context,
            weak=weak,
            notes=notes,
            part_note=f"“{name}” as {_hm(at.hour, at.minute)}",
        )

    def end_of_day(self, i: int, end: int) -> _Piece:
        return _Piece(
            slot="part",
            start=i,
            end=end,
            anchor="end",
            part_note=f"“{self.words_of(i, end)}” as the end of the working day",
        )

    def end_of(self, i: int) -> _Piece | None:
        """ "end of day", "close of business", "end of the week", "end of next month", "end of friday"."""
        j = i + 2
        if self.key(j) in ("the", "this"):
            j += 1
        key = self.key(j)
        if key in ("day", "business", "play", "biz") or (
            key in ("working", "work", "business") and self.key(j + 1) == "day"
        ):
            end = j + 2 if self.key(j + 1) == "day" and key != "day" else j + 1
            return self.end_of_day(i, end)
        if self.day_word_at(j) or self.weekday_at(j):
            return self.end_of_day(i, i + 2)  # "end of friday": the day piece follows
        weeks = 0
        if key == "next":
            weeks, j = 1, j + 1
            key = self.key(j)
        if key == "week":
            return _Piece(slot="day", start=i, end=j + 1, kind="end_of_week", weeks=weeks, anchor="end")
        if key == "month":
            return _Piece(slot="day", start=i, end=j + 1, kind="end_of_month", amount=weeks, anchor="end")
        if self.month_at(j) or key in ("year", "quarter"):
            raise BadWhen(
                f"I read *{self.words_of(i, j + 1)}* but not which day. Try a date, like `Dec 31`.", suggestion="Dec 31"
            )
        return None

    # -- clock times: "3pm", "15:00", "at 3", "half past 2", "2-3pm"

    def clock(self, i: int, has_day: bool, *, via_at: bool = False) -> _Piece | None:
        tok = self.toks[i] if i < self.n else None
        if tok is None or tok.punct:
            return None
        key, nxt = tok.key, self.key(i + 1)
        if key in ("at", "@") and not via_at:
            inner = self.clock(i + 1, has_day, via_at=True)
            if inner is not None:
                inner.start = i
                return inner
            if _ascii_digits(nxt[:1]):
                raise _Unread(self.words_of(i, i + 2), " as a time", "at 9am")
            if nxt in words.UNREAD_TIMES:
                raise _Unread(self.words_of(i, i + 2), ": I can't tell what time that is", "at 4pm")
            return None
        if key in _ABOUT and not via_at:
            inner = self.clock(i + 1, has_day, via_at=True) or self.part_piece(i + 1, True)
            if inner is not None and inner.slot in ("clock", "part") and not inner.weak:
                inner.start = i
                return inner
            return None
        if key in ("half", "quarter") and nxt in ("past", "after", "to", "til", "of"):
            hour = self.hour_word(i + 2)
            if hour is None:
                return None
            minute = 30 if key == "half" else 15
            if nxt in ("to", "til", "of"):
                if key == "half":
                    return None
                hour, minute = (hour - 1) or 12, 45
            return self.finish_clock(i, i + 3, hour, minute, "", padded=False)
        if m := _CLOCK_ISH.fullmatch(key):
            raise _Unread(tok.text, ", which is not one time", f"at {_ish_guess(m)}")
        if (m := _CLOCK_RANGE.fullmatch(key)) and (via_at or has_day or m.group(3) or m.group(6)):
            start_h, start_m = int(m.group(1)), int(m.group(2) or 0)
            end_h, ampm = int(m.group(4)), m.group(3) or ""
            if not ampm and m.group(6):
                ampm = m.group(6) if start_h <= end_h or start_h == 12 else ("am" if m.group(6) == "pm" else "pm")
            piece = self.finish_clock(i, i + 1, start_h, start_m, ampm, padded=m.group(1).startswith("0"))
            piece.notes.append(f"“{tok.text}” as its start")
            return piece
        if m := _CLOCK_AMPM.fullmatch(key):
            if m.group(3) in ("a", "p") and not (via_at or has_day):
                return None  # "5a" alone is not a time people type at the front
            return self.finish_clock(i, i + 1, int(m.group(1)), int(m.group(2) or 0), m.group(3)[0] + "m", padded=False)
        if (m := _CLOCK_COLON.fullmatch(key)) or (
            (m := _CLOCK_DOT.fullmatch(key)) and (via_at or has_day or nxt in _AMPM)
        ):
            ampm = _AMPM.get(nxt, "")
            end = i + 2 if ampm else i + 1
            return self.finish_clock(
                i,
                end,
                int(m.group(1)),
                int(m.group(2)),
                ampm,
                padded=m.group(1).startswith("0") or int(m.group(1)) == 0,
            )
        if (m := _CLOCK_H.fullmatch(key)) and (via_at or has_day):
            return self.finish_clock(i, i + 1, int(m.group(1)), int(m.group(2) or 0), "", padded=True)
        if _ascii_digits(key) and len(key) <= 2:
            hour = int(key)
            if nxt in _AMPM:
                return self.finish_clock(i, i + 2, hour, 0, _AMPM[nxt], padded=False)
            if nxt in _OCLOCK and 1 <= hour <= 12:
                return self.finish_clock(i, i + 2, hour, 0, "", padded=False)
            if (via_at or has_day) and hour <= 23 and not (not via_at and self.counts_follow(i + 1)):
                return self.finish_clock(i, i + 1, hour, 0, "", padded=len(key) == 2 and key[0] == "0")
            return None
        if key in words.NUMBER_WORDS and words.NUMBER_WORDS[key] <= 12 and (via_at or nxt in _OCLOCK):
            end = i + 2 if nxt in _OCLOCK else i + 1
            if self.key(end) in _AMPM:
                return self.finish_clock(i, end + 1, words.NUMBER_WORDS[key], 0, _AMPM[self.key(end)], padded=False)
            return self.finish_clock(i, end, words.NUMBER_WORDS[key], 0, "", padded=False)
        if (via_at or has_day) and (m := _HHMM.fullmatch(key)) and not _YEAR.fullmatch(key):
            # "0900", "1500": a 24-hour time without its colon
            return self.finish_clock(
                i, i + 1, int(m.group(1)), int(m.group(2)), _AMPM.get(nxt, ""), padded=key[0] == "0"
            )
        if via_at and re.fullmatch(r"\d{3,4}", key, re.ASCII):
            raise _Unread(f"at {tok.text}", " as a time", f"at {key[:-2]}:{key[-2:]}")
        return None

    def hour_word(self, i: int) -> int | None:
        key = self.key(i)
        if _ascii_digits(key) and 1 <= int(key) <= 12:
            return int(key)
        value = words.NUMBER_WORDS.get(key)
        return value if value is not None and 1 <= value <= 12 else None

    def counts_follow(self, j: int) -> bool:
        """Whether the word after a bare number makes it a count ("2 invoices", "10 licences", "3 days")."""
        key = self.key(j)
        if not key or not self.word(j):
            return False
        if key in words.UNITS or key in words.MONTHS or _ascii_digits(key) or key in words.NUMBER_WORDS:
            return True
        return key.isalpha() and key.endswith("s") and len(key) >= 3 and key not in _NOT_COUNTS

    def finish_clock(self, i: int, end: int, hour: int, minute: int, ampm: str, *, padded: bool) -> _Piece:
        typed = self.words_of(i, end)
        if ampm and not 1 <= hour <= 12 or hour > 23 or minute > 59:
            raise _Unread(typed, ", which is not a time of day", "at 9am")
        while self.key(end) in _OCLOCK or self.key(end) == "sharp":
            end += 1
        if self.key(end) in words.OWN_ZONE and self.key(end + 1) == "time":
            end += 2
        return _Piece(slot="clock", start=i, end=end, hour=hour, minute=minute, ampm=ampm, padded=padded)

    # ---- the pieces, put together ----

    def build(self, pieces: list[_Piece], i: int, end: int) -> When:
        typed = self.words_of(i, end)
        slots = {p.slot: p for p in pieces}
        span, day, clock = slots.get("span"), slots.get("day"), slots.get("clock")
        part = slots.get("part") or (day.part if day is not None else None)
        notes = [note for p in pieces for note in p.notes] + (day.part.notes if day and day.part else [])
        context = (part.context if part else "") or (day.context if day else "")
        at: time | None = None
        anchor, bare = "", False
        if clock is not None:
            at, anchor, bare = self.clock_time(clock, context, part)
            if bare:
                notes.append(
                    f"“{self.words_of(clock.start, clock.end)}” as {_hm(at.hour, at.minute)}"
                    if at
                    else f"“{self.words_of(clock.start, clock.end)}” as midnight"
                )
        elif part is not None:
            at, anchor = part.at, part.anchor
            if part.part_note:
                notes.append(part.part_note)
        elif day is not None:
            at, anchor = day.at, day.anchor
        if any(p.by for p in pieces) and at is None and not anchor and (span is None or span.kind != "delay"):
            notes.append(f"“{typed}” as 09:00 that day")
        fields = {"at": at, "anchor": anchor, "bare_hour": bare, "text": typed, "assumptions": tuple(notes)}
        if span is not None:
            return When(kind=span.kind, amount=span.amount, **fields)  # type: ignore[arg-type]
        if day is not None:
            return When(
                kind=day.kind,
                amount=day.amount,
                day=day.day,
                weeks=day.weeks,
                month=day.month,
                weekday_check=day.weekday_check,
                **fields,  # type: ignore[arg-type]
            )
        if anchor == "end":
            return When(kind="today", **fields)  # type: ignore[arg-type]  # "EOD" is today's
        return When(kind="clock", **fields)  # type: ignore[arg-type]

    def clock_time(self, clock: _Piece, context: str, part: _Piece | None) -> tuple[time | None, str, bool]:
        """The wall-clock time a typed clock means with the part of the day around it; (time, anchor, bare)."""
        hour, minute = clock.hour, clock.minute
        typed = self.words_of(clock.start, clock.end)
        part_words = self.words_of(part.start, part.end) if part is not None else ""
        conflict = BadWhen(
            f"I read *{part_words}* and *{typed}*: two different times. Pick one, like `{typed}`.", suggestion=typed
        )
        part_ampm = "pm" if context == "night" else context
        if part is not None and not part.context:
            raise conflict  # "noon at 3pm", "EOD at 3pm": the part already names a time
        if clock.ampm:
            if part is not None and part_ampm and part_ampm != clock.ampm:
                raise conflict
            return time(hour % 12 + (12 if clock.ampm == "pm" else 0), minute), "", False
        if clock.padded or hour == 0 or hour >= 13:
            if part is not None and part_ampm and (hour >= 12) != (part_ampm == "pm"):
                raise conflict
            return time(hour, minute), "", False
        if context == "night" and hour == 12:
            return None, "midnight", True
        if part_ampm == "pm" or (not part_ampm and 1 <= hour <= 7):
            return time(hour if hour == 12 else hour + 12, minute), "", True
        return time(hour, minute), "", True


def _ishy(key: str) -> bool:
    """ "noon-ish", "tomorrowish", "3pmish": a time word made vague."""
    m = _ISHY.fullmatch(key)
    if m is None:
        return False
    stem = m.group(1)
    return (
        stem in words.NOON
        or stem in words.PARTS
        or stem in words.EOD
        or stem in words.WEEKDAYS
        or stem in ("midnight", "lunch", "today", "tonight", "tomorrow", "later")
        or bool(_CLOCKISH.fullmatch(stem))
    )


def _ish_guess(match: re.Match[str]) -> str:
    """ "3ish" -> "3pm", "10ish" -> "10am": the hour as a bare hour reads, with its minutes."""
    hour, minute = int(match.group(1)), match.group(2)
    ampm = {"a": "am", "p": "pm"}.get(match.group(3) or "", match.group(3)) or ("pm" if 1 <= hour <= 7 else "am")
    return f"{hour}{':' + minute if minute else ''}{ampm}" if 1 <= hour <= 12 else f"{hour}:{minute or '00'}"


def _ascii_digits(text: str) -> bool:
    """Digits 0-9 only (not "¹" or "٣", which `str.isdigit` also accepts)."""
    return text.isascii() and text.isdigit()


def _unit_like(word: str) -> bool:
    """Whether a word after "in N" is a unit, perhaps misspelt ("dayz", "hrz"), rather than a noun ("places")."""
    return len(word) <= 2 or any(len(unit) >= 3 and words.one_edit_apart(word, unit) for unit in words.UNITS)


def _past_meaning(when: When) -> bool:
    """Whether a *when* can only be in the past ("yesterday", "last friday", "2 days ago")."""
    if when.kind in ("delay", "days", "months", "month_start"):
        return when.amount < 0
    return when.kind in ("weekday", "week") and when.weeks < 0


def _not_a_date(typed: str) -> BadWhen:
    return BadWhen(f"*{typed}* is not a real date. Try one like `Dec 15` or `2026-12-15`.", suggestion="Dec 15")


def _too_far() -> BadWhen:
    return BadWhen("That is more than a year away. Pick a date within the next year.", suggestion="Dec 15")
