"""Privacy: forgetting a person on request, and the daily job that drops excerpts past the retention period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db.queries import privacy as privacy_rows
from bot.runtime.deps import Deps
from bot.services import home, stories
from bot.views.privacy import Forgotten

# Rows changed per transaction: each batch holds its locks for a moment, so intake never waits long.
RETENTION_BATCH = 500


def forget_me(deps: Deps, *, team_id: str, user_id: str) -> Forgotten:
    """Delete a person's excerpts, tone-tip history and personal settings; their stories and follow-ups stay."""
    now = deps.clock()
    with deps.session_factory.begin() as session:
        removed = privacy_rows.forget_user(session, team_id=team_id, user_id=user_id)
        home.refresh(session, team_id=team_id, user_ids=[user_id], now=now)
    deps.wake_sender()
    return Forgotten(excerpts=removed.excerpts, nudges=removed.nudges, settings=removed.settings)


@dataclass
class RetentionReport:
    """What one run of the retention job removed."""

    excerpts: int = 0
    outbox_payloads: int = 0
    offer_notes: int = 0


def apply_retention(deps: Deps, *, now: datetime, batch: int = RETENTION_BATCH) -> RetentionReport:
    """Drop excerpts of mentions older than each workspace's retention days, in short transactions.

    The mentions keep their metadata (customer, channel, ts, author, time). Messages the bot already sent,
    which may quote what people wrote, lose their payload after the same period; their rows stay so that
    nothing is ever sent twice. Stories' shout-outs store no text (they are rendered when sent) and are kept. A
    promise offer never answered forgets its words after the same period.
    """
    report = RetentionReport()
    with deps.session_factory.begin() as session:
        periods = privacy_rows.retention_days_by_team(session)
    for team_id, days in sorted(periods.items()):
        before = now - timedelta(days=max(1, days))
        while True:
            with deps.session_factory.begin() as session:
                done = privacy_rows.expire_excerpts(session, team_id=team_id, before=before, limit=batch)
            report.excerpts += done
            if done < batch:
                break
        with deps.session_factory.begin() as session:
            report.offer_notes += privacy_rows.expire_offer_notes(session, team_id=team_id, before=before)
        while True:
            with deps.session_factory.begin() as session:
                done = privacy_rows.redact_finished_outbox(
                    session,
                    team_id=team_id,
                    before=before,
                    keep_kinds=sorted(stories.RENDERED_KINDS),
                    now=now,
                    limit=batch,
                )
            report.outbox_payloads += done
            if done < batch:
                break
    return report
