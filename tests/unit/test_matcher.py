"""Tests for the customer-name matcher: the product's rules for what counts as naming a customer."""

from __future__ import annotations

import random
import re
import sys

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.domain.matcher import CustomerMatcher, Match, NameEntry, normalize_name, normalize_text


def matcher(*names: tuple[int, str]) -> CustomerMatcher:
    return CustomerMatcher.build(NameEntry(cid, name) for cid, name in names)


ACME = matcher((1, "Acme"))


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def assert_offsets_consistent(m: CustomerMatcher, text: str) -> list[Match]:
    found = m.find(text)
    scanned = normalize_text(text)
    for match in found:
        assert scanned[match.start : match.end] == normalize_name(match.name)
    return found


# --- normalization ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme", "acme"),
        ("  ACME \t Corp\n", "acme corp"),
        ("Mu\u0308ller GmbH", "müller gmbh"),
        ("MÜLLER\u00a0GMBH", "müller gmbh"),
        ("   ", ""),
        ("", ""),
    ],
)
def test_normalize_name(name: str, key: str) -> None:
    assert normalize_name(name) == key


def test_text_and_names_share_the_word_and_space_rules() -> None:
    # The matcher relies on Python's Unicode \w / \s being exactly isalnum()-or-"_" / isspace(), and on
    # every whitespace character except " " being unprintable; pin both for the running Python.
    word, space = re.compile(r"\w"), re.compile(r"\s")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        assert bool(word.match(char)) == (char.isalnum() or char == "_"), hex(code)
        assert bool(space.match(char)) == char.isspace(), hex(code)
        if char.isspace() and char != " ":
            assert not char.isprintable(), hex(code)


# --- word boundaries, case, punctuation --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Acme's renewal is due",
        "Acme’s renewal is due",
        "call with (ACME) today",
        "talked to acme.",
        "«Acme» again",
        "ACME, Globex and others",
        "is it acme?",
        '"Acme" said',
        "[acme]",
        "acme/globex migration",
        "acme",
        "Acme-based teams",
        "acme\nnext line",
    ],
)
def test_whole_word_matches(text: str) -> None:
    assert ACME.customer_ids(text) == [1]


@pytest.mark.parametrize(
    "text",
    ["Acmeville office", "SuperAcme deal", "acme_corp table", "acme2 release", "the acm e", "ac me"],
)
def test_not_inside_words(text: str) -> None:
    assert ACME.customer_ids(text) == []


def test_boundary_only_where_the_name_has_word_edges() -> None:
    m = matcher((1, "C++ Labs"), (2, "AT&T"), (3, "Yahoo!"), (4, ".NET Shop"))
    assert m.customer_ids("we met c++ labs today") == [1]
    assert m.customer_ids("AT&amp;T renewal") == [2]
    assert m.customer_ids("at&t") == [2]
    assert m.customer_ids("the AT&T's network") == [2]
    assert m.customer_ids("XAT&T") == []
    # "Yahoo!" ends with punctuation, so nothing is required after it.
    assert m.customer_ids("Yahoo!s team") == [3]
    assert m.customer_ids("MyYahoo! team") == []
    # ".NET Shop" starts with punctuation, so nothing is required before it.
    assert m.customer_ids("the ASP.NET Shop") == [4]


def test_names_differing_only_in_punctuation_stay_distinct() -> None:
    m = matcher((1, "AT&T"), (2, "AT-T"), (3, "AT T"))
    assert m.customer_ids("AT&amp;T") == [1]
    assert m.customer_ids("at-t") == [2]
    assert m.customer_ids("at  t") == [3]
    assert m.customer_ids("at.t") == []


def test_punctuation_only_name_aligned_with_text_edges() -> None:
    m = matcher((1, "+"))
    assert m.find("a+") == [Match(1, "+", 1, 2)]
    assert m.find("+a") == [Match(1, "+", 0, 1)]


def test_whitespace_runs_in_text_match_single_spaces_in_names() -> None:
    m = matcher((1, "Acme  Corp"))
    for text in ("Acme Corp", "acme\n\tcorp", "ACME\u00a0CORP", "acme \u2003 corp"):
        assert m.customer_ids(text) == [1], text
    assert m.customer_ids("AcmeCorp") == []
    assert m.customer_ids("acme-corp") == []


# --- Unicode -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Müller GmbH", "Ticket von MÜLLER GMBH"),
        ("Müller GmbH", "Ticket von Mu\u0308ller GmbH"),
        ("Mu\u0308ller GmbH", "Ticket von Müller GmbH"),
        ("Café Noir", "meeting at café noir tomorrow"),
        ("Café Noir", "CAFE\u0301 NOIR!"),
        ("Ωμέγα Τεχνική", "Η ΩΜΈΓΑ ΤΕΧΝΙΚΉ ζήτησε"),
        ("Газпром", "Звонок от ГАЗПРОМ, срочно"),
        ("Газпром", "«Газпром»"),
        ("Acme", "🚀Acme🚀 launch"),
        ("Acme", "thanks 🙏acme"),
        ("Straße AG", "die STRAßE AG"),
    ],
)
def test_unicode_names(name: str, text: str) -> None:
    m = matcher((7, name))
    assert m.customer_ids(text) == [7]
    assert_offsets_consistent(m, text)


