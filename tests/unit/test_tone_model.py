"""The word model shipped as data: it loads, scores deterministically, catches paraphrases the rules miss, and the
contexts that cancel a rule's tip cancel its verdict too."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from bench.bench_tone_quality import Row, read_rows
from bot.domain import tone_model
from bot.domain.tone import CATEGORIES, ToneMatcher, shipped_rules

RULES = ToneMatcher.build(shipped_rules())


def test_the_shipped_model_loads_once_with_every_category_and_its_threshold() -> None:
    model = tone_model.shipped_model()
    assert model is tone_model.shipped_model()
    assert [name for name, _, _ in model.categories] == list(CATEGORIES)
    assert model.threshold == 0.8  # chosen by python -m bench.bench_tone_model --cv
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
    assert "escalat" in found
    assert not {"we", "it"} & found  # function words count only inside pairs and triples
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


# --- precision on everyday chatter (issue 12 point 3): the model must not tip what nobody would call a tone slip ---


def _everyday_rows() -> list[Row]:
    from bench.bench_tone_model import FIXTURES

    return read_rows(FIXTURES / "tone_everyday_heldout.tsv")


def test_the_model_tips_none_of_the_held_out_everyday_messages() -> None:
    rows = _everyday_rows()
    assert len(rows) >= 400 and not any(row.expected for row in rows)
    tipped = [(row.text, tone_model.score(row.text)) for row in rows if tone_model.score(row.text) is not None]
    assert tipped == []


def test_rules_and_model_together_tip_at_most_one_in_a_hundred_everyday_messages() -> None:
    rows = _everyday_rows()
    tipped = [row.text for row in rows if RULES.check(row.text) or tone_model.score(row.text) is not None]
    # Measured 2 of 452 (both rules: "idk who owns that, maybe ops?", "Not my area but I think Pat knows…").
    assert len(tipped) <= len(rows) // 100, tipped


@pytest.mark.parametrize(
    "text",
    [
        "Anyone else seeing the SSO error on staging? Logs at <https://logs.example.com/q/1|this query>",
        "We'll be closed on Monday for the holiday",
        "we'll see",
        "will be in the office on Monday",
        "We're going to be closed next week",
        "I'm going to escalate this and ping you in 20 minutes",
        "Incident resolved, details on our <https://status.example.com|status page>",
        "Thanks! More on the <https://status.example.com|status page>",
    ],
)
def test_function_words_plans_closures_and_status_links_are_no_tone(text: str) -> None:
    assert tone_model.score(text) is None


def test_the_everyday_sets_are_disjoint_and_the_everyday_held_out_set_is_never_trained_on() -> None:
    from bench.bench_tone_model import FIXTURES, TRAINING_FILES
    from bench.bench_tone_quality import read_rows

    assert FIXTURES / "tone_everyday_training.tsv" in TRAINING_FILES
    assert FIXTURES / "tone_everyday_heldout.tsv" not in TRAINING_FILES
    everyday = read_rows(FIXTURES / "tone_everyday_training.tsv")
    assert len(everyday) >= 800 and not any(row.expected for row in everyday)
    trained = {row.text.strip().lower() for path in TRAINING_FILES for row in read_rows(path)}
    assert not trained & {row.text.strip().lower() for row in _everyday_rows()}


def test_round_ten_with_the_model_stays_above_the_targets() -> None:
    from bench.bench_tone_model import FIXTURES, _rules_got, found
    from bench.bench_tone_quality import read_rows

    rows = read_rows(FIXTURES / "tone_heldout_r10.tsv")
    model = tone_model.shipped_model()
    got = [
        rules | (frozenset() if row.context else found(model, row.text))
        for row, rules in zip(rows, _rules_got(rows), strict=True)
    ]
    tp = sum(len(g & row.expected) for row, g in zip(rows, got, strict=True))
    fp = sum(len(g - row.expected) for row, g in zip(rows, got, strict=True))
    # Measured 0.96 / 0.81 (brush-off 0.79, threat 0.84, blame 0.81) after the everyday round; the targets
    # are the floors.
    assert tp / (tp + fp) >= 0.90
    assert tp / sum(len(row.expected) for row in rows) >= 0.75
    for category in CATEGORIES:
        wanted = [g for row, g in zip(rows, got, strict=True) if category in row.expected]
        assert sum(category in g for g in wanted) / len(wanted) >= 0.65, category


def test_fast_scoring_finds_exactly_the_kept_features_the_training_features_give() -> None:
    from bench.bench_tone_model import FIXTURES

    model = tone_model.shipped_model()
    texts = [row.text for path in sorted(FIXTURES.glob("tone_*.tsv")) for row in read_rows(path)]
    texts += ["", "👍", "per my last email", "u'll have 2 call them, idk", "gonna do not do it it it it"]
    for text in texts:
        words = tone_model.own_words(text) or ""
        expected = sorted(model.table[f] for f in tone_model.features(words) if f in model.table)
        assert sorted(model._rows(words)) == expected, text
        assert tone_model.stemmed_tokens(words) == [tone_model.stem(w) for w in tone_model.tokens(words)], text


def test_a_very_long_message_is_read_only_up_to_max_words() -> None:
    long = "thanks for the update " * 1_000 + "your IT people will have to deal with that one"
    assert len(tone_model.tokens(long)) == tone_model.MAX_WORDS
    assert tone_model.score(long) is None
