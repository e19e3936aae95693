"""Follow-ups on a real database, with timezones from the simulator's users.info and a chosen `now`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.db.models import FollowUp, OutboxMessage
from bot.db.queries import workspaces as workspace_rows
from bot.domain.customer_commands import AddCustomer
from bot.domain.errors import BadCommand
from bot.domain.when import BadWhen
from bot.runtime.deps import Deps
from bot.services import directory, followups, outbox
from bot.slacksim import SlackSimulator
from tests.conftest import TEAM, FakeClock


def add(deps: Deps, name: str, owner: str) -> None:
    directory.add_customer(deps, team_id=TEAM, command=AddCustomer(name=name, owner_user_id=owner), created_by="U0DANA")


def create(deps: Deps, client: WebClient, text: str, *, by: str = "U0DANA", owners: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    return followups.create_followups(deps, client, team_id=TEAM, created_by=by, owners=owners, text=text)


def test_customer_prefix_owner_default_and_owner_timezone(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    add(deps, "Acme Corp", "U0LEE")  # Lee is in Berlin
    clock.now = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)  # Wednesday
    [view] = create(deps, client, "acme corp tomorrow call back about the drive")
    assert (view.customer_name, view.owner_user_id, view.note) == ("Acme Corp", "U0LEE", "call back about the drive")
    assert view.due_at == datetime(2026, 11, 19, 8, 0, tzinfo=UTC)  # 09:00 in Berlin


def test_explicit_owners_each_get_their_own_local_time(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    add(deps, "Globex", "U0LEE")
    clock.now = datetime(2026, 11, 18, 20, 0, tzinfo=UTC)
    views = create(deps, client, "Globex tomorrow check the invoice was fixed", owners=("U0STEPH", "U0KIRI"))
    due = {v.owner_user_id: v.due_at for v in views}
    assert due == {
        "U0STEPH": datetime(2026, 11, 19, 19, 0, tzinfo=UTC),  # Honolulu, UTC-10
        "U0KIRI": datetime(2026, 11, 19, 20, 0, tzinfo=UTC),  # Auckland, UTC+13 (already the 19th there)
    }


def test_a_customer_named_in_the_note_and_the_caller_as_default_owner(deps: Deps, client: WebClient) -> None:
    add(deps, "Initech", "U0STEPH")
    [view] = create(deps, client, "in 2 hours ping Initech")
    assert (view.customer_name, view.owner_user_id) == ("Initech", "U0STEPH")
    assert view.due_at == deps.clock() + timedelta(hours=2)
    [plain] = create(deps, client, "in 2 hours water the plants")
    assert (plain.customer_name, plain.owner_user_id) == (None, "U0DANA")


def test_bad_input_creates_nothing(deps: Deps, client: WebClient) -> None:
    add(deps, "Acme", "U0LEE")
    for text, error in (("Acme in 3 dayz", BadWhen), ("Acme 2020-01-01 call", BadWhen), ("tomorrow", BadCommand)):
        with pytest.raises(error):
            create(deps, client, text)
    with deps.session_factory.begin() as session:
        assert session.scalar(select(func.count(FollowUp.id))) == 0


def test_timezone_is_cached_and_refreshed_when_stale(
    deps: Deps, client: WebClient, sim: SlackSimulator, clock: FakeClock
) -> None:
    create(deps, client, "in 1 hour a", owners=("U0LEE",))
    create(deps, client, "in 1 hour b", owners=("U0LEE",))
    assert len(sim.calls_to("users.info")) == 1
    clock.advance(days=2)
    create(deps, client, "in 1 hour c", owners=("U0LEE",))
    assert len(sim.calls_to("users.info")) == 2


def test_list_is_mine_and_most_overdue_first(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    create(deps, client, "in 3 days later", owners=("U0DANA",))
    create(deps, client, "in 1 hour sooner", owners=("U0DANA",))
    create(deps, client, "in 1 hour not mine", owners=("U0LEE",))
    assert [v.note for v in followups.list_open(deps, team_id=TEAM, user_id="U0DANA")] == ["sooner", "later"]


def reminders(deps: Deps) -> list[OutboxMessage]:
    with deps.session_factory.begin() as session:
        return list(
            session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder").order_by(OutboxMessage.id))
        )


def test_due_reminder_is_queued_once_then_once_more_a_working_day_later(
    deps: Deps, client: WebClient, clock: FakeClock, sim: SlackSimulator
) -> None:
    add(deps, "Acme", "U0LEE")
    clock.now = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)  # Friday 08:00 in Berlin
    [view] = create(deps, client, "Acme today at 10:00 call back")
    assert followups.queue_reminders(deps, now=view.due_at - timedelta(seconds=1)) == 0
    assert followups.queue_reminders(deps, now=view.due_at) == 1
    assert followups.queue_reminders(deps, now=view.due_at + timedelta(hours=1)) == 0  # never twice
    [first] = reminders(deps)
    assert first.payload["channel"] == "U0LEE" and "call back" in first.payload["text"]
    # One working day later is Monday 10:00 Berlin: not on Saturday or Sunday.
    assert followups.queue_reminders(deps, now=datetime(2026, 11, 22, 12, 0, tzinfo=UTC)) == 0
    assert followups.queue_reminders(deps, now=datetime(2026, 11, 23, 9, 0, tzinfo=UTC)) == 1
    assert followups.queue_reminders(deps, now=datetime(2026, 11, 30, 9, 0, tzinfo=UTC)) == 0  # never a third
    # The sender makes exactly one Web API call per reminder, straight to the user ID.
    report = outbox.deliver_due(deps, client=client, now=datetime(2026, 11, 30, 9, 0, tzinfo=UTC), worker="w")
    assert report.sent == 3  # the two reminders, and Lee's Home tab refreshed when the follow-up was created
    assert [c.method for c in sim.calls if c.method != "users.info"] == ["views.publish"] + ["chat.postMessage"] * 2
    posts = sim.calls_to("chat.postMessage")
    assert [c.args["channel"] for c in posts] == ["U0LEE", "U0LEE"]
    assert len(sim.dm_messages("U0LEE")) == 2


def test_downtime_backlog_is_queued_in_full(deps: Deps, client: WebClient, clock: FakeClock) -> None:
    with deps.session_factory.begin() as session:
        workspace_rows.ensure(session, team_id=TEAM, now=clock.now)
        for i in range(1203):
            row = FollowUp(
                team_id=TEAM,
                owner_user_id="U0LEE",
                note=f"n{i}",
                due_at=clock.now,
                state="open",
                reminders_sent=0,
                created_by="U0DANA",
                created_at=clock.now,
                kind="followup",
            )
            session.add(row)
    assert followups.queue_reminders(deps, now=clock.now + timedelta(days=3)) == 1203
    assert len(reminders(deps)) == 1203


def test_note_text_is_escaped_in_the_reminder(deps: Deps, client: WebClient) -> None:
    [view] = create(deps, client, "in 1 hour tell <!here> about <https://evil.example|this> & more")
    followups.queue_reminders(deps, now=view.due_at)
    [row] = reminders(deps)
    rendered = str(row.payload)
    assert "<!here>" not in rendered and "&lt;!here&gt;" in rendered and "&amp; more" in rendered
