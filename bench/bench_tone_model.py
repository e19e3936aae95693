"""Would a small word model beat the tone rules? Train a logistic regression per category over word n-grams (pure
Python, seeded) on the labelled sets, then print, for a held-out set, the rules alone, the model alone and the rules
with the model's confident hits added, and what scoring the model costs per message next to the rules.

Run from the repository root:  python -m bench.bench_tone_model  [--file HELD_OUT] [--threshold P]

Nothing here ships: the model is rebuilt in memory on every run. It was measured for issue 12 and left out
because scoring every message costs several times the tone rules (see docs/settings.md); the figures say
whether that choice is still right. Rows in an internal channel or written by a customer are left out of
training and of the model's hits (the intake path never scores them).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

# Running as a plain script puts bench/ (not the repository root) on sys.path.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from bench.bench_matching import generate_directory, generate_messages  # noqa: E402
from bench.bench_tone import generate_custom_rules, mix_in_tone  # noqa: E402
from bench.bench_tone_quality import Row, judge, read_rows  # noqa: E402
from bot.domain.tone import CATEGORIES, ToneMatcher, shipped_rules  # noqa: E402

FIXTURES = _ROOT / "tests" / "fixtures"
TRAINING_FILES = (FIXTURES / "tone_messages.tsv", FIXTURES / "tone_messages_holdout.tsv")
HELD_OUT = FIXTURES / "tone_heldout_r8.tsv"
THRESHOLD = 0.8  # chosen for precision before the model met a held-out set
EPOCHS = 15
RATE = 0.2
L2 = 1e-4
SEED = 7
WORD = "abcdefghijklmnopqrstuvwxyz0123456789'"

Model = list[tuple[dict[str, float], float]]  # per category: weights, bias


def features(text: str) -> set[str]:
    """Words, word pairs and word triples of a message, lower-cased, Slack's _*~ marks dropped."""
    cleaned = "".join(c if c in WORD else " " for c in text.lower().replace("’", "'"))
    words = cleaned.split()
    found = set(words)
    found.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    found.update(f"{a} {b} {c}" for a, b, c in zip(words, words[1:], words[2:], strict=False))
    return found


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def train(rows: Sequence[Row]) -> Model:
    """One logistic regression per category (AdaGrad, a little L2), against the rest."""
    model: Model = []
    for category in CATEGORIES:
        data = [(sorted(features(row.text)), 1.0 if category in row.expected else 0.0) for row in rows]
        weights: dict[str, float] = {}
        squares: dict[str, float] = {}
        bias = 0.0
        rng = random.Random(SEED)
        for _ in range(EPOCHS):
            rng.shuffle(data)
            for feats, label in data:
                gradient = _sigmoid(bias + sum(weights.get(f, 0.0) for f in feats)) - label
                bias -= RATE * gradient
                for f in feats:
                    w = weights.get(f, 0.0)
                    g = gradient + L2 * w
                    squares[f] = squares.get(f, 0.0) + g * g
                    weights[f] = w - RATE * g / math.sqrt(squares[f] + 1e-8)
        model.append((weights, bias))
    return model


def found(model: Model, text: str, threshold: float) -> frozenset[str]:
    """The categories the model scores at or above the threshold."""
    feats = features(text)
    return frozenset(
        category
        for category, (weights, bias) in zip(CATEGORIES, model, strict=True)
        if _sigmoid(bias + sum(weights.get(f, 0.0) for f in feats)) >= threshold
    )


def _figures(rows: Sequence[Row], got: Sequence[frozenset[str]]) -> str:
    tp = sum(len(g & r.expected) for r, g in zip(rows, got, strict=True))
    fp = sum(len(g - r.expected) for r, g in zip(rows, got, strict=True))
    total = sum(len(r.expected) for r in rows)
    per = []
    for category in CATEGORIES:
        wanted = [g for r, g in zip(rows, got, strict=True) if category in r.expected]
        per.append(f"{category} {sum(category in g for g in wanted) / max(1, len(wanted)):.3f}")
    return f"precision {tp / max(1, tp + fp):.3f}  recall {tp / max(1, total):.3f}  ({', '.join(per)})"


def _rules_got(rows: Sequence[Row]) -> list[frozenset[str]]:
    matcher = ToneMatcher.build(shipped_rules())
    got = []
    for row in rows:
        quality = judge([row], matcher=matcher)
        wrong = quality.misses or quality.false_nudges
        got.append(wrong[0][1] if wrong else row.expected)
    return got


def _cost(model: Model, threshold: float) -> tuple[float, float]:
    """Microseconds per message: the shipped rules' check, and the model's scoring, on the speed bench's messages."""
    messages = mix_in_tone(generate_messages(generate_directory(2_000), 3_000), generate_custom_rules())
    matcher = ToneMatcher.build(shipped_rules())
    timings = []
    for check in (matcher.check, lambda text: found(model, text, threshold)):
        best = math.inf
        for _ in range(3):
            start = time.perf_counter()
            for text in messages:
                check(text)
            best = min(best, time.perf_counter() - start)
        timings.append(best / len(messages) * 1e6)
    return timings[0], timings[1]


def main(argv: list[str] | None = None) -> int:
    """Train on the labelled sets, judge the held-out set, time the scoring."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=HELD_OUT, help="the held-out labelled TSV")
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    args = parser.parse_args(argv)
    training = [row for path in TRAINING_FILES for row in read_rows(path) if not row.context]
    model = train(training)
    held_out = read_rows(args.file)
    rules = _rules_got(held_out)
    alone = [frozenset() if row.context else found(model, row.text, args.threshold) for row in held_out]
    print(f"trained on {len(training)} messages; {args.file.name}: {len(held_out)} messages")
    print(f"threshold {args.threshold}")
    print("rules alone:    " + _figures(held_out, rules))
    print("model alone:    " + _figures(held_out, alone))
    print("rules + model:  " + _figures(held_out, [a | b for a, b in zip(rules, alone, strict=True)]))
    rules_us, model_us = _cost(model, args.threshold)
    weights = sum(len(w) for w, _ in model)
    print(f"cost per message: rules {rules_us:.1f} us, model {model_us:.1f} us (pure Python, {weights} weights)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
