"""The words the *when* grammar reads: day and month names with their short forms and common typos, number words,
units, parts of the day, and the words that look like a time but are not one time (vague, repeating, other zones).

Only data and one spelling-distance function; the grammar is in `bot.domain.when_grammar`.
"""

from __future__ import annotations

from datetime import time
from functools import lru_cache

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)

WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "weds": 2,
    "wednes": 2,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thr": 3,
    "thrs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
    # Misspellings further than one letter from the name, as people type them.
    "wensday": 2,
    "wendsday": 2,
    "wedensday": 2,
    "wednseday": 2,
    "wendesday": 2,
    "thirsday": 3,
    "thurday": 3,
    "teusday": 1,
    "tuseday": 1,
    "saterday": 5,
    "satruday": 5,
    "fryday": 4,
}
# Short forms that are also English words or names ("sat down", "Sun Corp"): a day only when what
# follows is a time, a date, punctuation or the end, or when a word like "on" or "next" comes before.
AMBIGUOUS_WEEKDAYS = frozenset({"sat", "sun", "wed", "thr"})
WEEKDAY_PLURALS = frozenset(name + "s" for name in WEEKDAY_NAMES) | {"weekdays", "weekends"}

MONTHS: dict[str, int] = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "febuary": 2,
    "feburary": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}

# Short forms read as the word they stand for, before anything else ("nxt wk", "this eve", "b4 friday").
ALIASES: dict[str, str] = {
    "nxt": "next",
    "wk": "week",
    "eve": "evening",
    "b4": "before",
    "2mins": "2min",
    "tmrrw": "tomorrow",
    "mins.": "mins",
    "wknd": "weekend",
}

TODAY = frozenset({"today", "tdy", "2day"})
TONIGHT = frozenset({"tonight", "tonite", "2nite", "2night", "tnight"})
TOMORROW = frozenset(
    {
        "tomorrow",
        "tmrw",
        "tmr",
        "tmrow",
        "tmw",
        "tmro",
        "tomo",
        "tomoz",
        "2moro",
        "2morrow",
        "2mrw",
        "2mro",
        "tommorow",
        "tommorrow",
        "tomorow",
        "tomorro",
        "tommorro",
        "tomrrow",
        "tomorrw",
        "tomrow",
    }
)
YESTERDAY = frozenset({"yesterday", "yday", "yest", "ystd", "yesterdy"})

NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fortyfive": 45,
    "forty-five": 45,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
}
VAGUE_COUNTS = frozenset({"few", "several", "some", "bit", "while", "moment", "jiffy", "sec", "tick", "mo"})

MINUTE, HOUR, DAY, WEEK = 1, 60, 1440, 10080
MONTH = -1  # a calendar month: not a fixed number of minutes
SECOND = 0  # too short for a follow-up
UNITS: dict[str, int] = {
    "m": MINUTE,
    "min": MINUTE,
    "mins": MINUTE,
    "minute": MINUTE,
    "minutes": MINUTE,
    "mn": MINUTE,
    "mnt": MINUTE,
    "mnts": MINUTE,
    "minuts": MINUTE,
    "minites": MINUTE,
    "h": HOUR,
    "hr": HOUR,
    "hrs": HOUR,
    "hour": HOUR,
    "hours": HOUR,
    "hous": HOUR,
    "hoursr": HOUR,
    "houre": HOUR,
    "d": DAY,
    "day": DAY,
    "days": DAY,
    "dy": DAY,
    "dys": DAY,
    "w": WEEK,
    "wk": WEEK,
    "wks": WEEK,
    "week": WEEK,
    "weeks": WEEK,
    "weeeks": WEEK,
    "fortnight": 2 * WEEK,
    "fortnights": 2 * WEEK,
    "mo": MONTH,
    "mos": MONTH,
    "mth": MONTH,
    "mths": MONTH,
    "month": MONTH,
    "months": MONTH,
    "y": 12 * MONTH,
    "yr": 12 * MONTH,
    "yrs": 12 * MONTH,
    "year": 12 * MONTH,
    "years": 12 * MONTH,
    "s": SECOND,
    "sec": SECOND,
    "secs": SECOND,
    "second": SECOND,
    "seconds": SECOND,
}
WORKING = frozenset({"working", "business", "work", "workdays"})

# Parts of the day: the time they stand for, and how they read a bare hour ("tonight at 8" is 20:00).
PARTS: dict[str, tuple[time, str]] = {
    "morning": (time(9, 0), "am"),
    "afternoon": (time(14, 0), "pm"),
    "arvo": (time(14, 0), "pm"),
    "evening": (time(18, 0), "pm"),
    "night": (time(19, 0), "pm"),
}
TONIGHT_TIME = time(19, 0)
NOON = frozenset({"noon", "midday", "mid-day"})
LUNCH = frozenset({"lunch", "lunchtime"})
# Times of day people name that Rapport does not guess at: refused with a suggestion, never put into the note.
UNREAD_TIMES = frozenset(
    {
        "teatime",
        "tea",
        "breakfast",
        "brunch",
        "dinner",
        "dinnertime",
        "supper",
        "dawn",
        "dusk",
        "sunrise",
        "sunset",
        "elevenses",
        "happy",
    }
)

