"""The story modal's builder and the rules of a shared story, without Slack."""

from __future__ import annotations

import json

import pytest

from bot.blocks.story_modal import build_story_modal, read_story_metadata, story_metadata
from bot.domain.stories import BadStory, Kudos, check_shared_story, parse_kudos, shared_story_text
from bot.views.stories import StoryDraft, StorySource


@pytest.mark.parametrize("text", ["", "plain words", '"\\\n🌟é' * 750, "x" * 3000, "<@U0A> " + "ü" * 2993])
def test_private_metadata_fits_and_reads_back(text: str) -> None:
    source = StorySource(
        channel_id="C0SUPPORT", ts="1700000000.000100", thread_ts="1700000000.000001", author="U0LEE", text=text
    )
    raw = story_metadata(source)
    assert len(raw.encode()) <= 3000
    back = read_story_metadata(raw)
    assert (back.channel_id, back.ts, back.thread_ts, back.author) == (
        "C0SUPPORT",
        source.ts,
        source.thread_ts,
        "U0LEE",
    )
    assert text.startswith(back.text) and (back.text == text or len(text) > 1000)


def test_malformed_metadata_is_no_source() -> None:
    for raw in (None, "", "not json", "[1]", '{"ts": "soon", "f": true, "c": 5}'):
        assert read_story_metadata(raw) == StorySource()
    assert read_story_metadata('{"f": 12}').followup_id == 12


def test_modal_limits_and_escaping() -> None:
    draft = StoryDraft(
        credited=("U0STEPH",),
        about="<!here> & <https://x|y>" * 200,
        customer_name="A&B <Co>",
        source=StorySource(channel_id="C0SUPPORT", ts="1700000000.000100", author="U0LEE"),
    )
    view = build_story_modal(draft)
    assert len(view["title"]["text"]) <= 24 and len(view["blocks"]) <= 100
    shown = json.dumps(view["blocks"][0])
    # The message's <!here> reads as the plain words, its link as the label; the typed customer name is text.
    assert "<!here>" not in shown and ">@here &amp; y@here" in shown and "A&amp;B &lt;Co&gt;" in shown
    assert all(len(b["text"]["text"]) <= 3000 for b in view["blocks"] if b["type"] == "section")


def test_who_a_shared_story_may_credit() -> None:
    assert check_shared_story(("U0A", "U0B", "U0A", ""), sharer="U0A", principle=None) == ("U0A", "U0B")
    with pytest.raises(BadStory) as nobody:
        check_shared_story((), sharer="U0A", principle=None)
    assert nobody.value.field == "credited"
    with pytest.raises(BadStory) as only_me:
        check_shared_story(("U0A",), sharer="U0A", principle=None)
    assert only_me.value.field == "credited"
    assert check_shared_story(("U0A",), sharer="U0A", principle="listen", self_allowed=True) == ("U0A",)
    with pytest.raises(BadStory) as unknown:
        check_shared_story(("U0B",), sharer="U0A", principle="bogus")
    assert unknown.value.field == "principle"


def test_shared_story_text_keeps_the_thanks_and_shortens_the_quote() -> None:
    assert shared_story_text(thanks="  Thank   you! ", about="", limit=3000) == "Thank you!"
    assert shared_story_text(thanks="", about=" the note ", limit=3000) == "the note"
    assert shared_story_text(thanks="Thanks", about="note", limit=3000) == "Thanks\n“note”"
    assert shared_story_text(thanks="AT&T <3", about="", limit=3000) == "AT&amp;T &lt;3"  # as Slack sends text
    long = shared_story_text(thanks="Thanks", about="y" * 5000, limit=3000)
    assert len(long) <= 3000 and long.startswith("Thanks\n“yyy") and long.endswith("…”")


@pytest.mark.parametrize(
    ("typed", "credited", "words"),
    [
        ("<@U0LEE|lee> <@U0KIRI> stayed late", ("U0LEE", "U0KIRI"), "stayed late"),
        # Mentions inside the words stay there (the shout-out names them); everyone mentioned is credited.
        (
            "<@U0KIRI|kiri> covered for <@U0LEE|lee> on ticket 2",
            ("U0KIRI", "U0LEE"),
            "covered for <@U0LEE|lee> on ticket 2",
        ),
        ("<@U0DANA> <@U0LEE> and I fixed it", ("U0LEE",), "<@U0DANA> and I fixed it"),  # the giver is never credited
        ("thanks <@U0LEE>!", ("U0LEE",), "thanks <@U0LEE>!"),
        ("<@U0LEE>", ("U0LEE",), "<@U0LEE>"),
    ],
)
def test_kudos_credits_the_people_named_and_keeps_the_words_whole(
    typed: str, credited: tuple[str, ...], words: str
) -> None:
    assert parse_kudos(typed, giver="U0DANA") == Kudos(credited=credited, text=words)
