"""Block Kit for the owner's DM about a customer's message nobody answered."""

from __future__ import annotations

from typing import Any

from bot.blocks.text import context, date_token, escape, message, permalink, readable, section
from bot.domain.away import Absence, AwayKind
from bot.views.unanswered import UnansweredView

EXCERPT_SHOWN = 200


def build_unanswered_alert(view: UnansweredView) -> dict[str, Any]:
    """The DM: which customer, who wrote where and when, what they said (people named, all else escaped), and a
    link to answer it."""
    name = escape(view.customer_name)
    lines = [
        f":hourglass_flowing_sand: *{name}* is waiting for an answer: <@{view.author_user_id}> wrote in "
        f"<#{view.channel_id}> {date_token(view.posted_at)} and nobody from the team has replied yet."
    ]
    if view.excerpt:
        lines.append(f"> {readable(view.excerpt, limit=EXCERPT_SHOWN)}")  # the stored excerpt is Slack text
    if view.role == "backup" and view.absence is not None:
        lines.insert(
            0,
            f"{_why(view.owner_user_id, view.absence)}, so you're getting this as *{name}*'s backup owner.",
        )
    link = permalink(view.workspace_url, view.channel_id, view.message_ts)
    detail = (
        f"<{link}|Open the message> and answer in its thread · Unanswered for {view.minutes} working minutes "
        "(the alert time in `/rapport settings`)."
    )
    fallback = f"{view.customer_name} is waiting for an answer in a shared channel"
    blocks = [section("\n".join(lines)), context(detail)]
    if view.role == "owner" and view.backup_user_id and view.absence is not None:
        # The owner still hears of it, and knows who else does (and why), so the two need not both answer.
        note = (
            f"You seem to be away ({_reason(view.absence)}), so <@{view.backup_user_id}>, {name}'s backup owner, "
            "is getting this too."
        )
        blocks.insert(1, context(note))
    if view.role == "backup":
        fallback = f"{view.customer_name} is waiting for an answer, and you're its backup owner"
    return message(fallback, blocks)


def _reason(absence: Absence) -> str:
    """What shows the owner away, in a few words (their status is user text: escaped)."""
    if absence.kind is AwayKind.GONE:
        return "no longer a member of this workspace"
    if absence.kind is AwayKind.PRESENCE:
        since = f" since {date_token(absence.since)}" if absence.since is not None else ""
        return f"shown away in Slack{since}"
    status = " ".join(part for part in (escape(absence.status_emoji), escape(absence.status_text)) if part)
    until = f", until {date_token(absence.until)}" if absence.until is not None else ""
    return f"{status}{until}"


def _why(owner_user_id: str, absence: Absence) -> str:
    """“<@owner> is away (…)”: the first words of the backup's DM."""
    if absence.kind is AwayKind.GONE:
        return f"<@{owner_user_id}> is no longer a member of this workspace"
    return f"<@{owner_user_id}> is away ({_reason(absence)})"
