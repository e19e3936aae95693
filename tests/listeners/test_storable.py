"""Storable text: what Slack sends is cleaned of what no database stores, once, before any listener reads it."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.listeners.payloads import MAX_ROW_ID, make_storable, row_id, storable

ANY_TEXT = st.text(st.characters(exclude_categories=()))


def test_nul_and_lone_surrogates_become_the_replacement_character() -> None:
    assert storable("call\x00back") == "call\ufffdback"
    assert storable("a\ud800b\udfffc") == "a\ufffdb\ufffdc"
    # A pair written as two JSON escapes is one character, stored as it is.
    paired = json.loads('"\\ud83d\\ude00 \\u00e9"')
    assert paired == "😀 é" and storable(paired) == paired


def test_clean_text_is_the_same_string() -> None:
    text = "Acme Corp, 😀 and Müller"
    assert storable(text) is text


@given(ANY_TEXT)
def test_any_text_becomes_storable_in_utf8_and_in_postgresql(text: str) -> None:
    clean = storable(text)
    clean.encode("utf-8")  # no lone surrogate
    assert "\x00" not in clean and len(clean) == len(text)


def test_every_string_of_a_payload_is_cleaned_in_place_keys_included() -> None:
    body = json.loads(
        '{"event": {"text": "hi\\u0000", "user": "U\\ud800", "n": 7, "ok": true, "none": null,'
        ' "blocks": [{"text": ["\\udfff", 1.5]}], "\\u0000key": "v"}, "event_id": "Ev\\u0000"}'
    )
    assert make_storable(body) is body
    assert body == {
        "event": {
            "text": "hi\ufffd",
            "user": "U\ufffd",
            "n": 7,
            "ok": True,
            "none": None,
            "blocks": [{"text": ["\ufffd", 1.5]}],
            "\ufffdkey": "v",
        },
        "event_id": "Ev\ufffd",
    }


@given(
    st.recursive(ANY_TEXT | st.integers() | st.none(), lambda inner: st.lists(inner) | st.dictionaries(ANY_TEXT, inner))
)
def test_any_payload_becomes_storable(value: object) -> None:
    json.dumps(make_storable(value), ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        ("007", 7),
        (str(MAX_ROW_ID), MAX_ROW_ID),
        (str(MAX_ROW_ID + 1), None),
        (str(10**20), None),
        ("9" * 5000, None),  # past what int() reads at all
        ("0", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1.0", None),
        ("", None),
        ("\u00b2", None),  # a superscript two: isdigit() says yes, int() says no
        ("\u0661\u0662", None),  # Arabic-Indic digits: int() reads them, but no button of ours says them
    ],
)
def test_row_ids_are_what_a_row_can_have(text: str, expected: int | None) -> None:
    assert row_id(text) == expected
