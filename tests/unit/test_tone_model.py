"""The word model shipped as data: it loads, scores deterministically, catches paraphrases the rules miss, and the
contexts that cancel a rule's tip cancel its verdict too."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from bot.domain import tone_model
from bot.domain.tone import CATEGORIES, ToneMatcher, shipped_rules

RULES = ToneMatcher.build(shipped_rules())


def test_the_shipped_model_loads_once_with_every_category_and_its_threshold() -> None:
    model = tone_model.shipped_model()
    assert model is tone_model.shipped_model()
    assert [name for name, _, _ in model.categories] == list(CATEGORIES)
    assert model.threshold == 0.75  # chosen by python -m bench.bench_tone_model --cv
    assert all(len(weights) > 1_000 for _, _, weights in model.categories)
    raw = resources.files("bot.domain").joinpath("data", tone_model.MODEL_FILE).read_text(encoding="utf-8")
    assert json.loads(raw)["threshold"] == model.threshold


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Your IT people will have to deal with that one.", "brush_off"),
        ("Honestly that's on your accounting team to sort out.", "brush_off"),
        ("_Your IT people will have to deal with that one._", "brush_off"),  # Slack italics
        ("Your IT people’ll have to deal with that one.", "brush_off"),  # a phone's apostrophe
    ],
)
def test_paraphrases_the_rules_miss_are_caught(text: str, category: str) -> None:
    assert RULES.check(text) == []
    verdict = tone_model.score(text)
    assert verdict is not None and verdict[0] == category and verdict[1] >= tone_model.shipped_model().threshold


@pytest.mark.parametrize(
    "text",
    [
        "Thanks, the invoice is attached.",
        "Let's meet Thursday to go over the rollout.",
        "I've asked the team and we'll have an answer for you by Friday.",
        "Good morning! The export finished overnight.",
        "",
        "   ",
    ],
)
def test_ordinary_replies_are_left_alone(text: str) -> None:
    assert tone_model.score(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Customer wrote: your IT people will have to deal with that one.",
        'Their reply was "your IT people will have to deal with that one"',
        "> Your IT people will have to deal with that one.",
        "Your IT people will have to deal with that one 😂",
        "your IT people will have to deal with that one lol",
        "2026-12-01 09:14 WARN your IT people will have to deal with that one",
        "Your IT people will have to deal with that one, but I've already emailed them for you.",
        "Your IT people will have to deal with that one; I'll stay on the thread with them.",
    ],
)
def test_quotes_reported_speech_banter_log_lines_and_next_steps_cancel(text: str) -> None:
    assert tone_model.score(text) is None


def test_scores_are_deterministic() -> None:
    text = "Your IT people will have to deal with that one."
    model = tone_model.shipped_model()
    assert {tone_model.score(text) for _ in range(5)} == {tone_model.score(text)}
    again = tone_model.ToneModel.from_json(
        json.loads(resources.files("bot.domain").joinpath("data", tone_model.MODEL_FILE).read_text(encoding="utf-8"))
    )
    assert again.score(text) == model.score(text)


def test_a_tip_from_the_model_suggests_its_categorys_shipped_alternative() -> None:
    for category in CATEGORIES:
        rule = tone_model.default_rule(category)
        first = next(r for r in shipped_rules() if r.category == category)
        assert (rule.id, rule.category, rule.alternative) == (f"model.{category}", category, first.alternative)


def test_the_shipped_file_is_what_the_training_script_writes() -> None:
    from bench.bench_tone_model import train_shipped

    raw = resources.files("bot.domain").joinpath("data", tone_model.MODEL_FILE).read_text(encoding="utf-8")
    assert train_shipped() == json.loads(raw)


def test_chat_spellings_and_long_forms_are_read_as_the_words_people_mean() -> None:
    assert tone_model.tokens("u'll need 2 call ur bank pls") == [
        "you'll",
        "need",
        "2",
        "call",
        "your",
        "bank",
        "please",
    ]
    assert tone_model.tokens("you will have to") == tone_model.tokens("youll have to") == ["you'll", "have", "to"]
    assert tone_model.tokens("i do not know") == tone_model.tokens("idk") == ["i", "don't", "know"]
    assert tone_model.tokens("not my dept, per my last msg") == tone_model.tokens(
        "not my department per my last message"
    )
    assert tone_model.tokens("'quoted' words") == ["quoted", "words"]


def test_features_are_stems_with_the_edges_and_pairs_that_skip_a_word() -> None:
    found = tone_model.features("we escalated it")
    assert {"we", "escalat", "it"} <= found
    assert {"<s> we", "it </s>", "<s> we escalat", "we escalat it", "we _ it"} <= found
    assert tone_model.stem("escalating") == tone_model.stem("escalated") == "escalat"
    assert tone_model.stem("docs") == "docs"  # too short to cut


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Shipping's the courier's job, u'll have to chase them urself.", "brush_off"),
        ("Honestly that's one for your payroll people, not something we look at.", "brush_off"),
        ("Stop opening duplicate tickets or we'll lock the whole account.", "threat"),
        ("Your intern deleted the records, that's why the report is empty.", "blame"),
    ],
)
def test_paraphrases_in_chat_spellings_are_caught_by_rules_or_model(text: str, category: str) -> None:
    verdict = tone_model.score(text)
    assert category in {hit.rule.category for hit in RULES.check(text)} or (verdict and verdict[0] == category)


def test_the_training_sets_never_hold_a_held_out_message() -> None:
    from bench.bench_tone_model import FIXTURES, TRAINING_FILES
    from bench.bench_tone_quality import HELD_OUT_ROUNDS, read_rows

    trained = {row.text.strip().lower() for path in TRAINING_FILES for row in read_rows(path)}
    for name in HELD_OUT_ROUNDS:
        held_out = {row.text.strip().lower() for row in read_rows(FIXTURES / name)}
        assert not trained & held_out, name
    assert len(read_rows(FIXTURES / "tone_training.tsv")) >= 1_000
