"""Tests for rendering Slack mrkdwn text: visible text, matchable text and excerpts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.slack_text import excerpt, matchable_text, visible_text

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
