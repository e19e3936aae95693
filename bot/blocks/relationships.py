"""Block Kit for relationship nudges: the weekly gone-quiet DM with its buttons, and the anniversary DM."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.blocks.text import Block, context, date_token, escape, message, section
from bot.views.relationships import Anniversary, CheckIn, QuietCustomer, QuietNudge, QuietSnooze

PLAN_CHECKIN_ACTION = "quiet_plan_checkin"
SNOOZE_QUIET_ACTION = "quiet_snooze"
QUIET_BLOCK_PREFIX = "quiet_customer_"
_DAY = "{date_short_pretty}"


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _customer_line(customer: QuietCustomer) -> str:
    parts = [f"*{escape(customer.name)}*"]
    if customer.since is not None:
        parts.append(f"customer since {_day(customer.since)}")
    if customer.last_touch is not None:
        parts.append(f"last touch {date_token(customer.last_touch, fmt=_DAY)}")
    else:
        parts.append(f"no touch since it was added {date_token(customer.added_at, fmt=_DAY)}")
    return " · ".join(parts)


def _buttons(customer: QuietCustomer) -> Block:
    value = str(customer.id)
    return {
        "type": "actions",
        "block_id": f"{QUIET_BLOCK_PREFIX}{customer.id}",
        "elements": [
            {
                "type": "button",
                "style": "primary",
                "action_id": PLAN_CHECKIN_ACTION,
                "value": value,
                "text": {"type": "plain_text", "text": "Plan a check-in"},
            },
            {
                "type": "button",
                "action_id": SNOOZE_QUIET_ACTION,
                "value": value,
                "text": {"type": "plain_text", "text": "Snooze 30 days"},
            },
        ],
    }


def build_quiet_nudge(nudge: QuietNudge) -> dict[str, Any]:
    """The Monday DM: up to 5 quiet customers, longest relationship first, each with its two buttons."""
    count = len(nudge.customers) + nudge.more
    noun = "customer has" if count == 1 else "customers have"
    blocks: list[Block] = [
        section(
            f":wave: *{count} of your {noun} gone quiet*: no mention, finished follow-up or story for "
            f"{nudge.quiet_days} days or more. Loyal customers shouldn't be taken for granted; a short "
            "check-in shows them they aren't."
        ),
    ]
    for customer in nudge.customers:
        blocks += [section(_customer_line(customer)), _buttons(customer)]
    if nudge.more:
        blocks.append(context(f"…and {nudge.more} more. `/customer list` shows every customer, quietest first."))
    return message(f"{count} of your {noun} gone quiet", blocks)


def checkin_line(result: CheckIn) -> str:
    """What replaces a customer's buttons once a check-in is planned."""
    name = escape(result.customer_name)
    if result.changed:
        return f":calendar: Check-in with *{name}* planned: I'll remind you {date_token(result.due_at)}."
    return f":calendar: Already planned: a check-in with *{name}* {date_token(result.due_at)}."


def snooze_line(result: QuietSnooze) -> str:
    """What replaces a customer's buttons once it is snoozed."""
    name = escape(result.customer_name)
    until = date_token(result.until, fmt=_DAY)
    if result.changed:
        return f":zzz: *{name}* snoozed: not listed as quiet again before {until}."
    return f":zzz: *{name}* is already snoozed until {until}."


def build_quiet_answered(original: dict[str, Any] | None, *, customer_id: int, line: str) -> dict[str, Any]:
    """The gone-quiet DM updated in place: the clicked customer's buttons become `line`, the others stay.

    `original` is the message as Slack sent it with the click (already escaped); without it, just the line.
    """
    if not original or not original.get("blocks"):
        return message("Gone quiet", [section(line)])
    block_id = f"{QUIET_BLOCK_PREFIX}{customer_id}"
    blocks = [section(line) if b.get("block_id") == block_id else b for b in original["blocks"]]
    return {"text": str(original.get("text") or "Gone quiet"), "blocks": blocks}


def build_anniversary(anniversary: Anniversary) -> dict[str, Any]:
    """The anniversary DM: how many years, and a nudge to say thank you."""
    years = "1 year" if anniversary.years == 1 else f"{anniversary.years} years"
    name = escape(anniversary.customer_name)
    blocks = [
        section(f":tada: *{years} with {name}* today — a good day to say thank you."),
        context(
            f"Customer since {_day(anniversary.since)}. A personal note or a call means more than any automated email."
        ),
    ]
    return message(f"{years} with {anniversary.customer_name} today — a good day to say thank you", blocks)
