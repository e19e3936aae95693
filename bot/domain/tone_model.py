"""The word model: a logistic regression per tone category over words, word pairs and word triples, shipped as data
(``data/tone_model.json``, written by ``python -m bench.train_tone_model``); pure, no I/O beyond reading that file.

It catches paraphrases no rule was written for ("Shipping delays are the courier's responsibility, you'll need to
chase them"). It reads the same text the rules read (`bot.domain.tone.own_words`: formatting, quotes, reported
speech, log lines and banter already taken out, apostrophes unified) and a next step cancels its verdict as it
cancels a rule's. Scoring costs several times the rules' check, so the intake path never calls it before Slack's
event is acknowledged (see bot.services.nudges.check_with_model).
"""

from __future__ import annotations

import json
import math
import operator
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import ahocorasick

from bot.domain.tone import CATEGORIES, ToneRule, next_step_cancels, own_words, shipped_rules

MODEL_FILE = "tone_model.json"
_WORD = re.compile(r"[a-z0-9']+")
_SUFFIXES = ("ing", "ed", "es", "s", "ly")
# The model reads at most this many written words of a message (the longest it was trained on has 73): a pasted
# page costs little more than a long message, and the rules still read all of it.
MAX_WORDS = 200


_VALUE = operator.itemgetter(1)  # an automaton match's (feature, weights)
# Weights are stored to four places, so scoring adds them as whole ten-thousandths: exact, in any order.
SCALE = 10_000


