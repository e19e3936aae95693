"""Block Kit for tone nudges: the private tip, what its buttons leave behind, and the per-person switch."""

from __future__ import annotations

from typing import Any

from bot.blocks.text import context, escape, message, section, shorten
from bot.domain.tone import CATEGORY_LABELS, ToneHit

NUDGE_THANKS_ACTION = "nudge_thanks"
NUDGE_OPTOUT_ACTION = "nudge_optout"
NUDGES_TOGGLE_ACTION = "nudges_toggle"
PHRASE_SHOWN = 120
ALTERNATIVE_SHOWN = 300
PRIVATE = "Only you can see this tip. Nobody else is told, and nobody is ranked by it."
SWITCH_HINT = "`/rapport nudges off` turns these tips off for you; `/rapport nudges on` brings them back."


def nudge_value(channel_id: str, ts: str) -> str:
    """The buttons' value: the message the nudge is about."""
    return f"{channel_id}:{ts}"


def read_nudge_value(value: str) -> tuple[str, str] | None:
    """(channel, ts) from a nudge button's value, or None if it is not one."""
    channel, _, ts = (value or "").partition(":")
    return (channel, ts) if channel and ts else None


def build_nudge(hit: ToneHit, *, channel_id: str, ts: str) -> dict[str, Any]:
    """The ephemeral tip: the author's words quoted, how they may land, a relational alternative, two buttons."""
    phrase = escape(shorten(" ".join(hit.phrase.split()), PHRASE_SHOWN))
    label = CATEGORY_LABELS.get(hit.rule.category, hit.rule.category)
    alternative = escape(shorten(hit.rule.alternative, ALTERNATIVE_SHOWN))
    value = nudge_value(channel_id, ts)
    return message(
        f"A private tip: “{hit.phrase}” can sound like a {label}. You could try: {hit.rule.alternative}",
        [
            section(
                f":seedling: *A quick tip, just for you.* “{phrase}” can sound like a {label} to a customer.\n"
                f"You could try: _{alternative}_"
            ),
            context(f"{escape(shorten(hit.rule.principle, 150))} · {PRIVATE}"),
            {
                "type": "actions",
                "block_id": "nudge_actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": NUDGE_THANKS_ACTION,
                        "value": value,
                        "text": {"type": "plain_text", "text": "Thanks"},
                    },
                    {
                        "type": "button",
                        "action_id": NUDGE_OPTOUT_ACTION,
                        "value": value,
                        "text": {"type": "plain_text", "text": "Don't show me these"},
                    },
                ],
            },
        ],
    )


def build_nudge_thanked() -> dict[str, Any]:
    """What is left of the tip after Thanks."""
    return message("Thanks for reading the tip.", [context(":seedling: Thanks for reading. Only you saw this tip.")])


def build_nudge_opted_out() -> dict[str, Any]:
    """What is left of the tip after Don't show me these."""
    return message(
        "Okay: no more tone tips for you.",
        [context(":ok_hand: Okay: I won't show you tone tips any more. `/rapport nudges on` brings them back.")],
    )


def build_nudges_switched(*, enabled: bool, workspace_enabled: bool) -> dict[str, Any]:
    """The reply to `/rapport nudges on|off`."""
    if enabled:
        line = ":seedling: Tone tips are *on* for you: when a reply might land as a brush-off, a threat or blame, "
        line += "I'll suggest a warmer way to say it, privately. `/rapport nudges off` turns them off."
        if not workspace_enabled:
            line += "\n_Note: an admin has turned tone tips off for the whole workspace, so none are shown for now._"
    else:
        line = ":ok_hand: Tone tips are *off* for you. `/rapport nudges on` brings them back."
    return message("Tone tips are on." if enabled else "Tone tips are off.", [section(line)])
