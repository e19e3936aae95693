"""Tone rules as data, and the matcher that finds brush-offs, threats and blame in a Slack message; no I/O
beyond reading the shipped rules file or a rules file named in the settings.

**Rules.** A rule has an id, a category (brush-off, threat or blame), phrases, a short relational
alternative and the service principle it serves. The shipped rules live in ``tone_rules.toml`` next to
this module; a workspace adds rules in the settings modal (the line syntax below) or in a file named in
the settings, and disables any rule by its id.

**Phrases.** Matching is whole-word and case-insensitive; apostrophe styles (' ’ ‘ ʼ `) are equivalent,
whitespace runs collapse, Slack's formatting marks (``_italics_``, ``*bold*``, ``~strike~``) are ignored, and
every contraction is equivalent to its long form both ways ("you'll" / "you will" / "youll", "can't" /
"cannot" / "can not" / "cant"), so a phrase is written once, in either form. Chat spellings count the same
way ("u", "ur", "u'll", "dept", "msg", "pls", "info") in every piece of a phrase that stays under
``CHAT_SPELLINGS_UP_TO`` variants with them. A phrase may also use:

- ``{call|contact|email}``: choices, expanded at build time ("you'll have to {call|email} billing").
  An empty choice makes a word optional: ``you'll {just |}have to wait``. Braces do not nest.
- `` ... ``: a gap of up to ``MAX_GAP_WORDS`` words within one sentence, and `` .. `` one of up to
  ``SHORT_GAP_WORDS``: "if you don't ... we'll .. {suspend|cancel} your" finds "If you don't pay by Friday,
  we'll have to suspend your account". The pieces keep their order; at most ``MAX_PIECES`` pieces.
- a trailing `` $``: the phrase fires only at the end of a clause, i.e. when it is followed by the end of
  the text, a line break or ``. ! ? …``, perhaps after fillers such as "tbh", "sorry" or an emoji ("or else $"
  fires on "…or else!", not on "or else we can try Tuesday").
- a leading ``^``: the phrase fires only at the start of a sentence, perhaps after "please", "sorry," and
  the like ("^ ask your admin" fires on "Sorry, ask your admin.", not on "I can ask your admin").
- a leading ``!``: an exception, not a phrase. A hit of the rule that starts inside an exception's words is
  dropped ("!you should have read access" keeps "you should have read the docs" firing but not "you
  should have read access now"). In TOML, exceptions may instead be listed under ``unless``.

**Line syntax** (the settings modal), one rule per line; blank lines and lines starting with ``#`` are
ignored, and each rule's id is ``custom.<line number>``::

    brush-off | not my circus; not my monkeys | Let me find out who can help, and stay with you until it's solved
    category  | phrase[; phrase2; ...]         | alternative [| principle]

The category accepts brush-off, brush_off, brushoff, threat or blame in any case; the principle is
optional and defaults to the category's principle. A ``|`` inside ``{…}`` belongs to the phrase.

**Rules files.** ``load_rules_file`` reads a ``.toml`` file with the schema of the shipped file (an array
of ``[[rule]]`` tables with ``category``, ``phrases``, ``alternative`` and optionally ``id`` (default
``custom.<n>``, n counting rules from 1), ``unless``, ``principle`` and ``next_step_cancels``); a file with
any other name is read as the line syntax.

**What is scanned.** What a person sees of the message (links by their label, entities unescaped), less
what the author is quoting: blockquote lines (``>``/``&gt;``, and everything after ``>>>``), inline code
and code fences. User, channel and group mentions are ignored (each counts as a space).

**What cancels a tip.** Words that are not the author's own, said to a customer in earnest:

- quotation without ``>``: a hit inside quotation marks ("…", “…”, «…»), or after reported speech in the
  same sentence, or later on its line when a colon follows it ("Customer wrote: per my last email…", "they said
  we'd have to call customer service", "their exact words", "forwarding their note:");
- a pasted log line (one that starts with a timestamp, a bracketed time or an upper-case level such as WARN);
- banter: a laughing emoji (😂 🤣 😆 😅 …, or Slack's ``:joy:`` and friends), "lol", "lmao", "haha", "jk".

Messages in a channel the workspace lists under *Channels without nudges* (internal-only channels) and
messages by people of another organisation are never checked; see ``bot.runtime.caches.ToneSetup``.

**The next-step guard.** A brush-off does not fire when the message, with every matched phrase blanked
out, still offers a next step in the first person ("I'll", "we will", "let me", "let's", "I can" but not
"I can't", "I'm going to", "happy to", "want me to…?", "I'm checking", "give me ten minutes") or reports one
taken, in any tense ("I've escalated", "I booked", "we moved", "I've opened a ticket for you", "the truck is
rescheduled"): "I don't know, but I'll find out" is an honest answer, while "There's nothing I can do" is not
rescued by its own "I can". Threats and blame are not cancelled (a threat with a promise is still a threat),
except a rule marked ``next_step_cancels``, for words also said kindly: a first-person next step or thanks
cancels it ("As I said on the call, we'll ship Thursday", "As mentioned, I've attached the invoice").

**How it stays cheap.** Every phrase variant is folded into an Aho-Corasick automaton the same way as
the customer matcher's names (see ``bot.domain.matcher``): non-word characters become one marker, a key
is wrapped in markers, so the automaton reports only whole-word hits. One automaton holds the anchors: every
single-piece phrase and, of a gapped phrase, its rarest piece (the one whose shortest variant is longest); a
second holds the other pieces of gapped phrases and the exceptions, often common words. On the common path a
message costs one normalization and one scan of the anchors that finds nothing. Only a message with an anchor
takes the slower path that scans both, maps positions back to the author's words, joins gapped pieces, and
applies exceptions, clause edges, contexts and the guard. Compiled phrases are cached per process, so
rebuilding a workspace's matcher after a rules change only refills the automata.
"""

from __future__ import annotations

import itertools
import os
import re
import textwrap
import tomllib
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick

from bot.domain.slack_text import matchable_text

CATEGORIES = ("brush_off", "threat", "blame")
CATEGORY_LABELS = {"brush_off": "brush-off", "threat": "threat", "blame": "blame"}
DEFAULT_PRINCIPLES = {
    "brush_off": "Treat them like a friend; never brush off or threaten",
    "threat": "Treat them like a friend; never brush off or threaten",
    "blame": "Really listen",
}
MAX_ALTERNATIVE = 300  # characters; the shipped alternatives stay under 150
MAX_VARIANTS = 20_000  # per phrase, after choices and contractions are expanded
MAX_PIECES = 4  # pieces of a phrase, between "..." gaps
CHAT_SPELLINGS_UP_TO = 5_000  # variants of a piece that also get chat spellings; a bigger piece keeps its plain ones
MAX_GAP_WORDS = 12  # words a "..." gap may stand for
SHORT_GAP_WORDS = 3  # words a ".." gap may stand for

