"""Stories' Block Kit (the shout-out, the credited person's DM, the replies to `/kudos`): within Slack's limits
on the largest realistic inputs, and every `<…>` in them one the bot composed itself."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest

from bot.blocks.stories import (
    TAG_ACTION_PREFIX,
    build_credit_dm,
    build_kudos_help,
    build_self_note,
    build_shoutout,
    confirm_kudos,
    people,
)
from bot.domain.stories import PRINCIPLES, TEXT_LIMIT
from bot.views.stories import StoryView

URL = "https://rapport-sim.slack.com/"
LINK = f"{URL}archives/C0STORIES/p1712345678000200"
SLACK_LIMITS = {"blocks": 50, "text": 3000, "button": 75, "id": 255, "value": 2000, "context": 10, "actions": 25}
# What Slack sends for a long message that tries everything: mentions, @channel, a forged link, entities.
HOSTILE = "Thanks <@U0STEPH>! <!channel> <!here> <https://evil.example|click here> AT&amp;T &lt;3 <#C0RANDOM> "
# The only tokens the bot itself writes: mentions of the people involved, a channel, links into the workspace.
MENTION = re.compile(r"<@[UW][A-Z0-9]+>")
OWN_TOKEN = re.compile(r"<(?:@[UW][A-Z0-9]+|#[CG][A-Z0-9]+|https://rapport-sim\.slack\.com/archives/[^<>|]+\|[^<>]+)>")


def users(count: int, prefix: str = "U") -> tuple[str, ...]:
    return tuple(f"{prefix}0{n:08X}" for n in range(count))


def long_text(unit: str, length: int = TEXT_LIMIT) -> str:
    """A message of `length` characters made of `unit` (as the service stores it: at most 3,000)."""
    return "".join(itertools.islice(itertools.cycle(unit), length))


def story(
    *,
    text: str = HOSTILE,
    credited: tuple[str, ...] = ("U0STEPH", "U0LEE", "U0KIRI"),
    recognisers: tuple[str, ...] = users(30),
    principle: str | None = None,
    customer: str | None = "Acme",
    thread: str | None = "1712345678.000050",
    url: str = URL,
) -> StoryView:
    return StoryView(
        id=2_147_483_647,
        text=text,
        credited=credited,
        recognisers=recognisers,
        principle=principle,
        customer_name=customer,
        source_channel_id="C0SUPPORT",
        source_ts="1712345678.000100",
        source_thread_ts=thread,
        workspace_url=url,
    )


def texts(block: dict[str, Any]) -> list[str]:
    """Every text a block carries."""
    found = [block["text"]["text"]] if isinstance(block.get("text"), dict) else []
    found += [f["text"] for f in block.get("fields", [])]
    for element in block.get("elements", []):
        if element.get("type") in ("mrkdwn", "plain_text"):
            found.append(element["text"])
        elif isinstance(element.get("text"), dict):
            found.append(element["text"]["text"])
    return found


def quotes(body: dict[str, Any]) -> list[str]:
    """The quoted sections: a person's words."""
    return [b["text"]["text"] for b in body["blocks"] if b["type"] == "section" and b["text"]["text"].startswith(">")]


def assert_within_limits(body: dict[str, Any]) -> None:
    """Slack's message limits, and no token in the message that the bot did not compose."""
    blocks = body["blocks"]
    assert isinstance(body.get("text"), str) and body["text"].strip()  # the notification's fallback
    assert len(body["text"]) <= 3000
    for token in re.findall(r"<[^>]*>?", body["text"]):  # the fallback names people as the quote does, no more
        assert MENTION.fullmatch(token), token
    assert 0 < len(blocks) <= SLACK_LIMITS["blocks"]
    for block in blocks:
        assert len(block.get("block_id", "")) <= SLACK_LIMITS["id"]
        for text in texts(block):
            assert 0 < len(text) <= SLACK_LIMITS["text"], (block["type"], len(text))
        if block["type"] == "context":
            assert len(block["elements"]) <= SLACK_LIMITS["context"]
        if block["type"] == "actions":
            assert 0 < len(block["elements"]) <= SLACK_LIMITS["actions"]
            action_ids = [e["action_id"] for e in block["elements"]]
            assert len(set(action_ids)) == len(action_ids)
            for element in block["elements"]:
                assert len(element["action_id"]) <= SLACK_LIMITS["id"]
                assert len(element.get("value", "")) <= SLACK_LIMITS["value"]
                assert 0 < len(element["text"]["text"]) <= SLACK_LIMITS["button"]
    shown = "".join(t for b in blocks for t in texts(b))
    for token in re.findall(r"<[^>]*>?", shown):  # a token cut in half by a shortened text fails here too
        assert OWN_TOKEN.fullmatch(token), token


