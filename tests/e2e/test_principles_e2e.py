"""The service principles as a workspace list admins edit in `/rapport settings` (add, rename, retire), the six
shipped ones by default, and the shout-out's tag buttons and the story form following the list; a retired tag stays
on the stories that carry it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.clicks import polite_refusal
from tests.e2e.conftest import RunningApp, eventually
from tests.e2e.settings_form import open_settings, submit_settings
from tests.e2e.test_stories_e2e import react, settled, shoutout_reading, shoutouts, tag_click

SHIPPED = (
    "listen: Really listened\nfollow_up: Followed up\nloyal: Didn't take them for granted\n"
    "unheard: Never left them waiting\nfriend: Treated them like a friend\nstory: A story worth sharing"
)


def _tags(shout: dict[str, Any]) -> dict[str, str]:
    """The shout-out's tag buttons: key -> label."""
    actions = next(b for b in shout["blocks"] if b["type"] == "actions")
    return {e["action_id"].removeprefix("story_tag_"): e["text"]["text"] for e in actions["elements"]}


def _input_text(view: dict[str, Any], block_id: str) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return str(block["element"].get("initial_value", ""))


def _story(app: RunningApp, words: str) -> tuple[str, dict[str, Any]]:
    """Stephanie writes `words`, Lee recognises it: (message ts, its shout-out)."""
    ts, _ = app.sim.post_message("U0STEPH", "C0SUPPORT", words)
    react(app, user="U0LEE", ts=ts)
    return ts, shoutout_reading(app.sim, words)


@pytest.mark.usefixtures("no_errors_logged")
def test_admins_add_rename_and_retire_principles_and_the_tags_follow(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    first_ts, first = _story(app, "Drove over to Acme with a spare drive")
    second_ts, second = _story(app, "Sat with Globex until the export worked")
    assert list(_tags(first)) == ["listen", "follow_up", "loyal", "unheard", "friend", "story"]
    assert tag_click(sim, first, user="U0LEE", channel="C0SUPPORT", principle="story") == 200
    assert tag_click(sim, second, user="U0LEE", channel="C0SUPPORT", principle="friend") == 200
    shoutout_reading(sim, ":sparkles: *Treated them like a friend*")
    settled(app)

    view = open_settings(sim)
    assert _input_text(view, "principles") == SHIPPED and _input_text(view, "principles_retired") == ""
    # Rename "friend", add "Stayed patient", retire "story" (moved below) and drop "loyal" (retired as well).
    typed = (
        "listen: Really listened\nfollow_up: Followed up\nunheard: Never left them waiting\n"
        "friend: Treated them like family\nStayed patient"
    )
    saved = submit_settings(sim, view, principles=typed, principles_retired="story: A story worth sharing")
    shown = json.dumps(saved["view"])
    assert saved["response_action"] == "update" and "Service principles" in shown
    assert "Treated them like family, Stayed patient (retired: A story worth sharing" in shown

    # A new story offers the new list.
    _, third = _story(app, "Called Initech back the next morning")
    assert _tags(third) == {
        "listen": "Really listened",
        "follow_up": "Followed up",
        "unheard": "Never left them waiting",
        "friend": "Treated them like family",
        "stayed_patient": "Stayed patient",
    }
    # The old stories, updated by a later recognition: the renamed tag shows its new label, the retired one stays.
    react(app, user="U0KIRI", ts=first_ts)
    react(app, user="U0KIRI", ts=second_ts)
    old_first = eventually(
        lambda: [s for s in shoutouts(sim) if s["ts"] == first["ts"] and "<@U0LEE> and <@U0KIRI>" in json.dumps(s)]
    )[0]
    assert ":sparkles: *A story worth sharing*" in json.dumps(old_first) and "story" not in _tags(old_first)
    renamed = shoutout_reading(sim, ":sparkles: *Treated them like family*")
    assert renamed["ts"] == second["ts"]

    # A stale button of a retired tag is refused politely; a new one works.
    assert tag_click(sim, first, user="U0LEE", channel="C0SUPPORT", principle="story") == 200
    polite_refusal(sim, "U0LEE", "no longer offered")
    assert tag_click(sim, old_first, user="U0LEE", channel="C0SUPPORT", principle="stayed_patient") == 200
    shoutout_reading(sim, ":sparkles: *Stayed patient*")

    # The story form offers the same list.
    opened = len(sim.calls_to("views.open"))
    share = {"action_id": "home_share_story", "type": "button", "value": "x"}
    click = {"type": "block_actions", "user": {"id": "U0LEE"}, "container": {"type": "view"}, "actions": [share]}
    assert sim.send_interactive(click).status == 200
    form = sim.wait_for_calls("views.open", opened + 1)[-1].args["view"]
    options = json.dumps(form if isinstance(form, dict) else json.loads(form))
    assert (
        "Stayed patient" in options and "Treated them like family" in options and "A story worth sharing" not in options
    )

    again = open_settings(sim)
    assert "stayed_patient: Stayed patient" in _input_text(again, "principles")
    assert _input_text(again, "principles_retired") == (
        "story: A story worth sharing\nloyal: Didn't take them for granted"
    )


def test_a_bad_principles_list_is_explained_under_its_input(http_app: RunningApp) -> None:
    sim = http_app.sim
    view = open_settings(sim)
    twice = submit_settings(sim, view, principles="listen: Really listened\nlisten: Listened again")
    assert twice["response_action"] == "errors" and "appears twice" in twice["errors"]["principles"]
    none = submit_settings(sim, view, principles="", principles_retired=SHIPPED)
    assert "at least one principle" in none["errors"]["principles"]
    assert "listen: Really listened" in _input_text(open_settings(sim), "principles")  # nothing was stored
