"""Block Kit for the Home tab: New follow-up and Share a good story at the top; my follow-ups (overdue first, with
Done, Snooze and a menu of Edit… and Cancel), my customers, recent stories, the stories about me and my tone-tip
setting."""

from __future__ import annotations

from typing import Any

from bot.blocks.followups import about, followup_actions, rhythm_line
from bot.blocks.history import duration
from bot.blocks.nudges import NUDGES_TOGGLE_ACTION
from bot.blocks.promises import PROMISES_TOGGLE_ACTION
from bot.blocks.stats import story_text
from bot.blocks.text import MODAL_BLOCK_LIMIT, Block, context, date_token, divider, escape, header, section
from bot.views.home import HomeView
from bot.views.stats import StoryLine

HOME_BLOCK_PREFIX = "home_followup_"
NEW_FOLLOWUP_ACTION = "home_new_followup"
SHARE_STORY_ACTION = "home_share_story"
HOME_QUOTE = 200
NO_STORIES = "No stories yet. React to a good service moment with :star2:, or `/kudos @teammate what they did`."


def _followup_blocks(home: HomeView) -> list[Block]:
    if not home.followups:
        return [
            section(
                "You have no open follow-ups. Create one with `/followup Acme tomorrow call back`, "
                "or react to a message with :alarm_clock:."
            )
        ]
    blocks: list[Block] = []
    for view in home.followups:
        when = date_token(view.due_at)
        flag = f":red_circle: *Overdue* since {when}" if view.due_at <= home.now else f"Due {when}"
        rhythm = f"\n{rhythm_line(view, now=home.now)}" if view.rhythm else ""
        blocks.append(section(f"{flag}\n{about(view)}{rhythm}"))
        blocks.append(followup_actions(view.id, block_id=f"{HOME_BLOCK_PREFIX}{view.id}", reassign=False))
    return blocks


def _customer_lines(home: HomeView) -> str:
    if not home.customers:
        return "You own no customers yet. Add one with `/customer add Acme Corp owner @you`."
    lines = []
    for row in home.customers:
        touch = "no touch yet"
        if row.last_touch is not None:
            touch = f"last touch {date_token(row.last_touch, fmt='{date_short_pretty}')}"
        followups = f"{row.open_followups} open follow-up{'' if row.open_followups == 1 else 's'}"
        response = duration(row.median_first_response) if row.median_first_response is not None else "—"
        lines.append(f"• *{escape(row.name)}* — {touch} · {followups} · median first response (30 days): {response}")
    return "\n".join(lines)


def _story_blocks(lines: list[StoryLine], *, empty: str) -> list[Block]:
    if not lines:
        return [context(empty)]
    return [section(story_text(line, quote_limit=HOME_QUOTE)) for line in lines]


def _nudge_blocks(home: HomeView) -> list[Block]:
    if home.nudges_enabled:
        line = (
            ":seedling: *On.* When one of your replies might land as a brush-off, a threat or blame, I show you "
            "alone a private tip with a warmer way to say it."
        )
        button = {
            "type": "button",
            "action_id": NUDGES_TOGGLE_ACTION,
            "value": "off",
            "text": {"type": "plain_text", "text": "Turn my tips off"},
        }
    else:
        line = ":zzz: *Off.* You get no tone tips."
        button = {
            "type": "button",
            "action_id": NUDGES_TOGGLE_ACTION,
            "value": "on",
            "text": {"type": "plain_text", "text": "Turn my tips on"},
        }
    if not home.workspace_nudges:
        line += "\n_An admin has turned tone tips off for the whole workspace._"
    return [section(line), {"type": "actions", "block_id": "home_nudges", "elements": [button]}]


def _promise_blocks(home: HomeView) -> list[Block]:
    if home.promises_enabled:
        line = (
            ":handshake: *On.* When you promise a customer something with a time (“I'll call you back tomorrow”), "
            "I offer you alone a follow-up in one click."
        )
        button = _toggle(PROMISES_TOGGLE_ACTION, "off", "Turn my promise offers off")
    else:
        line = ":zzz: *Off.* Your promises are not offered as follow-ups."
        button = _toggle(PROMISES_TOGGLE_ACTION, "on", "Turn my promise offers on")
    if not home.workspace_promises:
        line += "\n_An admin has turned promise offers off for the whole workspace._"
    return [section(line), {"type": "actions", "block_id": "home_promises", "elements": [button]}]


def _toggle(action_id: str, value: str, text: str) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "value": value, "text": {"type": "plain_text", "text": text}}


def _top_buttons() -> Block:
    """New follow-up (the follow-up form) and Share a good story (the story form, about no message)."""
    return {
        "type": "actions",
        "block_id": "home_top",
        "elements": [
            {
                "type": "button",
                "style": "primary",
                "action_id": NEW_FOLLOWUP_ACTION,
                "text": {"type": "plain_text", "text": "New follow-up"},
            },
            {
                "type": "button",
                "action_id": SHARE_STORY_ACTION,
                "text": {"type": "plain_text", "text": "Share a good story"},
            },
        ],
    }


def build_home(home: HomeView) -> dict[str, Any]:
    """The Home tab view for one person."""
    blocks: list[Block] = [
        _top_buttons(),
        header("Your follow-ups"),
        *_followup_blocks(home),
        divider(),
        header("Your customers, quietest first"),
        section(_customer_lines(home)),
        divider(),
        header("Recent stories"),
        *_story_blocks(home.recent_stories, empty=NO_STORIES),
        header("Stories about you"),
        *_story_blocks(home.my_stories, empty="None yet: they show up here when a teammate recognises your work."),
        divider(),
        header("Your tone tips"),
        *_nudge_blocks(home),
        header("Your promise offers"),
        *_promise_blocks(home),
        context("Rapport reminds you to get back to customers, at 09:00 your time. `/followup help` shows how."),
    ]
    return {"type": "home", "blocks": blocks[:MODAL_BLOCK_LIMIT]}
