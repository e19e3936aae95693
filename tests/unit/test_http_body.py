"""How deep a body nests, found without parsing it: brackets count only outside strings."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.app import MAX_JSON_DEPTH, nested_deeper_than


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("{}", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('{"a": "[[[[{{{{"}', 1),  # brackets in a string are text
        ('{"a": "\\"[[[[", "b": "\\\\"}', 1),  # escaped quotes and backslashes do not end a string early
        ("[" * 10 + "]" * 10, 10),
    ],
)
def test_depth_counts_brackets_outside_strings(text: str, depth: int) -> None:
    assert not nested_deeper_than(text, depth)
    assert nested_deeper_than(text, depth - 1)


def test_a_deep_body_is_found_at_its_limit_and_slack_sized_bodies_pass() -> None:
    assert nested_deeper_than("[" * 200_000 + "]" * 200_000, MAX_JSON_DEPTH)
    assert nested_deeper_than("[" * 200_000, MAX_JSON_DEPTH)  # never closed: a parser would still descend
    assert nested_deeper_than("[" * 1000 + "[]", MAX_JSON_DEPTH)
    assert not nested_deeper_than('{"a": [' + "1," * 100 + "1]}", MAX_JSON_DEPTH)
    blocks = {"view": {"blocks": [{"elements": [{"elements": [{"elements": [{"style": {"bold": True}}]}]}]}]}}
    assert not nested_deeper_than(json.dumps(blocks), MAX_JSON_DEPTH)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=20,
)


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@given(JSON)
def test_depth_agrees_with_the_parsed_value(value: object) -> None:
    text = json.dumps(value)
    depth = _depth(value)
    assert not nested_deeper_than(text, depth) and (depth == 0 or nested_deeper_than(text, depth - 1))
