"""Pure parts of issue 15 points 4 and 5: anniversaries and paging of a customer's history, `/customer NAME
history`, user groups in `/kudos`, and the editable list of principles."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.blocks.history import duration
from bot.domain import customer_commands as cmd
from bot.domain.errors import BadCommand
from bot.domain.history import anniversaries, clamp_page, median_response, page_count
from bot.domain.principles import (
    DEFAULT_PRINCIPLES,
    Principle,
    active,
    label_of,
    parse_principles,
    read_principles,
    store_principles,
)
from bot.domain.stories import Kudos, parse_kudos


def test_anniversaries_newest_first_and_a_leap_day_falls_on_the_28th() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert anniversaries(date(2024, 2, 29), now=now) == [
        (datetime(2026, 2, 28, tzinfo=UTC), 2),
        (datetime(2025, 2, 28, tzinfo=UTC), 1),
        (datetime(2024, 2, 29, tzinfo=UTC), 0),
    ]
    assert anniversaries(None, now=now) == [] and anniversaries(date(2026, 3, 2), now=now) == []


def test_pages_and_median() -> None:
    assert page_count(0) == 1 and page_count(40) == 1 and page_count(41) == 2
    assert clamp_page(99, total=81) == 2 and clamp_page(-1, total=81) == 0
    minutes = [timedelta(minutes=m) for m in (10, 60, 20, 30)]
    assert median_response(minutes) == timedelta(minutes=25) and median_response([]) is None
    assert [duration(timedelta(seconds=s)) for s in (5, 600, 3600, 3900, 90000)] == [
        "5 s",
        "10 min",
        "1 h",
        "1 h 5 min",
        "1 d 1 h",
    ]


@pytest.mark.parametrize(
    ("text", "query"),
    [("Acme history", "Acme"), ("Acme Corp HISTORY", "Acme Corp"), ("history Acme Corp", "Acme Corp")],
)
def test_customer_history_command(text: str, query: str) -> None:
    assert cmd.parse_customer_command(text) == cmd.ShowHistory(query=query)


def test_customer_history_needs_a_name() -> None:
    with pytest.raises(BadCommand, match="whose history"):
        cmd.parse_customer_command("history")


def test_kudos_to_a_group_keeps_the_words_and_names_the_group() -> None:
    parsed = parse_kudos("<!subteam^S0SUPPORT|@support-team> <@U0LEE|lee> stayed late", giver="U0DANA")
    assert parsed == Kudos(credited=("U0LEE",), text="stayed late", groups=("S0SUPPORT",))
    assert isinstance(parsed, Kudos)
    assert parsed.with_members(("U0DANA", "U0LEE", "U0STEPH"), giver="U0DANA").credited == ("U0LEE", "U0STEPH")
    only_group = parse_kudos("<!subteam^S0SUPPORT> great week", giver="U0DANA")
    assert only_group == Kudos(credited=(), text="great week", groups=("S0SUPPORT",))


def test_principles_default_rename_add_retire_and_keep_what_was_left_out() -> None:
    assert read_principles("") == DEFAULT_PRINCIPLES == read_principles("not json")
    assert store_principles(DEFAULT_PRINCIPLES) == ""
    edited = parse_principles(
        "listen: Listened, really\nStayed patient\nStayed patient",
        "story: A story worth sharing",
        current=DEFAULT_PRINCIPLES,
    )
    assert active(edited) == (
        ("listen", "Listened, really"),
        ("stayed_patient", "Stayed patient"),
        ("stayed_patient_2", "Stayed patient"),
    )
    retired = {p.key for p in edited if p.retired}
    assert retired == {"story", "follow_up", "loyal", "unheard", "friend"}
    assert read_principles(store_principles(edited)) == edited
    assert label_of(edited, "friend") == "Treated them like a friend" and label_of(edited, "gone") == "gone"
    with pytest.raises(ValueError, match="appears twice"):
        parse_principles("a: A\na: B", "", current=())
    with pytest.raises(ValueError, match="at least one"):
        parse_principles("", "a: A", current=())
    with pytest.raises(ValueError, match="no label"):
        parse_principles("a:", "", current=())
    assert parse_principles("x: X", "", current=(Principle("y", "Y"),))[-1] == Principle("y", "Y", retired=True)
