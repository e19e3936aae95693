"""Block Kit for stories: the shout-out (with its principle tags), the DM to each credited person, replies."""

from __future__ import annotations

from typing import Any

from bot.blocks.text import Block, context, escape, message, permalink, readable, section
from bot.domain.stories import KUDOS_EXAMPLE, PRINCIPLE_LABELS
from bot.views.stories import StoryView

QUOTE_SHOWN = 600
FALLBACK_QUOTE_SHOWN = 150
PEOPLE_SHOWN = 40  # about 600 characters of mentions: a line of people never outgrows a 3,000-character text
TAG_ACTION_PREFIX = "story_tag_"


def people(users: tuple[str, ...] | list[str], *, limit: int = PEOPLE_SHOWN) -> str:
    """ "<@A>", "<@A> and <@B>", "<@A>, <@B> and <@C>"; past `limit` people, "… and N others"."""
    named = [f"<@{u}>" for u in users[:limit]]
    if len(users) > limit:
        rest = len(users) - limit
        named.append(f"{rest} other{'s' if rest > 1 else ''}")
    if len(named) <= 1:
        return "".join(named)
    return ", ".join(named[:-1]) + " and " + named[-1]


def quote(text: str, limit: int = QUOTE_SHOWN) -> str:
    """Slack text (a story's, a message's) as a one-line mrkdwn quote that reads as it did in Slack: people named,
    links as their label, no pings; escaped and shortened by `readable`."""
    return f">{readable(text, limit=limit)}"


def _source(view: StoryView) -> str:
    if not (view.source_channel_id and view.source_ts):
        return ""
    link = permalink(view.workspace_url, view.source_channel_id, view.source_ts, view.source_thread_ts)
    return f" · <{link}|the message>"


def build_shoutout(view: StoryView) -> dict[str, Any]:
    """The shout-out everyone sees: the quote, who is credited, who recognised it, the link, the principle tags."""
    about = f" with *{escape(view.customer_name)}*" if view.customer_name else ""
    blocks: list[Block] = [section(f":star2: *A good story*{about}: {people(view.credited)}")]
    if view.text:
        blocks.append(section(quote(view.text)))
    blocks.append(context(f"Recognised by {people(view.recognisers)}{_source(view)}"))
    if view.principle:
        label = view.principle_label or PRINCIPLE_LABELS.get(view.principle, view.principle)
        blocks.append(context(f":sparkles: *{escape(label)}*"))
    blocks.append(_tag_buttons(view))
    # The notification reads like the quote: people named (as mentions), links as their label.
    words = readable(view.text, limit=FALLBACK_QUOTE_SHOWN) if view.text else ""
    fallback = f"A good story: {words}" if words else "A good story"
    return message(fallback, blocks, fallback_is_mrkdwn=True)


def _tag_buttons(view: StoryView) -> Block:
    """The principle tags: the chosen one highlighted; another click changes it (recognisers, credited, admins)."""
    buttons: list[Block] = []
    for key, label in view.principles:
        button: Block = {
            "type": "button",
            "action_id": f"{TAG_ACTION_PREFIX}{key}",
            "value": f"{view.id}:{key}",
            "text": {"type": "plain_text", "text": label},
        }
        if key == view.principle:
            button["style"] = "primary"
        buttons.append(button)
    return {"type": "actions", "block_id": f"story_tags_{view.id}", "elements": buttons}


def build_credit_dm(view: StoryView, *, shoutout_link: str) -> dict[str, Any]:
    """The one DM a credited person gets, linking to the shout-out."""
    by = people(view.recognisers) or "A teammate"
    text = f":star2: {by} shared a good story about you. <{shoutout_link}|See the shout-out>."
    blocks = [section(text)]
    if view.text:
        blocks.append(section(quote(view.text, 300)))
    return message("A teammate shared a good story about you", blocks)


def build_self_note() -> dict[str, Any]:
    """Said once, privately, to someone who recognised a story about only themselves."""
    return message(
        "Stories about yourself don't count",
        [
            section(
                ":slightly_smiling_face: That story is about you, so your reaction doesn't count as a "
                "recognition. Share one about a teammate instead: `" + KUDOS_EXAMPLE + "`"
            )
        ],
    )


# Why the stories channel refused a shout-out, in words, by Slack's error code.
STORIES_CHANNEL_PROBLEMS = {
    "is_archived": "was archived",
    "not_in_channel": "no longer has me in it",
    "channel_not_found": "is gone, or I can no longer see it",
}


def build_stories_channel_broken(channel_id: str, code: str) -> dict[str, Any]:
    """Told once to the admins: the stories channel refused a shout-out, which went to its source thread instead."""
    problem = STORIES_CHANNEL_PROBLEMS.get(code, f"refused my post ({code})")
    text = (
        f":warning: The stories channel <#{channel_id}> {problem}, so I posted the shout-out in the thread it came "
        "from (or where `/kudos` was typed) instead; nothing was lost. Choose another stories channel in "
        "`/rapport settings`, or invite me back with `/invite @Rapport`."
    )
    return message(f"The stories channel {problem}", [section(text)])


def confirm_kudos(view: StoryView, *, shoutout_channel: str) -> dict[str, Any]:
    """The giver's confirmation."""
    where = f"<#{shoutout_channel}>" if shoutout_channel.startswith(("C", "G")) else "the channel"
    text = f":star2: Thanks for sharing! The story about {people(view.credited)} goes to {where}, and I'll tell them."
    return message("Story shared", [section(text)])


def build_kudos_help() -> dict[str, Any]:
    """`/kudos help`."""
    return message(
        "How to use /kudos",
        [
            section(
                "*`/kudos`* shares a good service story about teammates with the whole team.\n"
                f"`{KUDOS_EXAMPLE}`\n`/kudos @lee @kiri stayed late to fix Acme's drive`\n"
                "`/kudos @support-team answered every ticket during the outage`"
            ),
            context(
                "Everyone you mention is credited (never yourself) and told once, by DM; a user group credits each of "
                "its members. React to any message with :star2: to share it as a story, or to a shout-out to join "
                "its recognisers."
            ),
        ],
    )
