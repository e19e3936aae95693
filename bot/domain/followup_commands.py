"""Parsing `/followup` text into typed commands; no I/O (the customer and the *when* are read by the service)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.slack_text import strip_controls

USAGE_EXAMPLES = (
    "/followup Acme tomorrow call back about the drive",
    "/followup @lee Globex in 3 days check the invoice was fixed",
    "/followup in 2 hours ping Initech",
    "/followup Acme friday at 10am make sure the new login works",
    "/followup Acme every 2 weeks check in",
    "/followup Acme every month on the 1st make sure everything is still good",
    "/followup list",
    "/followup list @lee",
    "/followup list Acme",
    "/followup list overdue",
)
LIST_WORDS = ("list", "ls")
OVERDUE_WORDS = ("overdue", "late")

_OWNER = re.compile(r"\s*<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class Help:
    """`/followup help`."""


@dataclass(frozen=True)
class OpenModal:
    """`/followup` with no text."""


@dataclass(frozen=True)
class ListFollowUps:
    """`/followup list [@owner] [overdue] [customer]`: the caller's open follow-ups, or another person's, or a
    customer's (whoever owns them); `overdue` keeps only those past due."""

    owner: str | None = None
    customer: str = ""
    overdue: bool = False


@dataclass(frozen=True)
class NewFollowUp:
    """`/followup [@owner …] [customer] [when] note`: owners read here, the rest left for the service."""

    owners: tuple[str, ...]
    text: str


FollowupCommand = Help | OpenModal | ListFollowUps | NewFollowUp


def parse_followup_command(text: str) -> FollowupCommand:
    """Split off the subcommand or the leading @owner mentions."""
    text = " ".join(strip_controls(text).split())
    lowered = text.lower()
    if not text:
        return OpenModal()
    if lowered in ("help", "?", "-h", "--help"):
        return Help()
    if lowered in ("list", "ls", "mine", "open"):
        return ListFollowUps()
    first, _, rest = text.partition(" ")
    if first.lower() in LIST_WORDS:
        return _list_filters(rest)
    owners: list[str] = []
    while match := _OWNER.match(text):
        if match.group(1) not in owners:
            owners.append(match.group(1))
        text = text[match.end() :]
    return NewFollowUp(owners=tuple(owners), text=text.strip())


def _list_filters(text: str) -> ListFollowUps:
    """The filters after `list`: an @owner, the word `overdue`, and whatever is left as a customer's name."""
    owner = None
    if match := _OWNER.match(text):
        owner, text = match.group(1), text[match.end() :]
    words = text.split()
    overdue = any(w.lower() in OVERDUE_WORDS for w in words)
    customer = " ".join(w for w in words if w.lower() not in OVERDUE_WORDS)
    return ListFollowUps(owner=owner, customer=customer, overdue=overdue)
