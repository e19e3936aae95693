"""Which customers a channel message names, and the excerpt kept for each; no I/O."""

from __future__ import annotations

from bot.domain.matcher import CustomerMatcher, normalize_name, normalize_text
from bot.domain.messages import ChannelMessage
from bot.domain.slack_text import as_slack_text, one_line, parse_slack_text, searchable_text, shortened, strip_controls

EXCERPT_LIMIT = 280


def mentioned(matcher: CustomerMatcher, message: ChannelMessage, *, linked_customer: int | None) -> dict[int, str]:
    """Customer id -> excerpt for every customer the message names (and the channel's linked customer).

    An excerpt is Slack text, as Slack writes a message's: the people it mentions stay `<@U…>` so a card can name
    them; links, channels and special mentions are kept as the words a reader sees."""
    matches = matcher.find(message.text)
    if not matches and linked_customer is None:
        return {}
    parts = one_line(parse_slack_text(strip_controls(message.text)))
    # One character per atom (a person is one), so a match's position here is a position `shortened` counts.
    lowered = searchable_text(parts).lower()
    scanned = normalize_text(message.text) if matches else ""
    found: dict[int, str] = {}
    for match in matches:
        if match.customer_id in found:
            continue
        # The words as written ("nestle", "O’Reilly"), which may differ from the name as stored.
        position = lowered.find(scanned[match.start : match.end])
        if position < 0:
            position = lowered.find(normalize_name(match.name))
        window = shortened(parts, around=position if position >= 0 else None, limit=EXCERPT_LIMIT)
        found[match.customer_id] = as_slack_text(window)
    if linked_customer is not None and linked_customer not in found:
        found[linked_customer] = as_slack_text(shortened(parts, limit=EXCERPT_LIMIT))
    return found
