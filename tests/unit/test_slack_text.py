"""Tests for rendering Slack mrkdwn text: visible text, matchable text and excerpts."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.slack_text import (
    PERSON_MARK,
    Part,
    Person,
    as_slack_text,
    excerpt,
    matchable_text,
    one_line,
    parse_slack_text,
    searchable_text,
    shortened,
    slack_length,
    visible_text,
)

# Text made of the characters that matter to the token grammar, so hypothesis finds edge cases fast.
slackish_text = st.text(alphabet=st.sampled_from("<>|@#!^&;amplgt:/ xyU1\n\t…é😀"), max_size=80) | st.text()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain text", "plain text"),
        ("Q&amp;A &lt;b&gt; done", "Q&A <b> done"),
        ("&amp;lt; stays escaped once", "&lt; stays escaped once"),
        ("see <https://x.com|Acme site>", "see Acme site"),
        ("see <https://acme.com>", "see https://acme.com"),
        ("mail <mailto:a@b.c>", "mail mailto:a@b.c"),
        ("mail <mailto:a@b.c|a@b.c>", "mail a@b.c"),
        ("<https://x.com?a=1&amp;b=2>", "https://x.com?a=1&b=2"),
        ("<https://x.com|Q&amp;A &lt;3>", "Q&A <3"),
        ("hi <@U123>", "hi @someone"),
        ("hi <@U123|lee>", "hi @lee"),
        ("in <#C123|support>", "in #support"),
        ("in <#C123>", "in #channel"),
        ("<!here> <!channel> <!everyone>", "@here @channel @everyone"),
        ("<!here|here> now", "@here now"),
        ("<!subteam^S123|@team> ping", "@team ping"),
        ("<!subteam^S123> ping", "@group ping"),
        ("due <!date^1392734382^{date_pretty}|Feb 18, 2014>", "due Feb 18, 2014"),
        ("a <b without close", "a <b without close"),
        ("<>", "<>"),
    ],
)
def test_visible_text(raw: str, expected: str) -> None:
    assert visible_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain Acme text", "plain Acme text"),
        ("hi <@U1|acme> there", "hi   there"),
        ("<#C1|acme>,<!here>,<!subteam^S1|@acme>", " , , "),
        ("see <https://x.com|Acme site>", "see Acme site"),
        ("see <https://acme.com>", "see https://acme.com"),
        ("AT&amp;T", "AT&T"),
        ("on <!date^1^{date}|Feb 18>", "on Feb 18"),
    ],
)
def test_matchable_text_hides_mentions_and_keeps_links(raw: str, expected: str) -> None:
    assert matchable_text(raw) == expected


def test_fast_path_returns_text_unchanged() -> None:
    text = "nothing to render here, just words"
    assert visible_text(text) is text
    assert matchable_text(text) is text


def test_excerpt_short_text_is_collapsed_not_cut() -> None:
    assert excerpt("  Acme\n\n renewal \t<https://x.com|link>  ") == "Acme renewal link"


def test_excerpt_cuts_long_text_with_ellipsis() -> None:
    text = " ".join(f"word{i}" for i in range(200))
    result = excerpt(text)
    assert len(result) <= 280
    assert result.endswith("…")
    assert result.startswith("word0 word1")


def test_excerpt_window_around_index() -> None:
    text = " ".join(f"w{i:04d}" for i in range(300))
    around = text.index("w0150")
    result = excerpt(text, around=around, limit=60)
    assert len(result) <= 60
    assert result.startswith("…")
    assert result.endswith("…")
    assert "w0150" in result


def test_excerpt_window_at_the_end() -> None:
    text = " ".join(f"w{i:04d}" for i in range(300))
    result = excerpt(text, around=len(text) - 1, limit=40)
    assert result.startswith("…")
    assert result.endswith("w0299")
    assert len(result) <= 40


@pytest.mark.parametrize("limit", [0, 1, 2, 3, 4])
def test_excerpt_tiny_limits(limit: int) -> None:
    result = excerpt("a long enough text to be cut", around=10, limit=limit)
    assert len(result) <= limit


@given(slackish_text)
def test_rendering_never_raises(text: str) -> None:
    assert isinstance(visible_text(text), str)
    assert isinstance(matchable_text(text), str)


@given(slackish_text, st.none() | st.integers(min_value=-10, max_value=400), st.integers(-2, 300))
def test_excerpt_never_exceeds_limit(text: str, around: int | None, limit: int) -> None:
    assert len(excerpt(text, around=around, limit=limit)) <= max(limit, 0)


@given(st.text(alphabet="abcdef ", min_size=1, max_size=400), st.integers(0, 399), st.integers(3, 120))
def test_excerpt_is_a_window_of_the_text_covering_around(text: str, around: int, limit: int) -> None:
    flat = " ".join(text.split())
    result = excerpt(text, around=around, limit=limit)
    core = result.strip("…")
    assert core in flat
    if len(flat) > limit and core and flat[min(around, len(flat) - 1)] != " ":
        pos = min(around, len(flat) - 1)
        starts = [i for i in range(len(flat)) if flat.startswith(core, i)]
        assert any(s <= pos < s + len(core) for s in starts)


# --- parts: words and people ------------------------------------------------------------------------------

STEPH, LEE = Person("U0STEPH"), Person("W0LEE", "lee")


@pytest.mark.parametrize(
    ("raw", "parts"),
    [
        ("", ()),
        ("plain", ("plain",)),
        ("hi <@U0STEPH>!", ("hi ", STEPH, "!")),
        ("<@W0LEE|lee>", (LEE,)),
        ("<@U0STEPH><@W0LEE|lee>", (STEPH, LEE)),
        ("<@u0steph> <@U0 X> <@B0BOT>", ("@someone @someone @someone",)),  # not user IDs: words, never a person
        ("<@U0STEPH|a &amp; b>", (Person("U0STEPH", "a & b"),)),
        ("see <https://x|ticket 1>", ("see ticket 1",)),
        ("<https://x?a=1&amp;b=2>", ("https://x?a=1&b=2",)),
        ("<mailto:a@b.c|mail me>", ("mail me",)),
        ("in <#C0SUPPORT|support> and <#C0ACME>", ("in #support and #channel",)),
        ("<!here> <!channel|channel> <!everyone>", ("@here @channel @everyone",)),
        ("<!subteam^S0TEAM|@support> <!subteam^S0TEAM>", ("@support @group",)),
        ("due <!date^1392734382^{date_pretty}|Feb 18, 2014>", ("due Feb 18, 2014",)),
        ("AT&amp;T &lt;3 &amp;lt; &gt;", ("AT&T <3 &lt; >",)),
        ("&lt;@U0STEPH&gt; &lt;!here&gt;", ("<@U0STEPH> <!here>",)),  # typed: text, never a person or a ping
        ("a <b without close", ("a <b without close",)),
        ("<<@U0STEPH>> <>", ("<", STEPH, "> <>")),
    ],
)
def test_parse_slack_text(raw: str, parts: tuple[Part, ...]) -> None:
    assert parse_slack_text(raw) == parts


def test_a_person_is_a_valid_user_id() -> None:
    for bad in ("", "U", "u123", "C0SUPPORT", "U0STEPH>", "U0 STEPH", "U0STEPH|x"):
        with pytest.raises(ValueError, match="not a Slack user ID"):
            Person(bad)


def test_one_line_collapses_whitespace_around_people() -> None:
    assert one_line(parse_slack_text("  hi\n\n<@U0STEPH>\t and  <@W0LEE|lee>  \n")) == ("hi ", STEPH, " and ", LEE)
    assert one_line(("  ", STEPH, "  ")) == (STEPH,)
    assert one_line(("a", " \n ", "b")) == ("a b",)


def test_as_slack_text_writes_entities_and_bare_mentions() -> None:
    assert as_slack_text(("AT&T <3 ", LEE, " > ", STEPH)) == "AT&amp;T &lt;3 <@W0LEE> &gt; <@U0STEPH>"
    assert parse_slack_text(as_slack_text(("AT&T <3 ", LEE))) == ("AT&T <3 ", Person("W0LEE"))


def test_searchable_text_counts_a_person_as_one_character() -> None:
    parts = parse_slack_text("hi <@U0STEPH> and <@W0LEE|lee>")
    assert searchable_text(parts) == f"hi {PERSON_MARK} and {PERSON_MARK}"


def test_excerpt_keeps_the_people_and_reads_the_rest() -> None:
    raw = "Huge thanks to <@U0STEPH> for fixing <https://x|ticket 1> for Acme <!here> &lt;b&gt;"
    assert excerpt(raw) == "Huge thanks to <@U0STEPH> for fixing ticket 1 for Acme @here &lt;b&gt;"


def test_shortened_never_cuts_a_person_or_an_entity() -> None:
    parts = one_line(parse_slack_text("<@U0STEPH> &amp; <@U0STEPH> &amp; <@U0STEPH>"))
    assert slack_length(STEPH) == len("<@U0STEPH>") and slack_length("a&<>") == 1 + 5 + 4 + 4
    for limit in range(0, 50):
        cut = shortened(parts, limit=limit)
        text = as_slack_text(cut)
        assert len(text) <= limit
        assert parse_slack_text(text).count(STEPH) == cut.count(STEPH)  # every person whole
        assert all(p in parts or isinstance(p, str) for p in cut)
    assert shortened(parts, limit=20) == (STEPH, " &…")
    assert shortened(parts, limit=10, around=4) == ("…",)  # a person longer than the room left is not shown
    assert shortened(parts, limit=10, around=3) == ("…&…",)


def test_excerpt_window_around_a_name_after_people() -> None:
    text = "<@U0STEPH> " * 40 + "Acme renewal " + "<@W0LEE> " * 40
    parts = one_line(parse_slack_text(text))
    around = searchable_text(parts).find("Acme")
    result = excerpt(text, around=around, limit=60)
    assert result.startswith("…<@") and result.endswith("…") and "Acme renewal" in result and len(result) <= 60


users_and_words = st.lists(
    st.sampled_from(["<@U0STEPH>", "<@W0LEE|lee>", "<!here>", " ", "&amp;", "&lt;", "x", "Acme", "\n", "<#C1|a>"]),
    max_size=60,
).map("".join)


@given(users_and_words | slackish_text, st.none() | st.integers(-5, 200), st.integers(-2, 120))
def test_excerpt_is_slack_text_within_the_limit_that_reads_back_as_itself(
    text: str, around: int | None, limit: int
) -> None:
    result = excerpt(text, around=around, limit=limit)
    assert len(result) <= max(limit, 0)
    assert "<!" not in result and "<#" not in result and "<http" not in result
    assert re.sub(r"<@[UW][A-Z0-9]+>", "", result).count("<") == 0  # the only tokens: people
    assert excerpt(result, limit=max(limit, 0)) == result  # stored, then read again: the same excerpt
