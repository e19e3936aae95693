"""What the owner's DM says about a customer's message nobody answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.away import Absence


@dataclass(frozen=True)
class UnansweredView:
    """What the owner's DM says about a customer's unanswered message."""

    customer_name: str
    owner_user_id: str
    author_user_id: str
    channel_id: str
    message_ts: str
    posted_at: datetime
    excerpt: str | None
    minutes: int
    workspace_url: str
    # Who this DM is for: the owner, or the backup owner (alerted too while the owner is away, `absence` says why).
    role: str = "owner"
    backup_user_id: str | None = None
    absence: Absence | None = None
