"""Follow-ups as people see them: the view of a stored follow-up, for the follow-up use cases and the Home tab.

Apart from services.followups so that the Home tab, which every use case refreshes, reads follow-ups without
importing the module that refreshes it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time

from bot.db.models import FollowUp, Recurrence
from bot.domain.recurrence import Rule, describe
from bot.domain.when import Due, describe_due
from bot.views.followups import FollowUpView

_YOUR_TIME = ", your time"


def followup_view(
    row: FollowUp, *, customer_name: str | None, workspace_url: str, due: Due | None = None, now: datetime | None = None
) -> FollowUpView:
    """The view of a stored follow-up; one just created (`due`, read at `now`) also says how its *when* was read."""
    day = ""
    assumptions: tuple[str, ...] = ()
    if due is not None and now is not None:
        # describe_due without assumptions is exactly the day and time followed by ", your time".
        day = describe_due(replace(due, assumptions=()), now=now).removesuffix(_YOUR_TIME)
        assumptions = due.assumptions
    recurrence = row.recurrence if row.recurrence_id is not None else None
    return FollowUpView(
        id=row.id,
        owner_user_id=row.owner_user_id,
        customer_name=customer_name,
        note=row.note,
        due_at=row.due_at,
        kind=row.kind,
        created_by=row.created_by,
        source_channel_id=row.source_channel_id,
        source_ts=row.source_ts,
        workspace_url=workspace_url,
        due_day=day,
        due_assumptions=assumptions,
        rhythm=describe(rule_of(recurrence), with_time=False) if recurrence is not None else "",
        rhythm_next=recurrence.next_due if recurrence is not None else None,
        rhythm_tz=recurrence.tz if recurrence is not None else "",
        rhythm_stopped=recurrence is not None and recurrence.stopped_at is not None,
    )


def rule_of(row: Recurrence) -> Rule:
    """A stored rhythm as a rule."""
    return Rule(
        unit=row.unit,
        interval=row.interval,
        weekday=row.weekday,
        month_day=row.month_day,
        month=row.month,
        at=time(row.at_minute // 60, row.at_minute % 60),
        start=row.start_day,
        words=row.rule_text,
    )
