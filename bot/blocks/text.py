"""The one place user text is made safe for Slack, and small Block Kit helpers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.slack_text import Person, one_line, parse_slack_text, shortened, strip_controls

Block = dict[str, Any]

SECTION_TEXT_LIMIT = 3000
MESSAGE_BLOCK_LIMIT = 50
MODAL_BLOCK_LIMIT = 100


def escape(text: str) -> str:
    """Escape user text for mrkdwn so it cannot ping @here or forge links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def readable(text: str, *, limit: int) -> str:
    """Slack text (a message's, a story's, a stored excerpt) as one line of mrkdwn that reads as it did in Slack:
    each person as a `<@U…>` mention Slack names for every reader, a link as its label, a channel as #name,
    `<!here>` and group pings as plain words; all else escaped. At most `limit` characters (ellipsis included),
    cut between words and people, never inside a mention or an entity."""
    parts = shortened(one_line(parse_slack_text(strip_controls(text))), limit=limit)
    # The only token written here is a mention of a user ID that `Person` has validated.
    return "".join(f"<@{part.user_id}>" if isinstance(part, Person) else escape(part) for part in parts)


def shorten(text: str, limit: int) -> str:
    """Cut text to at most `limit` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def section(text: str) -> Block:
    """A mrkdwn section; text must already be escaped."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": shorten(text, SECTION_TEXT_LIMIT)}}


def context(text: str) -> Block:
    """A small grey line; text must already be escaped."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": shorten(text, SECTION_TEXT_LIMIT)}]}


def header(text: str) -> Block:
    """A header block from plain user text (plain_text needs no escaping)."""
    return {"type": "header", "text": {"type": "plain_text", "text": shorten(text, 150), "emoji": True}}


def divider() -> Block:
    """A divider."""
    return {"type": "divider"}


def date_token(when: datetime, *, fmt: str = "{date_short_pretty} at {time}") -> str:
    """A `<!date^…>` token so every reader sees the time in their own timezone."""
    fallback = when.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(when.timestamp())}^{fmt}|{fallback}>"


def permalink(workspace_url: str, channel_id: str, ts: str, thread_ts: str | None = None) -> str:
    """Compose a message link from the workspace URL instead of a chat.getPermalink call."""
    base = workspace_url or "https://slack.com/"
    if not base.endswith("/"):
        base += "/"
    link = f"{base}archives/{channel_id}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel_id}"
    return link


def message(fallback: str, blocks: list[Block], *, fallback_is_mrkdwn: bool = False) -> dict[str, Any]:
    """A message body: raw fallback words (escaped here, as notifications parse them), or mrkdwn already made safe
    by `readable` and short enough, plus at most 50 blocks."""
    text = fallback if fallback_is_mrkdwn else escape(shorten(fallback, 3000))
    return {"text": text, "blocks": blocks[:MESSAGE_BLOCK_LIMIT]}