_CATEGORY_ALIASES = {
    "brushoff": "brush_off",
    "brushoffs": "brush_off",
    "threat": "threat",
    "threats": "threat",
    "blame": "blame",
}
_CATEGORY_CHOICES = "brush-off, threat or blame"
_LINE_EXAMPLE = "brush-off | not my circus | Let me find out who can help, and stay with you until it's solved"
_TOML_KEYS = ("id", "category", "phrases", "unless", "alternative", "principle", "next_step_cancels")

# Whitespace, so it can never survive in normalized text: a marker is never ambiguous.
_MARK = "\x1f"
_NON_WORD = re.compile(r"\W")
_LATIN1_FOLD = bytes(c if chr(c).isalnum() or c == 0x5F else ord(_MARK) for c in range(256))
_SPACE_RUN = re.compile(r"\s+")
_SPACES = re.compile(r"  +")
_LETTER_APOSTROPHE = "ʼ"
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "′": "'"})

# What the author is quoting, in raw Slack text (where a typed ">" arrives as "&gt;").
_FENCE = re.compile(r"```.*?```", re.DOTALL)
_INLINE_CODE = re.compile(r"(?<![\w`])`[^`\n]+`(?![\w`])")
_QUOTE_REST = re.compile(r"^[ \t]*(?:>>>|&gt;&gt;&gt;).*", re.MULTILINE | re.DOTALL)
_QUOTE_LINE = re.compile(r"^[ \t]*(?:>|&gt;).*$", re.MULTILINE)

_CLAUSE_ENDS = frozenset(".!?…\n\r")
# A gap in a phrase: "if you don't ... we will {cancel|suspend} your account".
_GAP = re.compile(r"\s(\.\.\.|…|\.\.)\s")
# Slack's italics: an underscore at the edge of a word ("_not my job_"); one inside a word ("user_error") stays.
_ITALIC_MARK = re.compile(r"(?<![^\W_])_+|_+(?![^\W_])")
_CLOSERS = " \t\"'”’»)]*_~"

# Equivalence groups: every form in a group matches every other. A form that is in two groups ("i'd" is
# "i would" and "i had") matches both, but the long forms of different groups stay distinct.
# fmt: off
_CONTRACTIONS = (
    ("don't", "do not", "dont"), ("doesn't", "does not", "doesnt"), ("didn't", "did not", "didnt"),
    ("can't", "cannot", "can not", "cant"), ("couldn't", "could not", "couldnt"),
    ("won't", "will not", "wont"), ("wouldn't", "would not", "wouldnt"), ("shouldn't", "should not", "shouldnt"),
    ("isn't", "is not", "isnt"), ("aren't", "are not", "arent"), ("wasn't", "was not", "wasnt"),
    ("weren't", "were not", "werent"), ("haven't", "have not", "havent"), ("hasn't", "has not", "hasnt"),
    ("hadn't", "had not", "hadnt"), ("mustn't", "must not"), ("needn't", "need not"), ("ain't", "aint"),
    ("i'm", "i am", "im"), ("you're", "you are", "youre"), ("we're", "we are"), ("they're", "they are", "theyre"),
    ("it's", "it is"), ("it's", "it has"), ("that's", "that is", "thats"), ("that's", "that has"),
    ("there's", "there is", "theres"), ("here's", "here is", "heres"), ("what's", "what is", "whats"),
    ("who's", "who is"), ("let's", "let us"),
    ("i'll", "i will"), ("you'll", "you will", "youll"), ("we'll", "we will"), ("they'll", "they will", "theyll"),
    ("it'll", "it will"), ("that'll", "that will"), ("there'll", "there will"),
    ("i've", "i have", "ive"), ("you've", "you have", "youve"), ("we've", "we have"),
    ("they've", "they have", "theyve"),
    ("i'd", "i would"), ("i'd", "i had"), ("you'd", "you would"), ("you'd", "you had"), ("we'd", "we would"),
    ("we'd", "we had"), ("they'd", "they would"), ("they'd", "they had"), ("it'd", "it would"),
    ("should've", "should have", "shouldve"), ("could've", "could have", "couldve"),
    ("would've", "would have", "wouldve"), ("must've", "must have"),
    ("going to", "gonna"), ("want to", "wanna"), ("got to", "gotta"),
    ("documentation", "docs"),
)
# Chat spellings, matched like contractions while a phrase stays under MAX_VARIANTS with them ("u'll have to call
# support", "not my dept", "per my last msg", "pls read the docs").
_CHAT_SPELLINGS = (
    ("you'll", "you will", "youll", "u'll"), ("you're", "you are", "youre", "ur"), ("you've", "you have", "u've"),
    ("you'd", "you would", "u'd"), ("you'd", "you had", "u'd"),
    ("you", "u"), ("your", "ur"), ("yourself", "urself"), ("department", "dept"), ("departments", "depts"),
    ("message", "msg"), ("messages", "msgs"), ("please", "pls", "plz"), ("information", "info"),
    ("people", "ppl"), ("with", "w", "w/"), ("because", "bc", "cuz", "coz"),
)
# fmt: on


def _equivalents(groups: tuple[tuple[str, ...], ...]) -> dict[tuple[str, ...], tuple[str, ...]]:
    table: dict[tuple[str, ...], list[str]] = {}
    for group in groups:
        for form in group:
            forms = table.setdefault(tuple(form.split()), [])
            forms.extend(f for f in group if f not in forms)
    return {key: tuple(forms) for key, forms in table.items()}


_EQUIVALENTS_PLAIN = _equivalents(_CONTRACTIONS)
_EQUIVALENTS = _equivalents(_CONTRACTIONS + _CHAT_SPELLINGS)
_LONGEST_FORM = max(len(key) for key in _EQUIVALENTS)

# Actions taken that are a next step when said in the first person: "I've escalated", "we moved", "I booked".
_DONE = r"""(?:asked|escalated|flagged|pinged|reached\ out|raised|filed|opened|looped|contacted|emailed|messaged|
    called|requested|booked|scheduled|rescheduled|moved|processed|refunded|fixed|sent|updated|credited|applied|added|
    set\ up|created|reset|restored|resolved|arranged|forwarded|submitted|logged|reopened|extended|changed|shipped|
    tagged|cc'd|assigned|passed|handed|walked|upgraded|switched|introduced|started|waived|put\ in|granted|approved|
    removed|re-?ran|rolled\ back|patched|swapped|reissued|
    issued\ a\ new|deployed|pasted|attached|included|linked|shared|written|documented|
    generated|issued|renewed|restarted|cleared|refreshed|enabled|disabled|connected|transferred|routed|notified|
    alerted|brought\ in|roped\ in|handed\ over|made|organised|organized|sorted|lifted|
    bumped|re-?sent|chased|confirmed|saved|replaced|corrected|adjusted|unlocked|reactivated)"""