SHAPES = {
    "hostile": long_text(HOSTILE),
    "entities": long_text("&amp;&lt;&gt;"),  # each one character typed, five after escaping
    "bare": long_text("<>&"),  # as an API client could write it
    "words": long_text("Of course, let me take care of that for you. "),
    "one word": "x" * TEXT_LIMIT,
    "lines": long_text("ok\n"),
    "emoji": long_text("🎉 ünïcødé "),
    "mentions": long_text("<@U0STEPH> "),
    "empty": "",
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("principle", [None, *(key for key, _ in PRINCIPLES), "retired_tag"])
def test_shoutout_stays_within_limits(shape: str, principle: str | None) -> None:
    body = build_shoutout(story(text=SHAPES[shape], principle=principle, customer="&<>" * 66))
    assert_within_limits(body)
    [actions] = [b for b in body["blocks"] if b["type"] == "actions"]  # the tags stay: a chosen one can change
    assert [e["action_id"] for e in actions["elements"]] == [f"{TAG_ACTION_PREFIX}{k}" for k, _ in PRINCIPLES]
    assert [e["value"].split(":")[1] for e in actions["elements"] if e.get("style") == "primary"] == (
        [principle] if principle in dict(PRINCIPLES) else []
    )


@pytest.mark.parametrize("credited", [3, 30, 250])
@pytest.mark.parametrize("recognisers", [1, 30, 500])
def test_many_people_keep_shoutout_and_dm_within_limits_and_their_links(credited: int, recognisers: int) -> None:
    view = story(credited=users(credited, "W"), recognisers=users(recognisers))
    shout, dm = build_shoutout(view), build_credit_dm(view, shoutout_link=LINK)
    for body in (shout, dm):
        assert_within_limits(body)
    assert "|the message>" in json.dumps(shout)  # the link back to the source survives any number of people
    assert f"<{LINK}|See the shout-out>" in json.dumps(dm)
    if recognisers <= 30:  # every recogniser named, up to the brief's largest realistic case
        assert all(f"<@{u}>" in json.dumps(shout) for u in view.recognisers)


@pytest.mark.parametrize("shape", SHAPES)
def test_credit_dm_stays_within_limits(shape: str) -> None:
    view = story(text=SHAPES[shape], recognisers=users(30))
    assert_within_limits(build_credit_dm(view, shoutout_link=LINK))
    assert_within_limits(build_credit_dm(story(text=SHAPES[shape], recognisers=()), shoutout_link=LINK))


def test_quoted_text_reads_as_in_slack_and_nothing_pings() -> None:
    view = story(text=HOSTILE, customer="<!here> & Co")
    for body in (build_shoutout(view), build_credit_dm(view, shoutout_link=LINK)):
        [quoted] = quotes(body)
        # Steph is a mention Slack names for each reader, the link is its label, the pings are plain words.
        assert quoted == ">Thanks <@U0STEPH>! @channel @here click here AT&amp;T &lt;3 #channel"
        shown = json.dumps(body)
        assert "<!channel>" not in shown and "<!here>" not in shown and "<https://evil" not in shown
        assert "&lt;@U0STEPH&gt;" not in shown and "&amp;amp;" not in shown and "&amp;lt;" not in shown
    assert "&lt;!here&gt; &amp; Co" in json.dumps(build_shoutout(view))  # the customer's name, typed, stays text
    assert build_shoutout(view)["text"] == "A good story: " + quoted[1:]  # the notification reads the same


def test_text_typed_to_look_like_a_token_stays_literal() -> None:
    typed = "Thanks &lt;@U0STEPH&gt; see &lt;https://evil.example|click&gt; &lt;!here&gt; &amp;lt;"
    body = build_shoutout(story(text=typed))
    [quoted] = quotes(body)
    assert quoted == ">Thanks &lt;@U0STEPH&gt; see &lt;https://evil.example|click&gt; &lt;!here&gt; &amp;lt;"
    assert body["text"] == "A good story: " + quoted[1:]


def test_kudos_replies_stay_within_limits() -> None:
    for credited in (1, 3, 250):
        view = story(credited=users(credited), recognisers=("U0DANA",))
        for where in ("C0SUPPORT", "G0PRIVATE", "D0DANA"):
            reply = confirm_kudos(view, shoutout_channel=where)
            assert_within_limits(reply)
    assert_within_limits(build_kudos_help())
    assert_within_limits(build_self_note())


def test_people_reads_naturally_and_counts_the_rest() -> None:
    assert people(()) == ""
    assert people(("U1",)) == "<@U1>"
    assert people(("U1", "U2")) == "<@U1> and <@U2>"
    assert people(("U1", "U2", "U3")) == "<@U1>, <@U2> and <@U3>"
    many = people(users(45))
    assert many.endswith(" and 5 others") and many.count("<@") == 40
    assert people(users(41)).endswith(" and 1 other")
