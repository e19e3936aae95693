"""What one week's digest tells."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.periods import DigestWeek
from bot.views.stats import StoryLine
from bot.views.triage import ResponseTimes


@dataclass(frozen=True)
class Digest:
    """What one week's digest tells: the week's stories (most recognised first) and the team's numbers."""

    week: DigestWeek
    stories: list[StoryLine]
    more_stories: int  # recognised stories of the week beyond those shown
    followups_done: int  # check-ins included
    followups_on_time: int
    customers_checked_in: int
    quiet_customers: int
    quiet_days: int
    # Tone tips shown this week, by category: counts only, never who or what.
    tips: dict[str, int] = field(default_factory=dict)
    # The week's first responses to customers against the target: the team's, and each customer's.
    first_responses: ResponseTimes | None = None
    customer_responses: tuple[ResponseTimes, ...] = ()

    @property
    def has_news(self) -> bool:
        """Whether there is anything to tell: a story or a follow-up (or check-in) done."""
        return bool(self.stories) or self.followups_done > 0
