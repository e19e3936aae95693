"""The promise matcher: families, times, negatives, quotes, the rules file, and the labelled set's quality."""

from __future__ import annotations

import pytest

from bench.bench_promises import quality, read_labelled
from bot.domain.promises import (
    PromiseMatcher,
    PromiseRule,
    PromiseRulesError,
    find_promise,
    parse_rules,
    spot_promise,
)


@pytest.mark.parametrize(
    ("text", "family", "when", "sentence"),
    [
        ("I'll call Acme back tomorrow", "promise.will-do", "tomorrow", "I'll call Acme back tomorrow"),
        ("I'll get back to you by Friday", "promise.will-do", "by Friday", "I'll get back to you by Friday"),
        (
            "let me check with billing and follow up next week",
            "promise.let-me",
            "next week",
            "let me check with billing and follow up next week",
        ),
        ("will send the invoice on Monday", "promise.will-do", "on Monday", "will send the invoice on Monday"),
        ("I'll ping you in 2 hours", "promise.will-do", "in 2 hours", "I'll ping you in 2 hours"),
        ("Sorry! I’ll call you tomorrow about the refund.", "promise.will-do", "tomorrow", None),
        ("Hi Bob, by Friday I'll ship the new drive.", "promise.will-do", "by Friday", None),
        ("I'll be sending the quote on Thursday", "promise.will-be-doing", "on Thursday", None),
        ("You'll have the invoice by Friday", "promise.handover", "by Friday", None),
        ("Expect an update from me tomorrow morning", "promise.handover", "tomorrow morning", None),
        ("I promise to call you back tomorrow", "promise.promise", "tomorrow", None),
    ],
)
def test_each_family_reads_its_promise_and_time(text: str, family: str, when: str, sentence: str | None) -> None:
    promise = find_promise(text)
    assert promise is not None, text
    assert (promise.rule_id, promise.when.text) == (family, when)
    if sentence is not None:
        assert promise.sentence == sentence
    assert spot_promise(text)


@pytest.mark.parametrize(
    "text",
    [
        "_ill_ send it by eod",  # Slack italics, a chat spelling
        "I’m gonna email u first thing Monday morning",  # curly apostrophe, gonna, u
        "I WILL CALL YOU TOMORROW",
        "lemme dig into this and get back to u tmrw",
        "Sure, will send it Monday",
        "I'll make sure to call them at 3pm.",
    ],
)
def test_promises_are_read_however_people_type_them(text: str) -> None:
    assert find_promise(text) is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "I'll be back tomorrow",
        "we'll see",
        "I'll be out Friday",
        "I'll call in sick tomorrow",
        "I will never call you tomorrow",
        "the system will send it Monday",
        "I called Acme yesterday",
        "I'd send it Friday if I could",
        # someone else's words
        "customer said they'll pay by Friday",
        'He said "I\'ll call you tomorrow"',
        "> I'll call you tomorrow",
        "`will send on Monday`",
        "2026-11-23 10:00 WARN will retry in 2 hours",
        # questions
        "will you call tomorrow?",
        "I'll call them tomorrow, ok?",
        # a promise without a time
        "I'll call you back",
        "let me check with billing and follow up",
    ],
)
def test_no_promise_with_a_time(text: str) -> None:
    assert find_promise(text) is None, text


def test_the_time_is_read_in_the_sentence_of_the_promise() -> None:
    promise = find_promise("The export failed on Monday. I'll look into it and get back to you.")
    assert promise is None  # Monday belongs to another sentence
    promise = find_promise("The export failed. I'll look into it and get back to you by 3.30pm today.")
    assert promise is not None and promise.when.text.endswith("today")


def test_numeric_dates_follow_the_workspace_order() -> None:
    us = find_promise("I'll send the contract on 3/4")
    eu = find_promise("I'll send the contract on 3/4", date_order="DMY")
    assert us is not None and eu is not None
    assert (us.when.month, us.when.amount) != (eu.when.month, eu.when.amount) or us.when.day != eu.when.day


def test_rules_are_data_with_sets_gaps_and_exceptions() -> None:
    text = """
unless = ["i'll .. call it a day"]
[sets]
verb = ["call", "ring"]
[[promise]]
id = "mine"
phrases = ["i'll .. {@verb}"]
"""
    rules, unless, sets = parse_rules(text)
    matcher = PromiseMatcher.build(rules, unless=unless, sets=sets)
    assert matcher.find("I will definitely ring you tomorrow") is not None
    assert matcher.find("ill call it a day at 5pm") is None
    assert matcher.find("I'll email you tomorrow") is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[[promise]]\nid = 'x'\nphrases = ['{@nope} it']", "word set"),
        ("[[promise]]\nid = 'x'\nphrases = []", "list of phrases"),
        ("phrases = [", "not valid TOML"),
        ("[sets]\nverb = ['call']", "no [[promise]]"),
    ],
)
def test_a_broken_rules_file_is_explained(text: str, words: str) -> None:
    with pytest.raises(PromiseRulesError, match=words.replace("[", r"\[").replace("]", r"\]")):
        rules, unless, sets = parse_rules(text)
        PromiseMatcher.build(rules, unless=unless, sets=sets)


def test_an_unknown_set_in_code_is_explained() -> None:
    with pytest.raises(PromiseRulesError, match="word set"):
        PromiseMatcher.build([PromiseRule("x", ("i'll {@nope}",))])


def test_the_labelled_set_is_large_and_read_well() -> None:
    rows = read_labelled()
    assert len(rows) >= 300
    assert sum(wanted for wanted, _ in rows) >= 150 and sum(not wanted for wanted, _ in rows) >= 150
    precision, recall, _, _ = quality(rows)
    assert precision >= 0.95 and recall >= 0.9
