"""Which customers a channel message names, and the excerpt kept for each; no I/O."""

from __future__ import annotations

from bot.domain.matcher import CustomerMatcher, normalize_name
from bot.domain.messages import ChannelMessage
from bot.domain.slack_text import excerpt, strip_controls, visible_text

EXCERPT_LIMIT = 280


def mentioned(matcher: CustomerMatcher, message: ChannelMessage, *, linked_customer: int | None) -> dict[int, str]:
    """Customer id -> excerpt for every customer the message names (and the channel's linked customer)."""
    # Collapsed as excerpt() collapses it, so a match's position here is a position in the excerpt's text.
    shown = " ".join(visible_text(strip_controls(message.text)).split())
    found: dict[int, str] = {}
    lowered = shown.lower()
    for match in matcher.find(message.text):
        if match.customer_id in found:
            continue
        position = lowered.find(normalize_name(match.name))
        found[match.customer_id] = excerpt(shown, around=position if position >= 0 else None, limit=EXCERPT_LIMIT)
    if linked_customer is not None and linked_customer not in found:
        found[linked_customer] = excerpt(shown, limit=EXCERPT_LIMIT)
    return found
