"""Readable stories and cards, end to end: what people wrote in Slack reads as it did there (people named, links
as their label, no ping) in the shout-out, the credited person's DM, the notification and the customer card."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.conftest import RunningApp, eventually
from tests.e2e.test_stories_e2e import react, shoutout_reading

THANKS = "Huge thanks to <@U0STEPH> for fixing <https://x|ticket 1> <!here>"


def quotes(message: dict[str, Any]) -> list[str]:
    """The quoted lines of a message: a person's words, as the bot repeats them."""
    return [
        line
        for block in message["blocks"]
        if block["type"] == "section"
        for line in block["text"]["text"].split("\n")
        if line.startswith(">")
    ]


@pytest.mark.usefixtures("no_errors_logged")
def test_a_shoutout_names_the_people_its_story_mentions_and_shows_links_as_their_label(
    running_app: RunningApp,
) -> None:
    app, sim = running_app, running_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    ts, _ = sim.post_message("U0DANA", "C0SUPPORT", THANKS)
    react(app, user="U0LEE", ts=ts)

    shout = shoutout_reading(sim, "Recognised by <@U0LEE>")
    [dm] = eventually(lambda: sim.dm_messages("U0STEPH"))  # the message is about Steph: she is credited
    for message in (shout, dm):
        assert quotes(message) == [">Huge thanks to <@U0STEPH> for fixing ticket 1 @here"]
        everything = json.dumps(message)
        assert "&lt;@" not in everything and "<https://x" not in everything and "<!here>" not in everything
    # The notification reads the same.
    assert shout["text"] == "A good story: Huge thanks to <@U0STEPH> for fixing ticket 1 @here"


@pytest.mark.usefixtures("no_errors_logged")
def test_kudos_words_name_the_people_they_mention(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    reply = app.command("<@U0KIRI|kiri> covered for <@U0LEE|lee> on <https://x|ticket 2>", command="/kudos")
    assert "Thanks for sharing" in json.dumps(reply)
    shout = shoutout_reading(sim, "covered for")
    # Kiri is credited (named in the header); Lee, only mentioned, is named in the words.
    assert quotes(shout) == [">covered for <@U0LEE> on ticket 2"]


@pytest.mark.usefixtures("no_errors_logged")
def test_a_customer_card_names_the_people_its_excerpts_mention(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    app.command("add Acme Corp aka Acme")
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    sim.post_message("U0DANA", "C0SUPPORT", "<@U0STEPH> fixed <https://x|ticket 1> for Acme &amp; co <!channel>")
    sim.post_message("U0LEE", "C0SUPPORT", "Acme typed &lt;@U0DANA&gt; and &lt;https://evil|click&gt;")
    assert app.mention_count() == 2

    card = app.command("Acme")
    assert quotes(card) == [
        ">Acme typed &lt;@U0DANA&gt; and &lt;https://evil|click&gt;",  # typed: stays words, never a mention
        "><@U0STEPH> fixed ticket 1 for Acme &amp; co @channel",
    ]
    shown = json.dumps(card)
    assert "@someone" not in shown and "<!channel>" not in shown and "<https://evil" not in shown
