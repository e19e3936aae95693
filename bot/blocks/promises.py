"""Block Kit for promise offers: the private offer with Remind me, Change… and Not this time, and what each leaves
behind."""

from __future__ import annotations

from typing import Any

from bot.blocks.text import context, escape, message, section, shorten
from bot.views.promises import OfferView, PromiseSwitch

PROMISE_ACCEPT_ACTION = "promise_accept"
PROMISE_CHANGE_ACTION = "promise_change"
PROMISE_DISMISS_ACTION = "promise_dismiss"
PROMISES_TOGGLE_ACTION = "promises_toggle"  # the Home tab's switch
OFFER_BLOCK = "promise_offer"
NOTE_SHOWN = 300
SWITCH_HINT = "`/rapport promises off` stops these offers for you; `/rapport promises on` brings them back."
PRIVATE = "Only you can see this. Nothing is created unless you click."


def read_offer_value(value: str) -> int | None:
    """The offer id in a button's value, or None if it is not one."""
    return int(value) if value.isdigit() and len(value) < 19 else None


def _button(action_id: str, text: str, offer_id: int, *, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "value": str(offer_id),
        "text": {"type": "plain_text", "text": text},
    }
    if style:
        button["style"] = style
    return button


def _when(view: OfferView) -> str:
    read = f" (I read {'; '.join(escape(a) for a in view.due_assumptions)})" if view.due_assumptions else ""
    return f"{view.due_day}, your time{read}"


def build_offer(view: OfferView) -> dict[str, Any]:
    """The ephemeral offer: the ready follow-up (who, customer, when, note) and three buttons."""
    customer = escape(view.customer_name) if view.customer_name else "none named"
    note = escape(shorten(view.note, NOTE_SHOWN))
    return message(
        f"Want a reminder for your promise? {view.note} — {view.due_day}, your time",
        [
            section(
                ":handshake: *That sounds like a promise. Want a reminder to keep it?*\n"
                f"*Who:* you · *Customer:* {customer}\n*When:* {_when(view)}\n*Note:* “{note}”"
            ),
            {
                "type": "actions",
                "block_id": OFFER_BLOCK,
                "elements": [
                    _button(PROMISE_ACCEPT_ACTION, "Remind me", view.id, style="primary"),
                    _button(PROMISE_CHANGE_ACTION, "Change…", view.id),
                    _button(PROMISE_DISMISS_ACTION, "Not this time", view.id),
                ],
            },
            context(f"{PRIVATE} {SWITCH_HINT}"),
        ],
    )


def build_dismissed() -> dict[str, Any]:
    """What Not this time leaves in place of the offer."""
    return message(
        "OK, no reminder for this one.",
        [section("OK, no reminder for this one."), context(SWITCH_HINT)],
    )


def build_already_answered() -> dict[str, Any]:
    """A second click on an offer already answered (another tab, a double click)."""
    return message(
        "This promise was already taken care of.",
        [section("This promise was already taken care of: see `/followup list` for your follow-ups.")],
    )


def confirm_switch(switch: PromiseSwitch) -> dict[str, Any]:
    """`/rapport promises on|off`'s answer."""
    if not switch.enabled:
        text = "Done: I won't offer to turn your promises into follow-ups. `/rapport promises on` brings it back."
    elif switch.workspace_enabled:
        text = (
            "Done: when you promise a customer something with a time (“I'll call you back tomorrow”), I'll offer "
            "you a follow-up, privately."
        )
    else:
        text = (
            "Done: your promise offers are on, but an admin turned them off for the workspace "
            "(`/rapport settings`), so none are shown for now."
        )
    return message(text, [section(text)])
