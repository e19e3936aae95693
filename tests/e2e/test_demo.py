"""`rapport demo` plays its day and shows what a person would see."""

from __future__ import annotations

import io

from bot.demo import run_demo


def test_demo_transcript() -> None:
    out = io.StringIO()
    assert run_demo(out=out) == 0
    transcript = out.getvalue()
    for expected in (
        "Added *Acme Corp*, owned by @lee",
        "is already a name of *Acme Corp*",
        "Hi! I'm *Rapport*",
        "Acme's drive failed again and they're frustrated.   ✓ recorded 1 mention",
        "Lunch in Acmeville today? @lee you in?   (no customer named)",
        "Rapport now holds 3 mentions.",
        "ACME CORP",
        ">I'll call ACME back this afternoon",
        "• *Initech* · @dana · last touch never",
        "Did you mean `remove`?",
        "Done: 3 Slack Web API calls",
    ):
        assert expected in transcript, expected
