"""Block Kit for the triage channel: one message per waiting customer with Claim and Answered, its escalation,
and first-response times against the target (for the digest and /rapport stats).

A customer with many waiting messages stays within Slack's limits: at most MAX_LINES_SHOWN are listed, packed
into sections under the section text limit, and the rest summarised ("and 12 more").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks.history import duration
from bot.blocks.stories import STORIES_CHANNEL_PROBLEMS
from bot.blocks.text import (
    MESSAGE_BLOCK_LIMIT,
    SECTION_TEXT_LIMIT,
    Block,
    context,
    date_token,
    escape,
    message,
    permalink,
    readable,
    section,
)
from bot.views.triage import CustomerTriage, EscalationView, ResponseTimes, TriageView, TriageWaitLine

CLAIM_ACTION = "triage_claim"
ANSWERED_ACTION = "triage_answered"
MAX_LINES_SHOWN = 30
EXCERPT_SHOWN = 100


def _line(view: TriageView, line: TriageWaitLine) -> str:
    link = permalink(view.workspace_url, line.channel_id, line.message_ts)
    said = f" “{readable(line.excerpt, limit=EXCERPT_SHOWN)}”" if line.excerpt else ""
    who = f"<@{line.author_user_id}>"
    if line.answered_by is not None:
        return (
            f"• ~<{link}|Message>~ from {who}{said} — answered by <@{line.answered_by}> after {duration(line.waited)}"
        )
    return f"• <{link}|Message> from {who} in <#{line.channel_id}>{said} — waiting {duration(line.waited)}"


def _packed(lines: Sequence[str], *, most: int) -> list[Block]:
    """The lines as sections, as few as fit under the section text limit, at most `most` of them."""
    blocks: list[Block] = []
    current = ""
    for text in lines:
        if current and len(current) + 1 + len(text) > SECTION_TEXT_LIMIT:
            blocks.append(section(current))
            current = ""
        current = f"{current}\n{text}" if current else text[:SECTION_TEXT_LIMIT]
    if current:
        blocks.append(section(current))
    return blocks[:most]


def build_triage_message(view: TriageView) -> dict[str, Any]:
    """The customer's triage message: who waits since when, who claimed it, and the two buttons while it is open."""
    name = escape(view.customer_name)
    waiting = [line for line in view.lines if line.answered_by is None]
    if view.closed_by is not None:
        after = f" after {duration(view.closed_after)}" if view.closed_after is not None else ""
        head = f":white_check_mark: *{name}*: answered by <@{view.closed_by}>{after}."
    else:
        count = len(waiting)
        head = (
            f":hourglass_flowing_sand: *{name}* has {count} message{'s' if count != 1 else ''} waiting for an "
            f"answer · owner <@{view.owner_user_id}>"
        )
    blocks: list[Block] = [section(head)]
    if view.escalated_at is not None and view.closed_by is None and view.claimed_by is None:
        blocks.append(
            context(f":rotating_light: Escalated {date_token(view.escalated_at)}: nobody claimed it in time.")
        )
    if view.claimed_by is not None:
        when = f" {date_token(view.claimed_at)}" if view.claimed_at is not None else ""
        blocks.append(context(f":raising_hand: Claimed by <@{view.claimed_by}>{when}"))
    shown = view.lines[:MAX_LINES_SHOWN]
    # Room for the head, two notes, the summary line and the buttons.
    blocks.extend(_packed([_line(view, line) for line in shown], most=MESSAGE_BLOCK_LIMIT - 6))
    if len(view.lines) > len(shown):
        blocks.append(context(f"… and {len(view.lines) - len(shown)} more."))
    if view.closed_by is None:
        value = str(view.triage_id)
        blocks.append(
            {
                "type": "actions",
                "block_id": f"triage:{view.triage_id}",
                "elements": [
                    {
                        "type": "button",
                        "action_id": CLAIM_ACTION,
                        "text": {"type": "plain_text", "text": "Claim" if view.claimed_by is None else "Take over"},
                        "style": "primary",
                        "value": value,
                    },
                    {
                        "type": "button",
                        "action_id": ANSWERED_ACTION,
                        "text": {"type": "plain_text", "text": "Answered"},
                        "value": value,
                    },
                ],
            }
        )
    fallback = (
        f"{view.customer_name}: answered"
        if view.closed_by is not None
        else f"{view.customer_name} has {len(waiting)} message(s) waiting for an answer"
    )
    return message(fallback, blocks)