def test_unicode_letters_are_word_characters() -> None:
    m = matcher((1, "Acme"), (2, "Газпром"))
    assert m.customer_ids("Acmeé") == []
    assert m.customer_ids("ÉAcme") == []
    assert m.customer_ids("СуперГазпром") == []


def test_scripts_without_spaces_need_punctuation_around_names() -> None:
    # Known limitation: CJK letters are word characters, so a name inside unspaced text does not match.
    m = matcher((1, "アクメ"))
    assert m.customer_ids("株式会社アクメ") == []
    assert m.customer_ids("「アクメ」の件") == [1]


def test_offsets_index_the_normalized_text_even_when_lowercasing_changes_length() -> None:
    m = matcher((1, "İstanbul Tekstil"), (2, "Acme"))
    text = "İSTANBUL TEKSTİL and Acme"
    found = assert_offsets_consistent(m, text)
    assert [x.customer_id for x in found] == [2]  # "TEKSTİL" lowercases to "teksti̇l", not "tekstil"
    found = assert_offsets_consistent(m, "İstanbul Tekstil and Acme")
    assert [x.customer_id for x in found] == [1, 2]
    assert len(normalize_text("İ")) == 2


# --- Slack markup --------------------------------------------------------------------------------------


def test_link_labels_are_scanned() -> None:
    assert ACME.customer_ids("see <https://crm.example.com/42|Acme account>") == [1]


def test_bare_urls_are_scanned_as_words() -> None:
    # Deliberate: a bare URL is visible text, and "https://acme.com" names Acme just like "acme.com"
    # typed by hand would. Only the label of a labelled link is visible, so its URL is not scanned.
    assert ACME.customer_ids("see <https://acme.com>") == [1]
    assert ACME.customer_ids("see <https://acme.com/pricing|pricing>") == []
    assert ACME.customer_ids("see <https://acmeville.com>") == []


@pytest.mark.parametrize(
    "text",
    ["thanks <@U1|acme>", "in <#C1|acme>", "<!subteam^S1|@acme> please look", "<@U1|Acme Corp>"],
)
def test_mention_tokens_never_match(text: str) -> None:
    assert matcher((1, "Acme"), (2, "Acme Corp")).customer_ids(text) == []


def test_mention_token_between_words_does_not_join_them() -> None:
    m = matcher((1, "Acme Corp"))
    assert m.customer_ids("Acme <@U1> Corp") == [1]  # the token leaves one space, like a word gap


def test_escaped_entities_are_unescaped() -> None:
    assert matcher((1, "Smith & Sons")).customer_ids("Smith &amp; Sons called") == [1]
    assert matcher((1, "lt")).customer_ids("a &lt; b") == []


# --- overlaps, aliases, duplicates ----------------------------------------------------------------------


def test_longest_name_wins_at_the_same_start() -> None:
    m = matcher((1, "Acme"), (2, "Acme Corp"))
    assert m.customer_ids("Acme Corp renewal") == [2]
    assert m.customer_ids("Acme Corporation renewal") == [1]
    assert m.customer_ids("Acme Corp and Acme") == [2, 1]


def test_leftmost_match_wins_an_overlap() -> None:
    m = matcher((1, "Acme Corp"), (2, "Corp Labs"))
    found = m.find("acme corp labs")
    assert [(x.customer_id, x.start, x.end) for x in found] == [(1, 0, 9)]
    assert m.customer_ids("corp labs") == [2]


def test_aliases_of_one_customer_all_match_and_ids_are_deduplicated() -> None:
    m = matcher((1, "Acme Corporation"), (1, "Acme"), (1, "ACMEC"), (2, "Globex"))
    found = m.find("ACMEC is Acme, Globex is not Acme Corporation")
    assert [x.name for x in found] == ["ACMEC", "Acme", "Globex", "Acme Corporation"]
    assert m.customer_ids("ACMEC is Acme, Globex is not Acme Corporation") == [1, 2]


def test_same_normalized_name_for_two_customers_reports_both() -> None:
    m = matcher((1, "Acme"), (2, "ACME"), (3, "Globex"))
    found = m.find("acme and globex")
    assert [(x.customer_id, x.name, x.start, x.end) for x in found] == [
        (1, "Acme", 0, 4),
        (2, "ACME", 0, 4),
        (3, "Globex", 9, 15),
    ]
    assert m.customer_ids("globex then acme") == [3, 1, 2]


def test_duplicate_name_for_one_customer_is_stored_once() -> None:
    m = matcher((1, "Acme"), (1, "ACME"), (1, " acme "))
    assert len(m) == 1
    assert m.find("acme") == [Match(1, "Acme", 0, 4)]


