"""Block Kit for sharing a story through a modal: from a message ("Share as a good story") or after a follow-up
is done ("Share as a story"), and the confirmation shown in it."""

from __future__ import annotations

import json
from typing import Any

from bot.blocks.stories import people, quote
from bot.blocks.text import Block, context, escape, message, section
from bot.domain.messages import is_slack_ts
from bot.domain.stories import CREDITED_FIELD, PRINCIPLE_FIELD, THANKS_FIELD
from bot.views.stories import SharedStory, StoryDraft, StorySource

STORY_SHORTCUT_CALLBACK = "story_from_message"
STORY_MODAL_CALLBACK = "story_modal"
CREDITED_BLOCK, CREDITED_ACTION = "story_credited", CREDITED_FIELD  # action ids name the fields
THANKS_BLOCK, THANKS_ACTION = "story_thanks", THANKS_FIELD
PRINCIPLE_BLOCK, PRINCIPLE_ACTION = "story_principle", PRINCIPLE_FIELD
METADATA_LIMIT = 3000  # Slack's limit for private_metadata; counted here in UTF-8 bytes, the stricter reading
ABOUT_SHOWN = 500
THANKS_MAX = 300
MAX_CREDITED = 20


def story_metadata(source: StorySource) -> str:
    """The source as the modal's private_metadata, the message's words shortened until it fits."""
    text = source.text
    while True:
        meta: dict[str, Any] = {
            "c": source.channel_id,
            "ts": source.ts,
            "th": source.thread_ts,
            "u": source.author,
            "f": source.followup_id,
            "t": text,
        }
        encoded = json.dumps({k: v for k, v in meta.items() if v}, ensure_ascii=False, separators=(",", ":"))
        overflow = len(encoded.encode()) - METADATA_LIMIT
        if overflow <= 0:
            return encoded
        text = text[: max(0, len(text) - max(overflow, 1))]


def read_story_metadata(raw: str | None) -> StorySource:
    """The source a submitted modal carries; anything malformed is read as no source at all."""
    try:
        meta = json.loads(raw or "{}")
    except ValueError:
        meta = {}
    if not isinstance(meta, dict):
        meta = {}

    def text(key: str) -> str | None:
        value = meta.get(key)
        return value if isinstance(value, str) and value else None

    followup = meta.get("f")
    return StorySource(
        channel_id=text("c"),
        ts=text("ts") if is_slack_ts(meta.get("ts")) else None,
        thread_ts=text("th") if is_slack_ts(meta.get("th")) else None,
        author=text("u"),
        text=text("t") or "",
        followup_id=followup if isinstance(followup, int) and not isinstance(followup, bool) else None,
    )


def _about(draft: StoryDraft) -> Block:
    customer = f" with *{escape(draft.customer_name)}*" if draft.customer_name else ""
    if _about_nothing(draft):
        return section(":star2: A good service moment: who made it happen, and what they did.")
    if draft.source.followup_id is not None:
        lines = [f":white_check_mark: Your follow-up{customer} is done."]
    else:
        author = f" by <@{draft.source.author}>" if draft.source.author else ""
        lines = [f"The message{author}{customer}:"]
    if draft.about.strip():
        lines.append(quote(draft.about, ABOUT_SHOWN))
    return section("\n".join(lines))


def _about_nothing(draft: StoryDraft) -> bool:
    """Opened from the Home tab: about no message and no follow-up, so the line of thanks is the story."""
    return draft.source.followup_id is None and not draft.source.ts and not draft.about.strip()


def build_story_modal(draft: StoryDraft) -> dict[str, Any]:
    """The modal: who gets the credit (prefilled), a line of thanks, and a principle tag."""
    credited: dict[str, Any] = {
        "type": "multi_users_select",
        "action_id": CREDITED_ACTION,
        "max_selected_items": MAX_CREDITED,
        "placeholder": {"type": "plain_text", "text": "Pick teammates"},
    }
    if draft.credited:
        credited["initial_users"] = list(draft.credited[:MAX_CREDITED])
    blocks: list[Block] = [
        _about(draft),
        {
            "type": "input",
            "block_id": CREDITED_BLOCK,
            "label": {"type": "plain_text", "text": "Who gets the credit"},
            "element": credited,
        },
        {
            "type": "input",
            "block_id": THANKS_BLOCK,
            "optional": not _about_nothing(draft),
            "label": {"type": "plain_text", "text": "What they did" if _about_nothing(draft) else "A line of thanks"},
            "element": {
                "type": "plain_text_input",
                "action_id": THANKS_ACTION,
                "max_length": THANKS_MAX,
                "placeholder": {"type": "plain_text", "text": "Thank you for staying until it was solved!"},
            },
        },
        {
            "type": "input",
            "block_id": PRINCIPLE_BLOCK,
            "optional": True,
            "label": {"type": "plain_text", "text": "Which principle it shows"},
            "element": {
                "type": "static_select",
                "action_id": PRINCIPLE_ACTION,
                "placeholder": {"type": "plain_text", "text": "Pick one"},
                "options": [
                    {"text": {"type": "plain_text", "text": label}, "value": key} for key, label in draft.principles
                ],
            },
        },
        context("Everyone credited is told once, by DM, and the whole team sees the shout-out."),
    ]
    return {
        "type": "modal",
        "callback_id": STORY_MODAL_CALLBACK,
        "private_metadata": story_metadata(draft.source),
        "title": {"type": "plain_text", "text": "Share a good story"},
        "submit": {"type": "plain_text", "text": "Share"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def confirm_shared(shared: SharedStory) -> dict[str, Any]:
    """The sharer's confirmation, shown in the modal."""
    where = f"<#{shared.channel_id}>"
    if shared.in_thread:
        where = f"the message's thread in {where}"
    text = f":star2: Thanks for sharing! The story about {people(shared.view.credited)} goes to {where}"
    told = [u for u in shared.view.credited if u not in shared.view.recognisers]
    return message("Story shared", [section(text + (", and I'll tell them." if told else "."))])


def confirm_already_shared() -> dict[str, Any]:
    """A second submission of the same modal."""
    return message("Story already shared", [section(":star2: This story is already shared.")])
