"""Block Kit for `/rapport forget-me`: the confirmation and what was removed."""

from __future__ import annotations

from typing import Any

from bot.blocks.text import context, message, section
from bot.views.privacy import Forgotten

FORGET_CONFIRM_ACTION = "forget_me_confirm"
FORGET_CANCEL_ACTION = "forget_me_cancel"
FORGET_WHAT = (
    "This deletes, for you alone: the excerpts of your messages kept on customer cards (the mentions stay, "
    "without their words) and your name in other people's excerpts, the history of tone tips shown to you, "
    "and your personal settings (tone tips go back to on; `/rapport nudges off` turns them off again). "
    "Stories and follow-ups stay, since teammates own them too."
)


def build_forget_me_question() -> dict[str, Any]:
    """What forget-me will delete, with a button to go ahead."""
    return message(
        "Forget me? This deletes your excerpts, your tone-tip history and your settings.",
        [
            section(f":wastebasket: *Forget me?*\n{FORGET_WHAT}"),
            {
                "type": "actions",
                "block_id": "forget_me",
                "elements": [
                    {
                        "type": "button",
                        "action_id": FORGET_CONFIRM_ACTION,
                        "style": "danger",
                        "value": "forget",
                        "text": {"type": "plain_text", "text": "Forget me"},
                        "confirm": {
                            "title": {"type": "plain_text", "text": "Forget me?"},
                            "text": {"type": "plain_text", "text": "This cannot be undone."},
                            "confirm": {"type": "plain_text", "text": "Forget me"},
                            "deny": {"type": "plain_text", "text": "Keep everything"},
                            "style": "danger",
                        },
                    },
                    {
                        "type": "button",
                        "action_id": FORGET_CANCEL_ACTION,
                        "value": "cancel",
                        "text": {"type": "plain_text", "text": "Cancel"},
                    },
                ],
            },
        ],
    )


def build_forgotten(forgotten: Forgotten) -> dict[str, Any]:
    """What forget-me removed."""
    excerpts = forgotten.excerpts
    nudges = forgotten.nudges
    return message(
        "Done: Rapport forgot you.",
        [
            section(
                f":white_check_mark: *Done.* I deleted {excerpts} {'excerpt' if excerpts == 1 else 'excerpts'} of "
                f"your messages, {nudges} tone {'tip' if nudges == 1 else 'tips'} from your history, and your "
                "personal settings."
            ),
            context(
                "Stories and follow-ups stay, since teammates own them too. Tone tips are back on for you: "
                "`/rapport nudges off` turns them off."
            ),
        ],
    )


def build_forget_cancelled() -> dict[str, Any]:
    """Forget-me was cancelled."""
    return message("Nothing was deleted.", [context("Okay: nothing was deleted.")])