def test_empty_names_are_ignored() -> None:
    m = matcher((1, ""), (2, "   "), (3, "\n"))
    assert len(m) == 0
    assert m.find("anything at all") == []
    assert CustomerMatcher.build([]).customer_ids("Acme") == []


def test_len_counts_distinct_names() -> None:
    assert len(matcher((1, "Acme"), (1, "Acme Corp"), (2, "acme corp"), (3, "Globex"))) == 3


def test_matches_are_in_text_order_and_offsets_index_normalized_text() -> None:
    m = matcher((1, "Acme"), (2, "Globex Industries"))
    text = "<@U1|x>  GLOBEX\n\nIndustries met ACME’s team"
    found = assert_offsets_consistent(m, text)
    assert [x.customer_id for x in found] == [2, 1]
    assert normalize_text(text) == " globex industries met acme’s team"


# --- a realistic directory --------------------------------------------------------------------------------

_SYLLABLES = ["ka", "ro", "mi", "zen", "tal", "vor", "qui", "lex", "bra", "nu", "sti", "dor", "fen", "gal", "pix"]
_SUFFIXES = ["Labs", "Inc", "GmbH", "Group", "& Sons", "Systems", ""]


def _company(rng: random.Random) -> str:
    words = [
        "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize() for _ in range(rng.randint(1, 2))
    ]
    return " ".join([*words, rng.choice(_SUFFIXES)]).strip()


@pytest.fixture(scope="module")
def directory() -> tuple[CustomerMatcher, dict[int, str]]:
    rng = random.Random(1234)
    names: dict[int, str] = {}
    seen: set[str] = set()
    while len(names) < 10_000:
        name = _company(rng)
        if normalize_name(name) not in seen:
            seen.add(normalize_name(name))
            names[len(names) + 1] = name
    return CustomerMatcher.build(NameEntry(cid, name) for cid, name in names.items()), names


def test_directory_of_10000_names_finds_sampled_names(directory: tuple[CustomerMatcher, dict[int, str]]) -> None:
    m, names = directory
    assert len(m) == 10_000
    rng = random.Random(99)
    for cid in rng.sample(sorted(names), 300):
        name = names[cid]
        dressed = rng.choice([name, name.upper(), name.lower()])
        dressed = rng.choice(["{}", "{}'s", "({})", "{}.", "«{}»", "{}’s"]).format(dressed)
        text = f"Quick update: {slack_escape(dressed)} asked about the invoice again."
        assert cid in m.customer_ids(text), text
        assert_offsets_consistent(m, text)


def test_directory_of_10000_names_ignores_non_names(directory: tuple[CustomerMatcher, dict[int, str]]) -> None:
    m, names = directory
    keys = {normalize_name(n) for n in names.values()}
    rng = random.Random(7)
    checked = 0
    while checked < 300:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word in keys:
            continue
        checked += 1
        text = f"the {word} export failed for x{word}y"
        assert m.customer_ids(text) == [], text
    # Names glued into longer words are not mentions of those names.
    for cid in random.Random(3).sample(sorted(names), 100):
        glued = f"pre{names[cid]}post"
        assert cid not in m.customer_ids(glued)


# --- properties -------------------------------------------------------------------------------------------

_WEIRD_NAMES = ["Acme", "Acme Corp", "AT&T", "C++ Labs", "+", "Yahoo!", "Müller GmbH", "Ωμέγα", "_", "a b"]
_WEIRD = CustomerMatcher.build(NameEntry(i, n) for i, n in enumerate(_WEIRD_NAMES))
slackish_text = st.text(alphabet=st.sampled_from("<>|@#!&;amp AaCcMmEe+TtΩω_\n\u0308😀’'.-"), max_size=60) | st.text()


@given(slackish_text)
def test_find_never_raises_and_offsets_are_consistent(text: str) -> None:
    found = assert_offsets_consistent(_WEIRD, text)
    spans = sorted({(x.start, x.end) for x in found})
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert end <= start  # non-overlapping


@settings(max_examples=200)
@given(st.text(max_size=20), st.text(max_size=30), st.text(max_size=30))
def test_a_name_set_off_by_spaces_is_always_found(name: str, before: str, after: str) -> None:
    assume(normalize_name(name))
    m = CustomerMatcher.build([NameEntry(1, name), NameEntry(2, "unrelated")])
    text = f"{slack_escape(before)} {slack_escape(name)} {slack_escape(after)}"
    assert 1 in m.customer_ids(text)
    assert_offsets_consistent(m, text)


@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=8), slackish_text)
def test_arbitrary_directories_never_raise(names: list[str], text: str) -> None:
    m = CustomerMatcher.build(NameEntry(i, n) for i, n in enumerate(names))
    assert_offsets_consistent(m, text)
    for i, name in enumerate(names):
        if normalize_name(name):
            assert i in m.customer_ids(f" {slack_escape(name)} ")