def build_escalation(view: EscalationView) -> dict[str, Any]:
    """The second post, once: the customer still waits and nobody claimed it; the owner is called by name."""
    name = escape(view.customer_name)
    count = view.waiting
    text = (
        f":rotating_light: *Escalated: {name}* has waited {duration(view.oldest_waited)} with {count} "
        f"message{'s' if count != 1 else ''} unanswered and nobody has claimed it. <@{view.owner_user_id}>, can you "
        f"take it or find someone? <{view.triage_link}|Claim it on the triage message>."
    )
    detail = f"Raised once, {view.escalation_minutes} working minutes after the first message (`/rapport settings`)."
    return message(f"Escalated: {view.customer_name} is still waiting for an answer", [section(text), context(detail)])


def response_line(times: ResponseTimes) -> str:
    """First responses against the target in one line, congratulating when the target is met; never a ranking."""
    who = f"*{escape(times.name)}*" if times.name else "*The team*"
    if times.settled == 0:
        return f"{who}: no customer message waited for an answer."
    share = round(100 * times.within_target / times.settled)
    median = duration(times.median) if times.median is not None else "—"
    line = (
        f"{who}: median first response {median} · {share}% of {times.settled} within the "
        f"{times.target_minutes}-minute target"
    )
    if times.within_target == times.settled:
        line += " :tada: every one on time, well done!"
    elif share >= 80:
        line += " — nicely done"
    return line


def response_blocks(
    team: ResponseTimes, customers: Sequence[ResponseTimes], *, days: int | None = None, most: int = 10
) -> list[Block]:
    """The team's line and each customer's (alphabetical, at most `most`), for the digest and /rapport stats."""
    period = f" (last {days} days)" if days else ""
    if team.settled == 0:
        return [context(f"*First responses to customers*{period}: no customer message waited for an answer yet.")]
    lines = [response_line(team)] + [response_line(c) for c in sorted(customers, key=lambda c: c.name.lower())[:most]]
    if len(customers) > most:
        lines.append(f"… and {len(customers) - most} more customers.")
    return _packed([f"*First responses to customers*{period}", *lines], most=2)


def confirm_customer_triage(view: CustomerTriage) -> dict[str, Any]:
    """`/customer triage`: where the customer's waiting messages go, its target and escalation, and whose they are."""
    name = escape(view.name)

    def whose(own: bool) -> str:
        return "its own" if own else "the workspace's"

    where = (
        f"listed in <#{view.channel_id}> ({whose(view.own_channel)} triage channel)"
        if view.channel_id
        else "sent to the owner's DM only (no triage channel is set)"
    )
    escalation = (
        f"escalated after {view.escalation_minutes} working minutes unclaimed ({whose(view.own_escalation)})"
        if view.escalation_minutes > 0
        else f"never escalated ({whose(view.own_escalation)} setting)"
    )
    lead = ":white_check_mark: Saved. " if view.changed else ""
    text = (
        f"{lead}*{name}*'s waiting messages are {where}; first-response target {view.target_minutes} working minutes "
        f"({whose(view.own_target)}); {escalation}."
    )
    tip = (
        f"Change it: `/customer triage {name} #channel target 30 escalate 90`; "
        f"back to the workspace's: `/customer triage {name} off`."
    )
    return message(f"{view.name}: triage settings", [section(text), context(tip)])


def build_triage_channel_broken(channel_id: str, code: str) -> dict[str, Any]:
    """Told once to the admins: the triage channel refused a waiting customer's message."""
    problem = STORIES_CHANNEL_PROBLEMS.get(code, f"refused my post ({code})")
    text = (
        f":warning: The triage channel <#{channel_id}> {problem}, so a waiting customer could not be listed there "
        "(the owners still get their DMs). Invite me back with `/invite @Rapport`, or choose another triage channel "
        "in `/rapport settings` (or a customer's own with `/customer triage`)."
    )
    return message(f"The triage channel {problem}", [section(text)])
