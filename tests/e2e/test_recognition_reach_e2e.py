"""Recognition that reaches further, through the running app and the simulator: `/kudos @support-team` credits
every member of the user group (once, never the giver; usergroups.users.list read once and cached), and a
shout-out carries the story emoji itself, so a reaction on the shout-out joins its recognisers (the bot's own
reaction never counts)."""

from __future__ import annotations

import json

import pytest

from bot.slacksim import SimUsergroup
from tests.e2e.conftest import RunningApp, eventually
from tests.e2e.test_stories_e2e import react, recognised_line, settled, shoutout_reading, shoutouts, unreact

GROUP = "<!subteam^S0SUPPORT|@support-team>"


@pytest.mark.usefixtures("no_errors_logged")
def test_kudos_to_a_user_group_credits_each_member_once_and_never_the_giver(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200

    # Dana is in the group and names Stephanie too: Lee and Stephanie are credited, each once; Dana is not.
    reply = app.command(f"{GROUP} <@U0STEPH|stephanie> stayed late with Acme's drive", command="/kudos")
    shown = json.dumps(reply)
    assert "Thanks for sharing" in shown and "<@U0LEE> and <@U0STEPH>" in shown and "U0DANA" not in shown
    shout = shoutout_reading(sim, "Recognised by <@U0DANA>")
    assert "stayed late with Acme's drive" in json.dumps(shout) and "subteam" not in json.dumps(shout)
    eventually(lambda: sim.dm_messages("U0STEPH") and sim.dm_messages("U0LEE"))
    settled(app)
    assert len(sim.dm_messages("U0STEPH")) == 1 and len(sim.dm_messages("U0LEE")) == 1
    assert sim.dm_messages("U0DANA") == []
    [call] = sim.calls_to("usergroups.users.list")
    assert call.args["usergroup"] == "S0SUPPORT"

    # Within the cache's ten minutes, the group is not read again.
    app.command(f"{GROUP} answered every ticket today", command="/kudos", user="U0KIRI")
    eventually(lambda: len(shoutouts(sim)) == 2)
    assert len(sim.calls_to("usergroups.users.list")) == 1


def test_kudos_to_an_unknown_or_lonely_group_is_explained(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    sim.workspace.usergroups["S0ALONE"] = SimUsergroup("S0ALONE", "just-dana", ["U0DANA"])

    unknown = json.dumps(app.command("<!subteam^S0NOPE|@ghosts> great work", command="/kudos"))
    assert "couldn't find that user group" in unknown and "/kudos @support-team" in unknown
    alone = json.dumps(app.command("<!subteam^S0ALONE|@just-dana> great work", command="/kudos"))
    assert "Nobody in that group but you" in alone and "/kudos @stephanie" in alone

    sim.workspace.usergroups_on_plan = False
    free = json.dumps(app.command(f"{GROUP} great work", command="/kudos"))
    assert "Slack plan has no user groups" in free and "/kudos @stephanie" in free
    sim.workspace.usergroups_on_plan = True

    sim.bot_scopes = [s for s in sim.bot_scopes if s != "usergroups:read"]
    missing = json.dumps(app.command(f"{GROUP} great work", command="/kudos"))
    assert "usergroups:read" in missing and "Traceback" not in missing
    assert shoutouts(sim) == []


@pytest.mark.usefixtures("no_errors_logged")
def test_a_reaction_on_the_shoutout_joins_its_recognisers_and_the_bots_own_does_not(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    ts, _ = sim.post_message("U0STEPH", "C0SUPPORT", "I'll drive over to Acme with a spare")
    react(app, user="U0DANA", ts=ts)
    shout = shoutout_reading(sim, "Recognised by <@U0DANA>")
    settled(app)

    # The shout-out carries the story emoji itself, added by the bot.
    [added] = sim.calls_to("reactions.add")
    assert (added.args["channel"], added.args["timestamp"], added.args["name"]) == ("C0SUPPORT", shout["ts"], "star2")
    current = next(m for m in sim.messages("C0SUPPORT") if m["ts"] == shout["ts"])
    assert current["reactions"] == [{"name": "star2", "users": ["U0RAPPORT"], "count": 1}]

    # The bot's own reaction arriving as an event counts for nothing.
    react(app, user="U0RAPPORT", ts=shout["ts"])
    settled(app)
    assert recognised_line(shoutout_reading(sim, "Recognised by")).startswith("Recognised by <@U0DANA> ·")

    # Lee reacts to the shout-out: Lee joins the recognisers of the same story, updated in place.
    react(app, user="U0LEE", ts=shout["ts"])
    updated = shoutout_reading(sim, "Recognised by <@U0DANA> and <@U0LEE>")
    assert updated["ts"] == shout["ts"] and len(shoutouts(sim)) == 1
    # Stephanie reacting to the shout-out about herself counts for nothing.
    react(app, user="U0STEPH", ts=shout["ts"])
    settled(app)
    assert "U0STEPH" not in recognised_line(shoutout_reading(sim, "Recognised by"))

    # Lee takes the reaction off the shout-out: the recognition is withdrawn.
    unreact(app, user="U0LEE", ts=shout["ts"])
    eventually(lambda: "U0LEE" not in recognised_line(shoutout_reading(sim, "Recognised by")))
    settled(app)
    assert len(sim.calls_to("reactions.add")) == 1
