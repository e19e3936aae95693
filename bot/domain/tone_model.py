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
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from bot.domain.tone import CATEGORIES, ToneRule, next_step_cancels, own_words, shipped_rules

MODEL_FILE = "tone_model.json"
_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789'")


@dataclass(frozen=True)
class ToneModel:
    """Per category, a bias and the weights of the features it kept; a verdict needs at least ``threshold``."""

    threshold: float
    categories: tuple[tuple[str, float, dict[str, float]], ...]  # category, bias, weights

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
        feats = features(words)
        return {
            name: sigmoid(bias + sum(weights.get(f, 0.0) for f in feats)) for name, bias, weights in self.categories
        }

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


def features(words: str) -> set[str]:
    """Words, word pairs and word triples of normalized text (anything but letters, digits and ' splits words)."""
    cleaned = "".join(c if c in _WORD else " " for c in words)
    tokens = cleaned.split()
    found = set(tokens)
    found.update(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))
    found.update(f"{a} {b} {c}" for a, b, c in zip(tokens, tokens[1:], tokens[2:], strict=False))
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