# A next step offered in the first person, scanned in normalized text with apostrophes unified.
_NEXT_STEP = re.compile(
    rf"""\b(?:
        (?:i|we)(?:'ll|\ will)\b(?!\ not\b|\ never\b|\ see\b(?!\ (?:what|if|whether|how|who)))
      | (?:i'm|i\ am|we're|we\ are)\ (?:going\ to|gonna|about\ to)\b
      | let\ me\b(?!\ know\b) | let's\b | let\ us\b
      | (?<!what\ )(?<!nothing\ )(?<!anything\ )(?<!all\ )(?<!if\ )(?<!whether\ )(?<!much\ )(?<!more\ )
        (?<!else\ )(?:i|we)\ (?:can|could)\b(?!'t|\ not\b|\ only\b|\ never\b)
      | (?:happy|glad|keen)\ to\b | i'd\ (?:be\ happy|love)\ to\b | want\ me\ to\b | shall\ i\b
      | (?:i've|i\ have|we've|we\ have)\ (?:just\ |already\ |now\ |also\ )?(?:checked|{_DONE})\b
      | (?:i|we)\ (?:just\ |already\ |also\ )?{_DONE}\b
      | \bwill\ do\b | here's\ (?:the|a|how|what)\b | i've\ put\b | i\ know\ who\b
      | give\ me\ (?:a|an|one|two|five|ten|\d+|a\ few|a\ couple)\b
      | (?:i'm|i\ am|we're|we\ are)\ (?:now\ |already\ |still\ )?(?:checking|looking|asking|escalating|following\ up|
            reaching\ out|working|investigating|digging|contacting|on\ it|fixing|sorting)\b
      | (?<!not\ )(?<!stop\ )(?:checking|fixing|investigating|looking\ into|digging\ into|escalating|asking|
            following\ up)\b
    )""",
    re.VERBOSE,
)
# Done for them, said without a person ("the truck is rescheduled"): a next step after a brush-off only, since
# "Per my last message, it's fixed" still reads as blame.
_DONE_FOR_THEM = re.compile(
    r"""\b(?:is|are|was|were|has\ been|have\ been|'s\ been|'ve\ been|got)\ (?:now\ |already\ |just\ )?
        (?:rescheduled|moved|booked|
        refunded|credited|escalated|arranged|sorted|resolved|restored|on\ its\ way|on\ the\ way)\b""",
    re.VERBOSE,
)
# Said kindly: what cancels a blame or threat rule marked ``next_step_cancels`` besides a next step.
_WARMTH = re.compile(
    r"""\b(?:thanks|thank\ you|thx|ty|enjoy|no\ charge|free\ of\ charge|on\ us|i'm\ here|we're\ here|appreciate|
        pleasure|glad|welcome|happy\ with|so\ happy|really\ happy|great\ news|good\ news|congrats|congratulations|
        well\ done|nice\ work|great\ work|great\ job)\b
      | 🎉 | :tada:""",
    re.VERBOSE,
)

# Reported speech: a verb of saying or writing whose subject is someone other than the author ("the customer
# wrote", "Dave in finance says", "she's like"), or words that announce someone else's text.
_REPORTING_VERB = re.compile(
    r"""\b(?:(?:literally|just|actually|always|even)\s+)?
        (?:wrote|writes|said|says|replied|replies|told\ (?:me|us)|emailed|messaged|posted|responded|answered|
           keeps\ saying|kept\ saying|put\ it|reads)\b
      | (?:\b(?:is|was|were|are)\ |['’]s\ )(?:saying|like|asking|writing)\b""",
    re.VERBOSE | re.IGNORECASE,
)
_SUBJECT = re.compile(r"([a-z][\w'’]*)\s+(?:(?:in|from|at|on)\s+\w+\s+)?$|([a-z]\w*)$", re.IGNORECASE)
_NOT_REPORTING = frozenset(
    (
        "i",
        "we",
        "you",
        "as",
        "like",
        "already",
        "previously",
        "just",
        "literally",
        "also",
        "again",
        "have",
        "had",
        "has",
        "then",
        "once",
        "twice",
        "i've",
        "i’ve",
        "we've",
        "we’ve",
        "you've",
        "you’ve",
        "i'd",
        "we'd",
        "it",
        "that",
        "this",
        "which",
        "what",
        "who",
    )
)
_REPORTED = re.compile(
    r"""\b(?:their|his|her|the\ customer['’]s|the\ client['’]s)\ (?:exact\ |own\ )?words\b
      | \bin\ (?:their|his|her)\ (?:own\ )?words\b
      | \bquot(?:e|ed|ing)\b | \bverbatim\b | \bpasting\b | \bcopy(?:ing)?\ of\b
      | \b(?:forwarding|forwarded|pasted|copying|copied|from)\b[^\n.!?:]{0,40}:
      | \b(?:their|his|her|the\ customer['’]?s|the\ client['’]?s|customer['’]?s|client['’]?s)
        \ (?:note|email|message|reply|ticket|text|dm|voicemail|letter|response|comment|review)\b
      | \baccording\ to\ (?:them|him|her|the\ customer|the\ client)\b""",
    re.VERBOSE | re.IGNORECASE,
)
# Quotation marks around the words: “…”, "…", «…», „…“ on one line.
_QUOTED = re.compile(r'"[^"\n]*"|“[^”\n]*”|«[^»\n]*»|„[^“”\n]*[“”]')
# Single quotation marks around words ('final warning', ‘not my job’): an opening mark not after a letter, a closing
# one not before a letter, and apostrophes inside words ("'you didn't test this'") kept inside.
_SINGLE_QUOTED = re.compile(r"(?<![\w'’‘])['‘](?=\w)(?:[^'’‘\n]|(?<=\w)['’](?=\w))+?['’](?![\w'’])")
# "Nothing (on our side) I can change": "I can" inside a refusal is no offer.
_NOTHING_I_CAN = re.compile(
    r"\b(?:nothing|not\ much|not\ a\ lot|not\ anything|anything|little|no\ more|nothing\ else)\b[^.!?;,\n]{0,40}?"
    r"\b(?:i|we)\ (?:can|could)\b",
    re.VERBOSE,
)
# A log line pasted as it is: it starts with a timestamp, a bracketed time or an upper-case level.
_LOG_LINE = re.compile(
    r"^[ \t]*(?:\[\d|\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}(?::\d{2})?\s"
    r"|(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL)\b).*$",
    re.MULTILINE,
)
# Banter: laughing emoji and words. A message with one is not addressed to a customer in earnest.
_BANTER = re.compile(
    r"[😂🤣😆😹😅😄😁]|:(?:joy|rolling_on_the_floor_laughing|laughing|satisfied|sweat_smile|smile|grin|joy_cat):"
    r"|\b(?:lol+|lmf?ao+|rofl|roflmao|ha(?:ha)+h?|hehe+|jk|j/k|just\ kidding|kidding|joking)\b",
    re.IGNORECASE | re.VERBOSE,
)
# What may come before a phrase that starts a clause ("^"): the start of the text or of a sentence, then openers
# and fillers ("Sorry, please contact billing", "ok so just google it").
_CLAUSE_START = re.compile(
    r"""(?:\A|[.!?…\n:;—–]|\s-)[\s"'“‘(*_~]*
        (?:(?:please|pls|plz|kindly|just|sorry|hmm+|ok|okay|yeah|yes|no|nope|so|well|honestly|tbh|then|um+|uh+|hey|hi|
            mate|sir|also|again|seriously|look|listen|instead|otherwise|sure|ah|oh|unfortunately|sadly)\b[\s,]*)*\Z""",
    re.IGNORECASE | re.VERBOSE,
)
# Words after a phrase that still leave it at the end of its clause: "no idea tbh", "not my job, sorry 🤷".
_TRAILING_FILLER = re.compile(
    r"(?:[\s,]|:[a-z0-9_+\-]+:|[^\w\s.!?…]|\b(?:tbh|sorry|honestly|tho|though|rn|atm|imo|fwiw|mate|man|please|pls)\b)*",
    re.IGNORECASE,
)


