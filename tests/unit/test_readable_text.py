"""The one renderer of Slack text a person wrote (`blocks.text.readable`), and the builders that quote it: people
named, links as their label, no ping, no forged link, every other character escaped."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.blocks.customers import build_customer_card
from bot.blocks.stats import story_text
from bot.blocks.text import readable
from bot.domain.slack_text import PERSON_MARK, one_line, parse_slack_text, searchable_text, strip_controls
from bot.views.customers import CustomerCard, MentionView
from bot.views.stats import StoryLine

MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")
ANY_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (
            "Huge thanks to <@U04ABC> for fixing <https://x|ticket 1>",
            "Huge thanks to <@U04ABC> for fixing ticket 1",
        ),
        ("<@W0LEE|lee> and <@U0STEPH>", "<@W0LEE> and <@U0STEPH>"),  # Slack names each for every reader
        ("see <https://acme.example/a?b=1&amp;c=2>", "see https://acme.example/a?b=1&amp;c=2"),
        ("<mailto:dana@acme.example|Dana>", "Dana"),
        ("in <#C0SUPPORT|support>, <#C0ACME>", "in #support, #channel"),
        ("<!here> <!channel> <!everyone> <!here|here>", "@here @channel @everyone @here"),
        ("<!subteam^S0SUP|@support> <!subteam^S0SUP>", "@support @group"),
        ("due <!date^1392734382^{date_pretty}|Feb 18, 2014>", "due Feb 18, 2014"),
        ("AT&amp;T &lt;3 *bold* _it_", "AT&amp;T &lt;3 *bold* _it_"),
        # Typed to look like tokens, so Slack sent entities: they stay words, never a ping, mention or link.
        ("&lt;https://evil.example|click&gt;", "&lt;https://evil.example|click&gt;"),
        ("&lt;!here&gt; &lt;@U0STEPH&gt; &amp;lt;", "&lt;!here&gt; &lt;@U0STEPH&gt; &amp;lt;"),
        # Malformed or nested: a stray "<" is text, an ID that is not one is words.
        ("a <b without close <@U0STEPH", "a &lt;b without close &lt;@U0STEPH"),
        ("<<@U0STEPH>> <> <@u0steph> <@U0STEPH|>", "&lt;<@U0STEPH>&gt; &lt;&gt; @someone <@U0STEPH>"),
        ("<https://x|<@U0STEPH>>", "&lt;https://x|<@U0STEPH>&gt;"),
        ("<https://x|label with &lt;@U0STEPH&gt;>", "label with &lt;@U0STEPH&gt;"),
        ("line one\n\n  line\ttwo\x00", "line one line two"),
    ],
)
def test_readable(raw: str, shown: str) -> None:
    assert readable(raw, limit=600) == shown


def test_readable_is_cut_between_words_and_people_never_inside() -> None:
    raw = "Huge thanks to <@U04ABCDEF> for fixing AT&amp;T today"
    assert readable(raw, limit=20) == "Huge thanks to…"
    assert readable(raw, limit=27) == "Huge thanks to…"  # the mention does not fit whole
    assert readable(raw, limit=28) == "Huge thanks to <@U04ABCDEF>…"
    assert readable(raw, limit=42) == "Huge thanks to <@U04ABCDEF> for fixing AT…"
    assert readable(raw, limit=46) == "Huge thanks to <@U04ABCDEF> for fixing AT…"  # nor the entity
    assert readable(raw, limit=47) == "Huge thanks to <@U04ABCDEF> for fixing AT&amp;…"
    assert readable(raw, limit=1) == "…" and readable(raw, limit=0) == ""


# Text made of what matters to Slack's token grammar, valid and not.
_PIECES = [
    "<@U0STEPH>",
    "<@W0LEE|lee>",
    "<@u0x>",
    "<@U0",
    "<!here>",
    "<!channel|x>",
    "<!subteam^S1|@team>",
    "<https://x.example|ticket 1>",
    "<http://y.example>",
    "<#C1|general>",
    "&lt;https://evil|click&gt;",
    "&lt;!here&gt;",
    "&lt;@U0STEPH&gt;",
    "&amp;",
    "&",
    "<",
    ">",
    "|",
    "!",
    "@",
    " ",
    "\n",
    "x",
    "é😀",
]
slack_texts = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join) | st.text(max_size=200)


@given(slack_texts, st.integers(min_value=0, max_value=400))
def test_rendered_text_can_never_ping_link_or_name_anyone_not_mentioned(text: str, limit: int) -> None:
    shown = readable(text, limit=limit)
    assert len(shown) <= limit
    assert "<!" not in shown  # no @here, @channel, @everyone or group ping, no date token
    assert "<http" not in shown and "<mailto" not in shown and "<#" not in shown  # links read as their label
    mentioned = {m.group(1) for m in ANY_MENTION.finditer(text)}
    tokens = re.findall(r"<[^>]*>?", shown)
    for token in tokens:  # every "<" opens the mention of a valid ID that Slack put in the text
        found = MENTION.fullmatch(token)
        assert found and found.group(1) in mentioned, token
    assert "&" not in re.sub(r"&(?:amp|lt|gt);", "", shown)  # every other "&", "<", ">" escaped
    assert ">" not in MENTION.sub("", shown)


@given(slack_texts)
def test_rendered_text_reads_as_the_words_a_person_saw(text: str) -> None:
    shown = readable(text, limit=100_000)
    words = MENTION.sub(PERSON_MARK, shown).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert words == searchable_text(one_line(parse_slack_text(strip_controls(text))))


# --- the builders that quote people's words ----------------------------------------------------------------


def test_a_customer_card_names_the_people_its_excerpts_mention() -> None:
    excerpt = "Acme asked <@U0STEPH> about <https://x|ticket 1>, @here &amp; &lt;b&gt;"  # illegal stored, read anyway
    stored = "Acme asked <@U0STEPH> about ticket 1, @here &amp; &lt;b&gt;"  # what the intake stores
    for text in (stored, excerpt):
        card = CustomerCard(
            name="Acme",
            aliases=(),
            owner_user_id="U0DANA",
            since=date(2020, 1, 1),
            last_touch=None,
            mentions=(
                MentionView("C0SUPPORT", "1764000000.000100", None, "U0LEE", datetime(2026, 1, 1, tzinfo=UTC), text),
            ),
            linked_channels=(),
            workspace_url="https://acme.slack.com/",
        )
        [quote] = [
            b["text"]["text"] for b in build_customer_card(card)["blocks"] if "\n>" in b.get("text", {}).get("text", "")
        ]
        assert quote.endswith("\n>Acme asked <@U0STEPH> about ticket 1, @here &amp; &lt;b&gt;")
        assert quote.startswith("<@U0LEE> in <#C0SUPPORT>")


def test_a_digest_story_names_the_people_its_words_mention() -> None:
    line = StoryLine(
        id=1,
        credited=("U0STEPH",),
        text="Huge thanks to <@U0STEPH> for fixing <https://x|ticket 1> <!channel>",
        recognisers=2,
        principle=None,
        customer_name=None,
        source_channel_id=None,
        source_ts=None,
        workspace_url="https://acme.slack.com/",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert story_text(line).splitlines()[1] == ">Huge thanks to <@U0STEPH> for fixing ticket 1 @channel"
