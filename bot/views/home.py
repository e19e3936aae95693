"""What one person's Home tab shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.views.customers import CustomerSummary
from bot.views.followups import FollowUpView
from bot.views.stats import StoryLine


@dataclass(frozen=True)
class HomeView:
    """What one person's Home tab shows."""

    user_id: str
    followups: list[FollowUpView]
    customers: list[CustomerSummary]
    now: datetime
    recent_stories: list[StoryLine] = field(default_factory=list)
    my_stories: list[StoryLine] = field(default_factory=list)
    nudges_enabled: bool = True  # the person's own tone tips
    workspace_nudges: bool = True  # the workspace's switch
    promises_enabled: bool = True  # the person's own promise offers
    workspace_promises: bool = True  # the workspace's switch
