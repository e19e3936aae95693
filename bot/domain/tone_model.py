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
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from bot.domain.tone import CATEGORIES, ToneRule, next_step_cancels, own_words, shipped_rules

MODEL_FILE = "tone_model.json"
_WORD = re.compile(r"[a-z0-9']+")
_SUFFIXES = ("ing", "ed", "es", "s", "ly")


@dataclass(frozen=True)
class ToneModel:
    """Per category, a bias and the weights of the features it kept; a verdict needs at least ``threshold``."""

    threshold: float
    categories: tuple[tuple[str, float, dict[str, float]], ...]  # category, bias, weights
    # Every kept feature's weights in category order, so scoring looks each feature up once.
    table: dict[str, tuple[float, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table: dict[str, list[float]] = {}
        for i, (_, _, weights) in enumerate(self.categories):
            for feature, weight in weights.items():
                table.setdefault(feature, [0.0] * len(self.categories))[i] = weight
        object.__setattr__(self, "table", {feature: tuple(row) for feature, row in table.items()})

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
        sums = [bias for _, bias, _ in self.categories]
        table = self.table
        for feature in features(words):
            row = table.get(feature)
            if row is not None:
                for i, weight in enumerate(row):
                    sums[i] += weight
        return {name: sigmoid(total) for (name, _, _), total in zip(self.categories, sums, strict=True)}

    def score(self, text: str) -> tuple[str, float] | None:
        """The most likely category of raw Slack text and its probability, if at or above the threshold and not
        cancelled by the contexts that cancel a rule (quotes, reported speech, log lines, banter, a next step)."""
        words = own_words(text)
        if words is None:
            return None
        best = max(self.probabilities(words).items(), key=lambda item: item[1], default=None)
        if best is None or best[1] < self.threshold or next_step_cancels(best[0], words):
            return None
        return best


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


def tokens(words: str) -> list[str]:
    """Normalized text as the model's words: anything but letters, digits and ' splits words; chat spellings and
    long forms are read as the word people mean."""
    found: list[str] = []
    for raw in _WORD.findall(words):
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
