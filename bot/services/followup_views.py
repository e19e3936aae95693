"""Follow-ups as people see them: the view of a stored follow-up, for the follow-up use cases and the Home tab.

Apart from services.followups so that the Home tab, which every use case refreshes, reads follow-ups without
importing the module that refreshes it.
"""

from __future__ import annotations

from bot.db.models import FollowUp
from bot.views.followups import FollowUpView


def followup_view(row: FollowUp, *, customer_name: str | None, workspace_url: str) -> FollowUpView:
    """The view of a stored follow-up."""
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
    )
