"""Block Kit for the owner's DM about a customer's message nobody answered."""

from __future__ import annotations

from typing import Any

from bot.blocks.text import context, date_token, escape, message, permalink, readable, section
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
    link = permalink(view.workspace_url, view.channel_id, view.message_ts)
    detail = (
        f"<{link}|Open the message> and answer in its thread · Unanswered for {view.minutes} working minutes "
        "(the alert time in `/rapport settings`)."
    )
    fallback = f"{view.customer_name} is waiting for an answer in a shared channel"
    return message(fallback, [section("\n".join(lines)), context(detail)])