class ToneRulesError(ValueError):
    """Tone rules that cannot be read; the message is one friendly sentence naming where and what."""


@dataclass(frozen=True)
class ToneRule:
    """A phrase list in one category, with the relational alternative to suggest and the principle it serves."""

    id: str
    category: str
    phrases: tuple[str, ...]
    alternative: str
    principle: str
    unless: tuple[str, ...] = ()  # exceptions: a hit inside one of these is no hit
    # A threat or blame rule whose words are also said kindly ("As I said on the call, we'll ship Thursday"): a next
    # step or thanks in the message cancels it, as a next step always cancels a brush-off.
    next_step_cancels: bool = False

    @property
    def cancelled_by_next_step(self) -> bool:
        """Whether a next step offered in the same message means no tip."""
        return self.category == "brush_off" or self.next_step_cancels


@dataclass(frozen=True)
class ToneHit:
    """A rule that fired, and the words that fired it exactly as the author wrote them."""

    rule: ToneRule
    phrase: str


# --- phrases ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Phrase:
    # Per piece (pieces are the parts between " ... " gaps), normalized texts, every choice and contraction spelled out.
    pieces: tuple[tuple[str, ...], ...]
    clause_end: bool
    exception: bool
    clause_start: bool = False
    gaps: tuple[int, ...] = ()  # the most words each gap stands for

    @property
    def keys(self) -> tuple[tuple[tuple[str, int, int], ...], ...]:
        """Per piece, each variant as an automaton key with its lead and trail markers (0 or 1)."""
        return _phrase_keys(self)

    @property
    def variants(self) -> tuple[str, ...]:
        """Every variant of every piece."""
        return tuple(v for piece in self.pieces for v in piece)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _fold(text: str) -> str:
    # Length-preserving: every non-word character becomes the marker, word characters stay.
    try:
        return text.encode("latin-1").translate(_LATIN1_FOLD).decode("latin-1")
    except UnicodeEncodeError:
        return _NON_WORD.sub(_MARK, text)


def _normalize_phrase(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lower().translate(_APOSTROPHES).split())


def _expand_choices(text: str) -> list[str]:
    parts = re.split(r"\{([^{}]*)\}", text)
    if any("{" in p or "}" in p for p in parts[::2]):
        raise ValueError(f"“{text}” has a “{{” or “}}” that does not pair up; write choices like {{call|contact}}")
    options = [[p] if i % 2 == 0 else p.split("|") for i, p in enumerate(parts)]
    count = 1
    for choice in options:
        count *= len(choice)
    if count > MAX_VARIANTS:
        raise ValueError(f"“{text}” has over {MAX_VARIANTS:,} combinations; split it into smaller phrases")
    return [" ".join("".join(combo).split()) for combo in itertools.product(*options)]


def _expand_contractions(text: str, table: dict[tuple[str, ...], tuple[str, ...]] = _EQUIVALENTS_PLAIN) -> list[str]:
    # Every way of reading the words as contractions counts: "we will not" is "we'll not" and "we won't".
    words = text.split(" ")
    tails: list[list[str]] = [[] for _ in range(len(words))] + [[""]]
    for i in range(len(words) - 1, -1, -1):
        found: dict[str, None] = {}
        for size in range(1, min(_LONGEST_FORM, len(words) - i) + 1):
            forms = table.get(tuple(words[i : i + size]), (words[i],) if size == 1 else ())
            for form in forms:
                for tail in tails[i + size]:
                    found[f"{form} {tail}" if tail else form] = None
        if len(found) > MAX_VARIANTS:
            raise ValueError(f"“{text}” has over {MAX_VARIANTS:,} variants; split it into smaller phrases")
        tails[i] = list(found)
    return tails[0]


@lru_cache(maxsize=4096)
def _compile_phrase(phrase: str) -> _Phrase:
    """Expand one phrase as written in a rule; raises ValueError with a friendly clause."""
    text = phrase.strip()
    exception = text.startswith("!")
    if exception:
        text = text[1:].strip()
    # " $" ends a clause; so does "$" right after a choice that may be empty ("ask them {directly |}$").
    clause_end = len(text) >= 2 and text.endswith("$") and (text[-2].isspace() or text[-2] == "}")
    if clause_end:
        text = text[:-1].strip()
    clause_start = len(text) >= 2 and text.startswith("^") and text[1].isspace()
    if clause_start:
        text = text[1:].strip()
    normalized = _normalize_phrase(text)
    if not normalized:
        raise ValueError("a phrase is empty; separate phrases with “;”, for example: not my job; not my problem")
    parts = _GAP.split(f" {normalized} ")
    pieces, gaps = (
        [p.strip() for p in parts[::2]],
        [SHORT_GAP_WORDS if g == ".." else MAX_GAP_WORDS for g in parts[1::2]],
    )
    if not any(pieces):
        raise ValueError(f"“{phrase.strip()}” has no words to match")
    if len(pieces) > 1 and not all(pieces):
        raise ValueError(
            f"“{phrase.strip()}” needs words on both sides of “...”, for example: if you don't ... we will"
        )
    if len(pieces) > MAX_PIECES:
        raise ValueError(
            f"“{phrase.strip()}” has more than {MAX_PIECES - 1} gaps (“...”); split it into smaller phrases"
        )
    compiled = []
    for piece in pieces:
        choices = _expand_choices(piece)
        if not all(any(_is_word_char(c) for c in choice) for choice in choices):
            raise ValueError(f"“{phrase.strip()}” has no words to match")
        try:
            compiled.append(_piece_variants(choices, _EQUIVALENTS, CHAT_SPELLINGS_UP_TO))
        except _TooMany:  # chat spellings are a bonus a long phrase does without
            try:
                compiled.append(_piece_variants(choices, _EQUIVALENTS_PLAIN, MAX_VARIANTS))
            except _TooMany:
                raise ValueError(
                    f"“{phrase.strip()}” has over {MAX_VARIANTS:,} variants; split it into smaller phrases"
                ) from None
    return _Phrase(tuple(compiled), clause_end, exception, clause_start, tuple(gaps))


class _TooMany(Exception):
    pass