@dataclass(frozen=True)
class ToneModel:
    """Per category, a bias and the weights of the features it kept; a verdict needs at least ``threshold``."""

    threshold: float
    categories: tuple[tuple[str, float, dict[str, float]], ...]  # category, bias, weights
    # Every kept feature's weights in category order (in ten-thousandths), so scoring looks each feature up once.
    table: dict[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)
    # The kept words, pairs and triples as one automaton over the message's stems joined by spaces (each key padded
    # with spaces, so only whole words match): one pass in C finds them all. Pairs that skip a word are looked up
    # from their first word (word after next -> the feature).
    contiguous: Any = field(init=False, repr=False, compare=False)
    skips: dict[str, dict[str, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table: dict[str, list[int]] = {}
        for i, (_, _, weights) in enumerate(self.categories):
            for feature, weight in weights.items():
                table.setdefault(feature, [0] * len(self.categories))[i] = round(weight * SCALE)
        object.__setattr__(self, "table", {feature: tuple(row) for feature, row in table.items()})
        automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        skips: dict[str, dict[str, str]] = {}
        for feature, row in self.table.items():
            parts = feature.split(" ")
            if len(parts) == 3 and parts[1] == "_":
                skips.setdefault(parts[0], {})[parts[2]] = feature
            else:
                automaton.add_word(f" {feature} ", (feature, row))
        if len(automaton):
            automaton.make_automaton()
        object.__setattr__(self, "contiguous", automaton)
        object.__setattr__(self, "skips", skips)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ToneModel:
        """Read the shipped file's shape: {"threshold": p, "categories": {name: {"bias": b, "weights": {...}}}}."""
        stored = data["categories"]
        categories = tuple(
            (name, float(stored[name]["bias"]), {str(k): float(v) for k, v in stored[name]["weights"].items()})
            for name in CATEGORIES
            if name in stored
        )
        return cls(threshold=float(data["threshold"]), categories=categories)

    def probabilities(self, words: str) -> dict[str, float]:
        """Each category's probability for already-normalized words."""
        return {name: sigmoid(total) for name, total in self._sums(words)}

    def _sums(self, words: str) -> list[tuple[str, float]]:
        """Each category's weight sum, bias included."""
        rows = self._rows(words)
        columns = zip(*rows, strict=True) if rows else ((),) * len(self.categories)
        return [
            (name, bias + sum(column) / SCALE) for (name, bias, _), column in zip(self.categories, columns, strict=True)
        ]

    def _rows(self, words: str) -> list[tuple[int, ...]]:
        """The weights of each distinct feature of `features` that the model kept (the same feature twice in a
        message counts once), found by the automaton and the skipping pairs' index, no feature's string built."""
        table, skips_get = self.table, self.skips.get
        stems = stemmed_tokens(words)
        text = " ".join(("", "<s>", *stems, "</s>", ""))
        seen: dict[str, tuple[int, ...]] = dict(map(_VALUE, self.contiguous.iter(text))) if self.contiguous else {}
        for a, c in zip(stems, stems[2:], strict=False):
            skipping = skips_get(a)
            if skipping is not None:
                found = skipping.get(c)
                if found is not None:
                    seen[found] = table[found]
        return list(seen.values())

    def score(self, text: str) -> tuple[str, float] | None:
        """The most likely category of raw Slack text and its probability, if at or above the threshold and not
        cancelled by the contexts that cancel a rule (quotes, reported speech, log lines, banter, a next step)."""
        words = own_words(text)
        if words is None:
            return None
        # The highest sum is the highest probability (the first category wins a tie, as sigmoid's clamp makes one).
        best = max(self._sums(words), key=lambda item: max(-30.0, min(30.0, item[1])), default=None)
        if best is None:
            return None
        verdict = (best[0], sigmoid(best[1]))
        if verdict[1] < self.threshold or next_step_cancels(verdict[0], words):
            return None
        return verdict


# Chat spellings and run-together contractions, read as the word people mean ("u'll" is "you'll", "pls" is
# "please", "dont" is "don't"): one feature for each, so a paraphrase typed on a phone meets the weights its
# careful spelling trained.
# fmt: off
_CANONICAL = {
    "u": "you", "ya": "you", "yu": "you", "ur": "your", "yr": "your", "urs": "yours", "urself": "yourself",
    "u'll": "you'll", "youll": "you'll", "u'd": "you'd", "youd": "you'd", "u're": "you're", "youre": "you're",
    "u've": "you've", "youve": "you've", "r": "are", "pls": "please", "plz": "please", "pleas": "please",
    "msg": "message", "msgs": "messages", "mssg": "message", "dept": "department", "depts": "departments",
    "b4": "before", "bc": "because", "cuz": "because", "coz": "because", "cos": "because", "tho": "though",
    "thru": "through", "w": "with", "n": "and", "thx": "thanks", "ty": "thanks", "info": "information",
    "ppl": "people", "gonna": "going to", "gotta": "got to", "wanna": "want to", "idk": "i don't know",
    "dunno": "don't know", "lmk": "let me know", "rn": "right now", "prob": "probably", "probs": "probably",
    "dont": "don't", "cant": "can't", "wont": "won't", "didnt": "didn't", "doesnt": "doesn't", "isnt": "isn't",
    "arent": "aren't", "wasnt": "wasn't", "werent": "weren't", "havent": "haven't", "hasnt": "hasn't",
    "shouldnt": "shouldn't", "wouldnt": "wouldn't", "couldnt": "couldn't", "im": "i'm", "ive": "i've",
    "id": "i'd", "ill": "i'll", "thats": "that's", "theres": "there's", "whats": "what's", "cannot": "can't",
    "shouldve": "should've", "couldve": "could've", "wouldve": "would've", "theyre": "they're", "its": "it's",
    "teh": "the", "recieve": "receive", "recieved": "received", "definately": "definitely", "alot": "a lot",
    "becuase": "because", "beacuse": "because", "anymore": "any more", "somethin": "something",
}
# Long forms read as the contraction ("you will" is "you'll", "do not" is "don't").
_JOINED = {
    ("do", "not"): "don't", ("does", "not"): "doesn't", ("did", "not"): "didn't", ("can", "not"): "can't",
    ("will", "not"): "won't", ("would", "not"): "wouldn't", ("should", "not"): "shouldn't",
    ("could", "not"): "couldn't", ("is", "not"): "isn't", ("are", "not"): "aren't", ("was", "not"): "wasn't",
    ("were", "not"): "weren't", ("have", "not"): "haven't", ("has", "not"): "hasn't", ("had", "not"): "hadn't",
    ("i", "am"): "i'm", ("you", "are"): "you're", ("we", "are"): "we're", ("they", "are"): "they're",
    ("it", "is"): "it's", ("that", "is"): "that's", ("there", "is"): "there's", ("i", "will"): "i'll",
    ("you", "will"): "you'll", ("we", "will"): "we'll", ("they", "will"): "they'll", ("it", "will"): "it'll",
    ("i", "have"): "i've", ("we", "have"): "we've", ("you", "would"): "you'd", ("we", "would"): "we'd",
    ("i", "would"): "i'd", ("should", "have"): "should've", ("could", "have"): "could've",
    ("would", "have"): "would've",
}
# fmt: on
_JOINED_SECOND = frozenset(second for _, second in _JOINED)


def tokens(words: str) -> list[str]:
    """Normalized text as the model's words: anything but letters, digits and ' splits words; chat spellings and
    long forms are read as the word people mean; only the first MAX_WORDS written words are read."""
    found: list[str] = []
    for raw in _WORD.findall(words)[:MAX_WORDS]:
        word = raw.strip("'")
        if not word:
            continue
        canonical = _CANONICAL.get(word, word)
        if " " in canonical:
            found.extend(canonical.split())
            continue
        if found and (found[-1], canonical) in _JOINED:
            found[-1] = _JOINED[(found[-1], canonical)]
            continue
        found.append(canonical)
    return found


# Each word as written, read once: its words after `tokens` reads it (chat spellings), their stems, and whether it
# stood for several words ("gonna"). Bounded: cleared when full.
_READ: dict[str, tuple[tuple[str, ...], tuple[str, ...], bool]] = {}
_READ_LIMIT = 65_536


def stemmed_tokens(words: str) -> list[str]:
    """`stem` of each of `tokens`, with each written word's reading cached: what scoring reads."""
    found: list[str] = []
    previous = ""
    read = _READ
    for raw in _WORD.findall(words)[:MAX_WORDS]:
        known = read.get(raw)
        if known is None:
            if len(read) >= _READ_LIMIT:
                read.clear()
            word = raw.strip("'")
            canonical = _CANONICAL.get(word, word)
            parts = tuple(canonical.split()) if word else ()
            known = read[raw] = (parts, tuple(stem(part) for part in parts), " " in canonical)
        parts, stems, several = known
        if not parts:
            continue
        if several:
            found.extend(stems)
            previous = parts[-1]
            continue
        joined = _JOINED.get((previous, parts[0])) if found and parts[0] in _JOINED_SECOND else None
        if joined is not None:
            found[-1] = stem(joined)
            previous = joined
            continue
        found.append(stems[0])
        previous = parts[0]
    return found


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """A light stem, so "escalating", "escalated" and "escalates" share their weights ("escalat")."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


# Function words: alone they say nothing about tone ("this", "anyone", "we'll"), so they are no feature on their own,
# only inside the pairs and triples that carry a phrase ("per my last", "we'll suspend"). "You" and "your" stay:
# who a message is addressed to is part of its tone.
# fmt: off
_FUNCTION_WORDS = frozenset((
    "a", "an", "the", "this", "that", "these", "those", "it", "it's", "its", "there", "there's", "here", "what",
    "what's", "which", "who", "whom", "whose", "when", "where", "why", "how", "anyone", "anybody", "anything",
    "someone", "somebody", "something", "everyone", "everybody", "everything", "any", "some", "all", "each",
    "every", "i", "i'm", "i'll", "i've", "i'd", "me", "my", "mine", "myself", "we", "we're", "we'll", "we've",
    "we'd", "us", "our", "ours", "he", "she", "him",
    "her", "his", "they", "they're", "they'll", "them", "their", "it'll", "that's", "is", "are", "was", "were", "be",
    "been", "being", "am", "do", "does", "did", "doing", "have", "has", "had", "having", "will", "would", "shall",
    "should", "can", "could", "may", "might", "must", "going", "to", "of", "in", "on", "at", "by", "for", "with",
    "about", "from", "into", "onto", "over", "under", "up", "down", "out", "off", "as", "than", "then", "so", "and",
    "or", "but", "if", "because", "while", "just", "also", "too", "very", "really", "again", "still", "yet",
    "already", "now", "get", "got", "go", "see", "let", "let's", "ok", "okay", "yes", "yeah", "no",
))
# fmt: on


def features(words: str) -> set[str]:
    """Stemmed words (see `tokens`), word pairs and triples with the message's start and end as words ("<s> read
    the"), and pairs that skip one word ("if _ don't"), which carry a phrase family over the word in its slot."""
    stems = [stem(word) for word in tokens(words)]
    found = {word for word in stems if word not in _FUNCTION_WORDS}
    bounded = ["<s>", *stems, "</s>"]
    found.update(f"{a} {b}" for a, b in zip(bounded, bounded[1:], strict=False))
    found.update(f"{a} {b} {c}" for a, b, c in zip(bounded, bounded[1:], bounded[2:], strict=False))
    found.update(f"{a} _ {c}" for a, c in zip(stems, stems[2:], strict=False))
    return found


def sigmoid(z: float) -> float:
    """The logistic function, clamped so that no weight sum overflows."""
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@cache
def shipped_model() -> ToneModel:
    """The model shipped in the package, read once per process."""
    text = resources.files("bot.domain").joinpath("data", MODEL_FILE).read_text(encoding="utf-8")
    return ToneModel.from_json(json.loads(text))


def score(text: str) -> tuple[str, float] | None:
    """The shipped model's verdict on raw Slack text: (category, probability), or None."""
    return shipped_model().score(text)


@cache
def default_rule(category: str) -> ToneRule:
    """What a model tip suggests: the alternative and principle of the category's first shipped rule."""
    first = next(rule for rule in shipped_rules() if rule.category == category)
    return ToneRule(
        id=f"model.{category}", category=category, phrases=(), alternative=first.alternative, principle=first.principle
    )
