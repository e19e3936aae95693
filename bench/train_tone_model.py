"""Train the word model and write what ships: bot/domain/data/tone_model.json.

Run from the repository root:  python -m bench.train_tone_model

Reproducible: the same labelled sets (tests/fixtures/tone_messages.tsv, tone_messages_holdout.tsv,
tone_training.tsv and tone_everyday_training.tsv), the same seed and the same pruning give the same file, byte for
byte. The held-out sets (tone_heldout_r8.tsv, tone_heldout_r9.tsv, tone_heldout_r10.tsv, tone_everyday_heldout.tsv)
are never trained on;
`python -m bench.bench_tone_model --shipped --file F` judges the file, `--cv` chooses its threshold.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from bench.bench_tone_model import train_shipped  # noqa: E402

TARGET = _ROOT / "bot" / "domain" / "data" / "tone_model.json"


def main() -> int:
    """Train, prune, write; print the size."""
    model = train_shipped()
    TARGET.write_text(json.dumps(model, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    weights = sum(len(part["weights"]) for part in model["categories"].values())
    print(f"wrote {TARGET.relative_to(_ROOT)}: {weights} weights, {TARGET.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