def _piece_variants(choices: list[str], table: dict[tuple[str, ...], tuple[str, ...]], limit: int) -> tuple[str, ...]:
    variants: dict[str, None] = {}
    for choice in choices:
        try:
            expanded = _expand_contractions(choice, table)
        except ValueError:
            raise _TooMany from None
        for variant in expanded:
            variants[variant] = None
        if len(variants) > limit:
            raise _TooMany
    return tuple(variants)


# --- rules as data ---------------------------------------------------------------------------------


def _category(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    key = re.sub(r"[\s_\-]+", "", value.lower())
    return _CATEGORY_ALIASES.get(key)


def _check_rule(rule: ToneRule) -> None:
    """Raise ValueError with a friendly clause when a rule could not work."""
    if rule.category not in CATEGORIES:
        raise ValueError(f"“{rule.category}” is not a category; use {_CATEGORY_CHOICES}")
    if all(p.strip().startswith("!") for p in rule.phrases):
        raise ValueError(
            "the rule has no phrase that fires (one starting with “!” is an exception); "
            "add one, for example: not my job"
        )
    if not rule.alternative.strip():
        raise ValueError(f"add the alternative to suggest, for example: {_LINE_EXAMPLE}")
    if len(rule.alternative) > MAX_ALTERNATIVE:
        raise ValueError(
            f"the alternative is {len(rule.alternative)} characters; keep it under {MAX_ALTERNATIVE} "
            "so the nudge stays short"
        )
    for phrase in (*rule.phrases, *(f"!{u}" for u in rule.unless)):
        _compile_phrase(phrase)


def _split_fields(line: str) -> list[str] | None:
    fields, depth, start = [], 0, 0
    for i, char in enumerate(line):
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif char == "|" and depth == 0:
            fields.append(line[start:i].strip())
            start = i + 1
    fields.append(line[start:].strip())
    return fields if depth == 0 else None


def _parse_lines(text: str, where: Callable[[int], str]) -> tuple[ToneRule, ...]:
    rules: list[ToneRule] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = _split_fields(line)
        if fields is None:
            raise ToneRulesError(f"{where(number)}: a “{{” is never closed; write choices like {{call|contact}}.")
        if len(fields) < 3:
            raise ToneRulesError(
                f"{where(number)}: write the rule as category | phrases | alternative, for example: {_LINE_EXAMPLE}"
            )
        if len(fields) > 4:
            raise ToneRulesError(
                f"{where(number)}: there are too many “|”; use them only between category, phrases, alternative "
                "and an optional principle"
            )
        category = _category(fields[0])
        if category is None:
            raise ToneRulesError(f"{where(number)}: “{fields[0]}” is not a category; use {_CATEGORY_CHOICES}.")
        items = [p.strip() for p in fields[1].split(";")]
        if any(not p or p == "!" for p in items):
            raise ToneRulesError(
                f"{where(number)}: a phrase is empty; separate phrases with “;”, "
                "for example: not my job; not my problem"
            )
        principle = fields[3] if len(fields) == 4 and fields[3] else DEFAULT_PRINCIPLES[category]
        rule = ToneRule(
            id=f"custom.{number}",
            category=category,
            phrases=tuple(p for p in items if not p.startswith("!")),
            alternative=fields[2],
            principle=principle,
            unless=tuple(p[1:].strip() for p in items if p.startswith("!")),
        )
        try:
            _check_rule(rule)
        except ValueError as error:
            raise ToneRulesError(f"{where(number)}: {error}.") from None
        rules.append(rule)
    return tuple(rules)


def parse_rules_text(text: str) -> tuple[ToneRule, ...]:
    """Read rules in the settings-modal line syntax; a ToneRulesError names the line that is wrong."""
    return _parse_lines(text, lambda number: f"Line {number}")


def format_rules_text(rules: Iterable[ToneRule]) -> str:
    """Write rules in the line syntax ``parse_rules_text`` reads (ids are not written: they follow the lines)."""
    lines = []
    for rule in rules:
        phrases = "; ".join((*rule.phrases, *(f"!{u}" for u in rule.unless)))
        # A "|" in the alternative would start a new field; Slack users can live with "/".
        line = f"{CATEGORY_LABELS.get(rule.category, rule.category)} | {phrases} | {rule.alternative.replace('|', '/')}"
        if rule.principle != DEFAULT_PRINCIPLES.get(rule.category):
            line += f" | {rule.principle.replace('|', '/')}"
        lines.append(line)
    return "\n".join(lines)


def _strings(value: object, *, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f'“{key}” must be a list of quoted phrases, for example: {key} = ["not my job"]')


def _rule_from_table(table: dict[str, Any], *, default_id: str) -> ToneRule:
    unknown = [k for k in table if k not in _TOML_KEYS]
    if unknown:
        raise ValueError(f"“{unknown[0]}” is not a rule key; use {', '.join(_TOML_KEYS)}")
    category = _category(table.get("category"))
    if category is None:
        raise ValueError(f"“{table.get('category', '')}” is not a category; use {_CATEGORY_CHOICES}")
    for key in ("id", "alternative", "principle"):
        if key in table and not isinstance(table[key], str):
            raise ValueError(f"“{key}” must be quoted text")
    if not isinstance(table.get("next_step_cancels", False), bool):
        raise ValueError("“next_step_cancels” must be true or false")
    phrases = _strings(table.get("phrases", []), key="phrases")
    if any(not p.strip() for p in phrases):
        raise ValueError("a phrase is empty")
    rule = ToneRule(
        id=table.get("id") or default_id,
        category=category,
        phrases=phrases,
        alternative=table.get("alternative", ""),
        principle=table.get("principle") or DEFAULT_PRINCIPLES[category],
        unless=_strings(table.get("unless", []), key="unless"),
        next_step_cancels=table.get("next_step_cancels", False),
    )
    _check_rule(rule)
    return rule


def _parse_toml(text: str, *, name: str) -> tuple[ToneRule, ...]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ToneRulesError(f"{name} is not valid TOML: {error}.") from None
    tables = data.get("rule", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ToneRulesError(f"{name}: write each rule as a [[rule]] table.")
    rules: list[ToneRule] = []
    seen: set[str] = set()
    for number, table in enumerate(tables, start=1):
        try:
            rule = _rule_from_table(table, default_id=f"custom.{number}")
        except ValueError as error:
            label = f" (“{table['id']}”)" if isinstance(table.get("id"), str) else ""
            raise ToneRulesError(f"{name}, rule {number}{label}: {error}.") from None
        if rule.id in seen:
            raise ToneRulesError(f"{name}, rule {number}: the id “{rule.id}” is used twice; give each rule its own id.")
        seen.add(rule.id)
        rules.append(rule)
    return tuple(rules)


@cache
def shipped_rules() -> tuple[ToneRule, ...]:
    """Return the rules Rapport ships with, read once from ``tone_rules.toml``."""
    text = (resources.files("bot.domain") / "tone_rules.toml").read_text(encoding="utf-8")
    return _parse_toml(text, name="tone_rules.toml")


def load_rules_file(path: str | os.PathLike[str]) -> tuple[ToneRule, ...]:
    """Read a workspace's rules file: TOML when it is named ``*.toml``, the line syntax otherwise."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ToneRulesError(f"Rapport could not find the tone rules file “{file}”.") from None
    except UnicodeDecodeError:
        raise ToneRulesError(f"The tone rules file “{file}” is not UTF-8 text.") from None
    except OSError as error:
        raise ToneRulesError(f"Rapport could not read the tone rules file “{file}”: {error.strerror}.") from None
    if file.suffix.lower() == ".toml":
        return _parse_toml(text, name=f"“{file.name}”")
    return _parse_lines(text, lambda number: f"“{file.name}”, line {number}")


# --- matching --------------------------------------------------------------------------------------

# (start, stop, rule position) in the normalized text.
_Span = tuple[int, int, int]
# What the automaton stores per key: (rule position, phrase number, piece, pieces, clause end, clause start, exception,
# lead marker, trail marker).
_Entry = tuple[int, int, int, int, bool, bool, bool, int, int]


def _without_quotes(text: str) -> str:
    if "`" in text:
        text = _FENCE.sub(" ", text)
        text = _INLINE_CODE.sub(" ", text)
    # A quote starts a line; ">" alone is common (every "<…>" token) and is checked cheaply first.
    if ("&gt;" in text or ">" in text) and ("\n" in text or text.lstrip(" \t").startswith((">", "&gt;"))):
        text = _QUOTE_REST.sub("", text)
        text = _QUOTE_LINE.sub("", text)
    return text


def _visible(text: str) -> str:
    # What the author wrote, as people see it, less what they quote: the text hits are cut from.
    visible = matchable_text(_without_quotes(text))
    if "_" in visible:
        visible = _ITALIC_MARK.sub(" ", visible)
    if not visible.isascii() and not unicodedata.is_normalized("NFC", visible):
        visible = unicodedata.normalize("NFC", visible)
    return visible


def _normalize(visible: str) -> str:
    scanned = visible.lower()
    # The other apostrophes are punctuation and fold like "'"; this one is a letter to Unicode.
    if _LETTER_APOSTROPHE in scanned:
        scanned = scanned.replace(_LETTER_APOSTROPHE, "'")
    # Every whitespace character but the plain space is unprintable; halving runs of spaces beats a regex.
    if not scanned.isprintable():
        return _SPACE_RUN.sub(" ", scanned)
    while "  " in scanned:
        scanned = scanned.replace("  ", " ")
    return scanned


@lru_cache(maxsize=4096)
def _phrase_keys(phrase: _Phrase) -> tuple[tuple[tuple[str, int, int], ...], ...]:
    keys = []
    for variants in phrase.pieces:
        piece = []
        for variant in variants:
            lead, trail = int(_is_word_char(variant[0])), int(_is_word_char(variant[-1]))
            piece.append((_MARK * lead + _fold(variant) + _MARK * trail, lead, trail))
        keys.append(tuple(piece))
    return tuple(keys)


def _automaton(entries: dict[str, list[_Entry]]) -> Any:
    automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
    for key, found in entries.items():
        automaton.add_word(key, (len(key), tuple(found)))
    if entries:
        automaton.make_automaton()
    return automaton


def _anchor_piece(phrase: _Phrase) -> int:
    """The piece of a phrase the fast check looks for: the one whose shortest variant is longest, as the rarest."""
    return max(range(len(phrase.pieces)), key=lambda i: (min(len(v) for v in phrase.pieces[i]), i))


def _normalize_mapped(visible: str) -> tuple[str, list[int]]:
    """``_normalize`` one character at a time, with the index in ``visible`` of each normalized character."""
    lowered = visible.lower()
    if len(lowered) == len(visible) and lowered.isprintable() and _LETTER_APOSTROPHE not in lowered:
        if "  " not in lowered:
            return lowered, list(range(len(visible)))  # the common case: nothing moves
        # Runs of plain spaces (a hidden mention leaves one): each keeps its first space.
        kept: list[str] = []
        positions: list[int] = []
        last = 0
        for run in _SPACES.finditer(lowered):
            kept.append(lowered[last : run.start() + 1])
            positions.extend(range(last, run.start() + 1))
            last = run.end()
        kept.append(lowered[last:])
        positions.extend(range(last, len(lowered)))
        return "".join(kept), positions
    chars: list[str] = []
    index: list[int] = []
    in_space = False
    for position, char in enumerate(visible):
        if char.isspace():
            if not in_space:
                chars.append(" ")
                index.append(position)
            in_space = True
            continue
        in_space = False
        lowered = "'" if char == _LETTER_APOSTROPHE else char.lower()
        chars.append(lowered)
        index.extend([position] * len(lowered))
    return "".join(chars), index


def _at_clause_end(visible: str, after: int) -> bool:
    rest = visible[after:].lstrip(_CLOSERS)
    if rest and rest[0] not in _CLAUSE_ENDS:
        filler = _TRAILING_FILLER.match(rest)
        rest = rest[filler.end() :] if filler else rest
    return not rest or rest[0] in _CLAUSE_ENDS


def _at_clause_start(visible: str, before: int) -> bool:
    return _CLAUSE_START.search(visible, max(0, before - 80), before) is not None


def _within_gap(visible: str, scanned: str, index: list[int], stop: int, start: int, words: int) -> bool:
    """Whether the words between two pieces of a phrase are few enough and in the same sentence."""
    if start < stop or len(scanned[stop:start].split()) > words:
        return False
    between = visible[index[stop - 1] + 1 : index[start]] if start > stop else ""
    return not any(char in _CLAUSE_ENDS for char in between)


def _chain(
    visible: str, scanned: str, index: list[int], pieces: list[list[tuple[int, int]]], gaps: tuple[int, ...]
) -> list[tuple[int, int]]:
    """Spans where every piece of a gapped phrase follows the one before within its gap (the nearest that leads
    to a whole match: in "If we don't hear back, we'll close your account" the second "we" is the one)."""

    def rest(end: int, piece: int) -> int | None:
        if piece == len(pieces):
            return end
        for start, stop in sorted(set(pieces[piece])):
            if _within_gap(visible, scanned, index, end, start, gaps[piece - 1]):
                found = rest(stop, piece + 1)
                if found is not None:
                    return found
        return None

    spans = []
    for start, stop in sorted(set(pieces[0])):
        end = rest(stop, 1)
        if end is not None:
            spans.append((start, end))
    return spans


def _line_of(visible: str, at: int) -> tuple[int, int]:
    start = visible.rfind("\n", 0, at) + 1
    stop = visible.find("\n", at)
    return start, len(visible) if stop < 0 else stop


def _is_reported(visible: str, start: int, stop: int) -> bool:
    """Whether the words at ``start:stop`` of the visible text are someone else's: quoted, reported or logged."""
    if any(q.start() < start and stop <= q.end() for q in _QUOTED.finditer(visible)):
        return True
    line_start, line_stop = _line_of(visible, start)
    if _LOG_LINE.match(visible, line_start, line_stop):
        return True
    markers = [m.end() for m in _REPORTED.finditer(visible, line_start, start)]
    for verb in _REPORTING_VERB.finditer(visible, line_start, start):
        subject = _SUBJECT.search(visible, line_start, verb.start())
        word = subject and (subject.group(1) or subject.group(2))
        if word and word.lower() not in _NOT_REPORTING:
            markers.append(verb.end())
    for end in markers:
        between = visible[end:start]
        if between.lstrip()[:1] in (":", '"', "“") or not any(char in _CLAUSE_ENDS for char in between):
            return True
    return False


def _unmatched(scanned: str, spans: list[_Span]) -> str:
    # The words of the message with every matched phrase blanked out, apostrophes unified.
    pieces, last = [], 0
    for start, stop, _ in sorted(spans):
        pieces.append(scanned[last:start])
        last = max(last, stop)
    pieces.append(scanned[last:])
    return " ; ".join(pieces).translate(_APOSTROPHES)


class ToneMatcher:
    """An immutable set of tone rules that finds, per category, the first phrase a message uses."""

    __slots__ = ("_automaton", "_gaps", "_iter", "_others", "_rules")

    def __init__(
        self,
        automaton: Any,
        rules: tuple[ToneRule, ...],
        others: Any = None,
        gaps: dict[int, tuple[int, ...]] | None = None,
    ) -> None:
        self._gaps = gaps or {}  # per gapped phrase number, the most words each gap stands for
        # The anchors: every single-piece phrase, and the rarest piece of a gapped one. The fast check scans these.
        self._automaton = automaton
        self._iter = automaton.iter
        self._others = others  # the other pieces of gapped phrases, scanned only once an anchor was seen
        self._rules = rules

    @classmethod
    def build(cls, rules: Iterable[ToneRule], *, disabled: Collection[str] = ()) -> ToneMatcher:
        """Build a matcher from rules, leaving out the ids in ``disabled``; raises ToneRulesError for a bad rule.

        When rules of the same category fire on the same words, the one given last wins, so a workspace's
        custom rules (listed after the shipped ones) supply the alternative.
        """
        disabled = frozenset(disabled)
        enabled = tuple(rule for rule in rules if rule.id not in disabled)
        # key -> entries. Anchors (every single-piece phrase, the rarest piece of a gapped one) go in the automaton the
        # fast check scans; the other pieces of gapped phrases, often common words, in a second one.
        anchors: dict[str, list[_Entry]] = {}
        others: dict[str, list[_Entry]] = {}
        gaps: dict[int, tuple[int, ...]] = {}
        number = 0
        for position, rule in enumerate(enabled):
            if rule.category not in CATEGORIES:
                raise ToneRulesError(f"Rule “{rule.id}”: “{rule.category}” is not a category; use {_CATEGORY_CHOICES}.")
            for phrase in (*rule.phrases, *(f"!{u}" for u in rule.unless)):
                try:
                    compiled = _compile_phrase(phrase)
                except ValueError as error:
                    raise ToneRulesError(f"Rule “{rule.id}”: {error}.") from None
                number += 1
                count = len(compiled.pieces)
                if compiled.gaps:
                    gaps[number] = compiled.gaps
                anchor = -1 if compiled.exception else _anchor_piece(compiled)  # an exception never sends a message on
                for piece, keys in enumerate(compiled.keys):
                    starts = piece == 0 and compiled.clause_start
                    base = (position, number, piece, count, compiled.clause_end, starts, compiled.exception)
                    table = anchors if piece == anchor else others
                    for key, lead, trail in keys:
                        table.setdefault(key, []).append((*base, lead, trail))
        automaton = _automaton(anchors)
        return cls(automaton, enabled if anchors else (), _automaton(others), gaps)

    @property
    def rule_count(self) -> int:
        """The number of enabled rules."""
        return len(self._rules)

    def check(self, text: str) -> list[ToneHit]:
        """Return at most one hit per category, ordered as ``CATEGORIES``, for raw Slack message text."""
        if not self._rules or not text:
            return []
        visible = _visible(text)
        # The padding markers stand for the text's edges, so a phrase can start or end there.
        if next(self._iter(_fold(f" {_normalize(visible)} ")), None) is None:
            return []
        return self._confirm(visible)

    def _confirm(self, visible: str) -> list[ToneHit]:
        # The rare path: a key was seen, so map positions back and apply exceptions, clause ends and contexts.
        if _BANTER.search(visible):
            return []
        scanned, index = _normalize_mapped(visible)
        hits, exceptions = self._spans(visible, scanned, index)
        if exceptions:
            hits = [hit for hit in hits if not any(e[2] == hit[2] and e[0] <= hit[0] < e[1] for e in exceptions)]
        hits = [hit for hit in hits if not _is_reported(visible, index[hit[0]], index[hit[1] - 1] + 1)]
        if "'" in visible or "‘" in visible or "’" in visible:
            quoted = [(q.start(), q.end()) for q in _SINGLE_QUOTED.finditer(visible)]
            hits = [hit for hit in hits if not any(a < index[hit[0]] and index[hit[1] - 1] < b for a, b in quoted)]
        rules = self._rules
        if any(rules[hit[2]].cancelled_by_next_step for hit in hits):
            rest = _unmatched(scanned, hits)
            # A gap in a phrase may span a next step: "Policy says 30 days, but I've extended it".
            rest += "".join(
                " ; " + scanned[start:stop].split(" but ", 1)[1].translate(_APOSTROPHES)
                for start, stop, _ in hits
                if " but " in scanned[start:stop]
            )
            next_step = _offers_next_step(rest)
            done = next_step or _DONE_FOR_THEM.search(rest) is not None
            warm = next_step or _WARMTH.search(rest) is not None
            hits = [
                hit
                for hit in hits
                if not rules[hit[2]].cancelled_by_next_step
                or not (done if rules[hit[2]].category == "brush_off" else warm)
            ]
        best: dict[str, _Span] = {}
        for hit in hits:
            category = rules[hit[2]].category
            current = best.get(category)
            # Leftmost, then longest, then the rule given last.
            if current is None or (hit[0], -hit[1], -hit[2]) < (current[0], -current[1], -current[2]):
                best[category] = hit
        return [
            ToneHit(rules[span[2]], visible[index[span[0]] : index[span[1] - 1] + 1])
            for category in CATEGORIES
            if (span := best.get(category)) is not None
        ]

    def _spans(self, visible: str, scanned: str, index: list[int]) -> tuple[list[_Span], list[_Span]]:
        """The phrases and the exceptions found, as spans of the normalized text; gapped phrases joined up."""
        hits: list[_Span] = []
        exceptions: list[_Span] = []
        gapped: dict[tuple[int, int, bool, bool], list[list[tuple[int, int]]]] = {}
        folded = _fold(f" {scanned} ")
        found_anywhere = self._iter(folded)
        if self._others is not None and len(self._others):
            found_anywhere = itertools.chain(found_anywhere, self._others.iter(folded))
        for end, (size, found) in found_anywhere:
            # Folded offsets are one past scanned offsets (the padding), which cancels the inclusive end.
            for position, number, piece, count, clause_end, clause_start, exception, lead, trail in found:
                start, stop = end - size + lead, end - trail
                if start < 0 or stop > len(scanned) or start >= stop:
                    continue  # a phrase's own punctuation lined up with the padding, not with text
                if clause_start and not _at_clause_start(visible, index[start]):
                    continue
                if count > 1:
                    key = (position, number, clause_end, exception)
                    gapped.setdefault(key, [[] for _ in range(count)])[piece].append((start, stop))
                    continue
                if exception:
                    exceptions.append((start, stop, position))
                elif not clause_end or _at_clause_end(visible, index[stop - 1] + 1):
                    hits.append((start, stop, position))
        for (position, number, clause_end, exception), pieces in gapped.items():
            if not all(pieces):
                continue
            for start, stop in _chain(visible, scanned, index, pieces, self._gaps[number]):
                if exception:
                    exceptions.append((start, stop, position))
                elif not clause_end or _at_clause_end(visible, index[stop - 1] + 1):
                    hits.append((start, stop, position))
        return hits, exceptions


# --- the author's own words, for the word model (bot.domain.tone_model) ------------------------------------


def own_words(text: str) -> str | None:
    """The author's own words, normalized like the rules' text, for a scorer without phrase spans; None for banter.

    The same contexts that cancel a rule's hit are cut out: quoted lines and code, words in quotation marks,
    pasted log lines, and each line from the first sign of reported speech on ("Customer wrote: …").
    """
    visible = _visible(text)
    flags = _needle_flags(visible)
    if not visible.strip() or (flags & _BANTER_WORDS and _BANTER.search(visible)):
        return None
    unquoted = _QUOTED.sub(" ", visible)
    if "'" in unquoted or "‘" in unquoted or "’" in unquoted:
        unquoted = _SINGLE_QUOTED.sub(" ", unquoted)
    if unquoted != visible:
        flags = _needle_flags(unquoted)
    visible = unquoted
    reported = _may_report(flags)
    verbs = flags & _VERB_WORDS
    lines = []
    for line in visible.split("\n"):
        if _LOG_LINE.match(line):
            continue
        cut = [m.start() for m in _REPORTED.finditer(line)] if reported else []
        for verb in _REPORTING_VERB.finditer(line) if verbs else ():
            subject = _SUBJECT.search(line, 0, verb.start())
            word = subject and (subject.group(1) or subject.group(2))
            if word and word.lower() not in _NOT_REPORTING:
                cut.append(subject.start() if subject else verb.start())
        lines.append(line[: min(cut)] if cut else line)
    words = _normalize(" ".join(lines))
    if not words.isascii() or "`" in words:  # the other apostrophes are not ASCII
        words = words.translate(_APOSTROPHES)
    words = words.strip()
    return words or None


# Cheap checks before the case-insensitive searches own_words makes: each group holds words that any match must
# contain, so a text with none of them cannot match and the regex is skipped (most messages). One pass of an
# automaton finds them all. The letters that match an ASCII letter case-insensitively without being one (İ ı ſ K)
# are folded first, and no word holds a space (cutting quotes out puts spaces in), so the check is exact.
_CASE_FOLD = str.maketrans({"İ": "i", "ı": "i", "ſ": "s", "K": "k"})
_BANTER_WORDS, _VERB_WORDS, _REPORTED_WORDS, _FROM_WORDS, _COLON, _THEIR_NOTE = (1, 2, 4, 8, 16, 32)
_NEEDLES: dict[int, tuple[str, ...]] = {
    _BANTER_WORDS: (
        *"😂🤣😆😹😅😄😁", ":joy", ":rolling", ":laughing", ":satisfied", ":sweat_smile", ":smile", ":grin",
        "lol", "lmao", "lmfao", "rofl", "haha", "hehe", "jk", "j/k", "kidding", "joking",
    ),
    _VERB_WORDS: (
        "wrote", "writes", "said", "says", "replied", "replies", "told", "emailed", "messaged", "posted", "responded",
        "answered", "saying", "put", "reads", "like", "asking", "writing",
    ),
    _REPORTED_WORDS: ("words", "quot", "verbatim", "pasting", "copy", "according"),
    _FROM_WORDS: ("forward", "pasted", "copie", "from"),
    _COLON: (":",),
}  # fmt: skip
# "Their email", "the customer's note": a possessive, one space, the note (cutting quotes out can join them, so these
# are looked for again in the text without its quotes).
_NEEDLES[_THEIR_NOTE] = tuple(
    f"{whose} {note}"
    for whose in ("their", "his", "her", "customer's", "customer’s", "customers", "client's", "client’s", "clients")
    for note in (
        "note", "email", "message", "reply", "ticket", "text", "dm", "voicemail", "letter", "response", "comment",
        "review",
    )
)  # fmt: skip


def _needle_automaton() -> Any:
    flags: dict[str, int] = {}
    for bit, words in _NEEDLES.items():
        for word in words:
            flags[word] = flags.get(word, 0) | bit
    automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
    for word, bit in flags.items():
        automaton.add_word(word, bit)
    automaton.make_automaton()
    return automaton


_NEEDLE_AUTOMATON = _needle_automaton()


def _needle_flags(text: str) -> int:
    """Which groups of `_NEEDLES` the text holds, case-insensitively."""
    if text.isascii():
        folded = text.lower()
    elif "İ" in text or "ı" in text or "ſ" in text or "K" in text:
        folded = text.translate(_CASE_FOLD).lower()
    else:
        folded = text.lower()
    flags = 0
    for _, bit in _NEEDLE_AUTOMATON.iter(folded):
        flags |= bit
    return flags


def _may_report(flags: int) -> bool:
    """Whether `_REPORTED` can match: one of its words, a colon and "from"/"forwarded"/"pasted", or someone's
    note, email or message ("their email", "the customer's note")."""
    return bool(flags & (_REPORTED_WORDS | _THEIR_NOTE) or (flags & _COLON and flags & _FROM_WORDS))


def shown_words(text: str, *, limit: int = 150) -> str:
    """The message as people see it, quotes and code left out, on one line and at most ``limit`` characters: what a
    tip quotes when no single phrase fired."""
    return textwrap.shorten(" ".join(_visible(text).split()), limit, placeholder="…")


def next_step_cancels(category: str, words: str) -> bool:
    """Whether the author's own words (see `own_words`) offer a next step that cancels a tip of this category: as
    for the shipped rules, a next step offered or taken, or an action done for them ("it's rescheduled"), cancels a
    brush-off; threats and blame stand ("If you don't pay, we'll suspend your account" names a step too)."""
    if category != "brush_off":
        return False
    return _offers_next_step(words) or _DONE_FOR_THEM.search(words) is not None


def _offers_next_step(words: str) -> bool:
    """Whether normalized words (apostrophes unified) offer or report a next step; "I can" inside a refusal
    ("nothing on our side I can change") offers none."""
    if _NOTHING_I_CAN.search(words):
        words = _NOTHING_I_CAN.sub(" ; ", words)
    return _NEXT_STEP.search(words) is not None
