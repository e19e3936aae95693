"""The private tip's Block Kit: the author's words quoted safely, the alternative, the two buttons."""

from __future__ import annotations

import json

from bot.blocks.nudges import build_nudge, build_nudges_switched, read_nudge_value
from bot.domain.tone import ToneMatcher, ToneRule


def test_the_tip_quotes_the_words_escaped_and_offers_the_alternative() -> None:
    rule = ToneRule(
        id="custom.1",
        category="brush_off",
        phrases=("not my circus",),
        alternative="Let me find <who> can help & stay on it",
        principle="Own it",
    )
    [hit] = ToneMatcher.build([rule]).check("Honestly &lt;b&gt; NOT my   circus")
    tip = build_nudge(hit, channel_id="C0SUPPORT", ts="1700000000.000100")
    shown = json.dumps(tip)
    assert "“NOT my circus” can sound like a brush-off" in tip["blocks"][0]["text"]["text"]
    assert "Let me find &lt;who&gt; can help &amp; stay on it" in tip["blocks"][0]["text"]["text"]
    assert "<who>" not in shown
    buttons = tip["blocks"][2]["elements"]
    assert [b["action_id"] for b in buttons] == ["nudge_thanks", "nudge_optout"]
    assert read_nudge_value(buttons[0]["value"]) == ("C0SUPPORT", "1700000000.000100")
    assert read_nudge_value("garbage") is None


def test_switching_tips_on_says_when_the_workspace_has_them_off() -> None:
    assert "turned tone tips off for the whole workspace" in json.dumps(
        build_nudges_switched(enabled=True, workspace_enabled=False)
    )
    assert "/rapport nudges on" in json.dumps(build_nudges_switched(enabled=False, workspace_enabled=True))