EOD = frozenset({"eod", "cob", "eob", "eop", "eodt", "end-of-day", "e.o.d", "c.o.b"})
EOW = frozenset({"eow", "end-of-week", "e.o.w"})
EOM = frozenset({"eom", "end-of-month", "e.o.m"})

# Words for "some time, not one time": refused with a suggestion.
VAGUE = frozenset(
    {
        "soon",
        "asap",
        "a.s.a.p",
        "sometime",
        "someday",
        "eventually",
        "whenever",
        "shortly",
        "anytime",
        "soonish",
        "laterish",
    }
)
URGENT = frozenset({"asap", "a.s.a.p", "urgently"})  # refused at the end of a note too ("reply to Dana asap")
FILLERS = frozenset({"sometime", "anytime"})  # "sometime tomorrow" is tomorrow
RECURRING = frozenset({"every", "each", "everyday"})
RECURRING_ADVERBS = frozenset({"daily", "weekly", "monthly", "fortnightly", "biweekly", "hourly", "nightly"})

# Zone names after a time: Rapport reads times in the owner's own Slack timezone, so another zone is refused.
ZONES = frozenset(
    {
        "utc",
        "gmt",
        "z",
        "est",
        "edt",
        "cst",
        "cdt",
        "mst",
        "mdt",
        "pst",
        "pdt",
        "akst",
        "hst",
        "cet",
        "cest",
        "eet",
        "eest",
        "wet",
        "west",
        "bst",
        "ist",
        "aest",
        "aedt",
        "acst",
        "awst",
        "nzst",
        "nzdt",
        "jst",
        "kst",
        "sgt",
        "hkt",
        "eastern",
        "pacific",
        "central",
        "mountain",
        "et",
        "pt",
        "ct",
        "mt",
    }
)
OWN_ZONE = frozenset({"local", "my", "your", "our"})

# Words before a *when* at the end of a note that mean the time is part of the note's story, not the due time
# ("the fix they shipped on monday"). Words ending in "-ed" count too.
PAST_MARKERS = frozenset(
    {
        "since",
        "from",
        "until",
        "till",
        "til",
        "after",
        "before",
        "of",
        "ago",
        "than",
        "last",
        "every",
        "each",
        "said",
        "sent",
        "told",
        "went",
        "came",
        "had",
        "did",
        "made",
        "got",
        "paid",
        "ran",
        "saw",
        "spoke",
        "wrote",
        "met",
        "left",
        "lost",
        "broke",
        "took",
        "gave",
        "found",
        "thought",
        "bought",
        "brought",
        "heard",
        "held",
        "kept",
        "put",
        "was",
        "were",
        "began",
        "felt",
        "fell",
        "forgot",
        "knew",
        "meant",
        "rang",
        "sold",
        "spent",
        "stood",
        "understood",
        "won",
        "is",
        "are",
        "be",
        "between",
    }
)

# Real words one letter away from a day or month name: never read as a misspelt one.
_NOT_TYPOS = frozenset(
    {
        "sundry",
        "sundae",
        "fridays",
        "mondays",
        "tuesdays",
        "thursdays",
        "saturdays",
        "sundays",
        "wednesdays",
        "tonights",
        "mourning",
        "mayday",
        "junes",
        "octobers",
        "monday's",
        "friday's",
        "tomorrow's",
        "tonight's",
        "today's",
        "yesterday's",
    }
)
# The names a word may be a misspelling of (only words of 6 letters or more: shorter ones collide with real words).
TYPO_TARGETS: dict[str, str] = {
    **{name: "weekday" for name in WEEKDAY_NAMES},
    **{name: "month" for name in MONTH_NAMES if len(name) >= 6},
    "tomorrow": "tomorrow",
    "yesterday": "yesterday",
    "tonight": "tonight",
    "afternoon": "part",
    "evening": "part",
    "morning": "part",
}


def one_edit_apart(a: str, b: str) -> bool:
    """Whether `a` becomes `b` by one insertion, deletion, substitution or swap of neighbouring letters."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


@lru_cache(maxsize=4096)
def typo_of(word: str) -> str | None:
    """The day, month or part-of-day name `word` is one slip away from, if it is long enough to tell."""
    if len(word) < 6 or word in _NOT_TYPOS or not word.isalpha():
        return None
    matches = [name for name in TYPO_TARGETS if abs(len(name) - len(word)) <= 1 and one_edit_apart(word, name)]
    return matches[0] if len(matches) == 1 else None
