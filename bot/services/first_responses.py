"""First responses to customers' messages against the response target, for the digest and `/rapport stats`:
the median, and the share answered within the target (the customer's own, else the workspace's; in working
minutes after the message). Per customer and for the team, never per person.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.db.queries import customers as customer_rows
from bot.db.queries import settings as settings_rows
from bot.db.queries import triage as triage_rows
from bot.domain.history import median_response
from bot.domain.when import WorkWeek, add_working_minutes, zone
from bot.views.triage import ResponseTimes


def response_times(
    session: Session, *, team_id: str, since: datetime, until: datetime, now: datetime
) -> tuple[ResponseTimes, list[ResponseTimes]]:
    """First responses to customers' messages posted in [since, until): the team's and each customer's median
    and share answered within the target (the customer's own, else the workspace's; in working minutes). A message
    never answered counts as outside the target once its target time has passed."""
    settings = settings_rows.of_workspace(session, team_id=team_id, now=now)
    week = WorkWeek.from_settings(settings.working_days, settings.working_hours_start, settings.working_hours_end)
    tz = zone(settings.timezone)
    own = triage_rows.customer_targets(session, team_id=team_id)
    team_target = settings.first_response_target_minutes
    settled = triage_rows.first_responses(session, team_id=team_id, since=since, until=until)
    by_customer: dict[int, list[tuple[datetime, datetime | None]]] = {}
    for customer_id, posted_at, answered_at in settled:
        by_customer.setdefault(customer_id, []).append((posted_at, answered_at))
    names = customer_rows.names_and_owners(session, team_id=team_id, ids=list(by_customer))

    def measure(
        name: str, items: list[tuple[datetime, datetime | None]], targets_of: list[int], shown: int
    ) -> ResponseTimes:
        spans = [answered - posted for posted, answered in items if answered is not None]
        within = sum(
            1
            for (posted, answered), target in zip(items, targets_of, strict=True)
            if answered is not None and answered <= add_working_minutes(posted, target, week, tz)
        )
        return ResponseTimes(
            name=name,
            answered=len(spans),
            settled=len(items),
            within_target=within,
            median=median_response(spans),
            target_minutes=shown,
        )

    customers = []
    every: list[tuple[datetime, datetime | None]] = []
    every_target: list[int] = []
    for customer_id, settled_items in by_customer.items():
        target = own.get(customer_id, team_target)
        # A message still unanswered whose target time has not come yet may still make it: not judged yet.
        items = [
            (posted, answered)
            for posted, answered in settled_items
            if answered is not None or add_working_minutes(posted, target, week, tz) <= now
        ]
        if not items:
            continue
        customers.append(measure(names.get(customer_id, ("?", ""))[0], items, [target] * len(items), target))
        every.extend(items)
        every_target.extend([target] * len(items))
    return measure("", every, every_target, team_target), customers
