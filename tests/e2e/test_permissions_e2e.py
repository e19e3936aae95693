"""Who may do what (docs/permissions.md), through the running app: another person's hands on every button of a
follow-up, a gone-quiet DM and a customer's removal, and on `/customer owner` and `/customer remove`. The right
people succeed; anyone else gets a polite private line and the database does not change.

In the simulated workspace Dana is a Slack admin; Lee, Stephanie and Kiri are not."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.db.models import Customer, FollowUp, Mention, Story
from bot.db.queries import settings as settings_rows
from bot.services import followups, outbox, relationships
from tests.e2e.clicks import answers_to, button, click, polite_refusal
from tests.e2e.conftest import RunningApp, eventually

TEAM = "T0SIM0001"
FOLLOWUP_REFUSAL = "This follow-up isn't yours"


def _followups(app: RunningApp) -> list[tuple[int, str, str, str, datetime]]:
    """Every follow-up as (id, kind, owner, state, due), oldest first."""
    with app.runtime.deps.session_factory.begin() as session:
        rows = session.scalars(select(FollowUp).order_by(FollowUp.id)).all()
        return [(r.id, r.kind, r.owner_user_id, r.state, r.due_at) for r in rows]


def _deliver_reminder(app: RunningApp, owner: str) -> tuple[str, dict[str, Any]]:
    """Run the jobs as at the open follow-up's due time; (DM channel, the reminder as the owner sees it)."""
    [(_, _, _, _, due)] = [f for f in _followups(app) if f[2] == owner and f[3] == "open"]
    later = due + timedelta(seconds=5)
    followups.queue_reminders(app.runtime.deps, now=later)
    outbox.send_outbox(app.runtime.deps, client=app.runtime.client, now=later, worker="e2e")
    post = [c for c in app.sim.calls_to("chat.postMessage") if c.args["channel"] == owner][-1]
    [message] = [m for m in app.sim.dm_messages(owner) if m["ts"] == post.response["ts"]]
    return post.response["channel"], message


def _as_shown(app: RunningApp, owner: str, ts: str) -> dict[str, Any]:
    [message] = [m for m in app.sim.dm_messages(owner) if m["ts"] == ts]
    return message


def _snooze(message: dict[str, Any], choice: int = 0) -> dict[str, Any]:
    menu = button(message, "followup_snooze")
    return {**menu, "selected_option": menu["options"][choice]}


def _reassign(message: dict[str, Any], to: str) -> dict[str, Any]:
    return {**button(message, "followup_reassign"), "selected_user": to}


@pytest.mark.usefixtures("no_errors_logged")
def test_a_followups_buttons_act_for_its_owner_its_creator_or_an_admin(running_app: RunningApp) -> None:
    app, sim = running_app, running_app.sim
    app.command("add Acme Corp owner <@U0LEE|lee>", user="U0LEE")
    # Stephanie creates it, for Lee: Lee owns it, Stephanie created it, Kiri is a bystander, Dana an admin.
    app.command("<@U0LEE|lee> Acme Corp tomorrow call back about the drive", command="/followup", user="U0STEPH")
    channel, reminder = _deliver_reminder(app, "U0LEE")
    [before] = _followups(app)

    for action in (button(reminder, "followup_done"), _snooze(reminder), _reassign(reminder, "U0KIRI")):
        assert click(sim, user="U0KIRI", channel=channel, message=reminder, action=action) == 200
    eventually(lambda: len([b for b in answers_to(sim, "U0KIRI") if FOLLOWUP_REFUSAL in json.dumps(b)]) == 3)
    polite_refusal(sim, "U0KIRI", "/followup list")
    assert _followups(app) == [before]  # nothing changed: still Lee's, open, due as before
    assert _as_shown(app, "U0LEE", reminder["ts"]) == reminder  # the reminder itself is untouched
    assert not any(c.args.get("channel") == "U0KIRI" for c in sim.calls_to("chat.postMessage"))  # no handover

    # The creator snoozes it; an admin reassigns it to Kiri.
    assert click(sim, user="U0STEPH", channel=channel, message=reminder, action=_snooze(reminder)) == 200
    eventually(lambda: "Snoozed until" in json.dumps(_as_shown(app, "U0LEE", reminder["ts"])))
    [(_, _, owner, state, due)] = _followups(app)
    assert (owner, state) == ("U0LEE", "open") and due < before[4]  # 1 hour from now, before tomorrow
    assert click(sim, user="U0DANA", channel=channel, message=reminder, action=_reassign(reminder, "U0KIRI")) == 200
    eventually(lambda: _followups(app)[0][2] == "U0KIRI")

    # Lee no longer owns it, and did not create it: Done from Lee's old reminder is refused.
    assert click(sim, user="U0LEE", channel=channel, message=reminder, action=button(reminder, "followup_done")) == 200
    polite_refusal(sim, "U0LEE", FOLLOWUP_REFUSAL)
    assert _followups(app)[0][3] == "open"
    assert click(sim, user="U0KIRI", channel=channel, message=reminder, action=button(reminder, "followup_done")) == 200
    eventually(lambda: _followups(app)[0][3] == "done")
    done = eventually(
        lambda: (m := _as_shown(app, "U0LEE", reminder["ts"])) and "followup_check_back" in json.dumps(m) and m
    )

    # After Done: Check back and Share as a story, for the owner, the creator or an admin.
    check_back, share = button(done, "followup_check_back"), button(done, "followup_share_story")
    opened = len(sim.calls_to("views.open"))
    for action in (check_back, share):
        assert click(sim, user="U0LEE", channel=channel, message=done, action=action) == 200
    eventually(lambda: len([b for b in answers_to(sim, "U0LEE") if FOLLOWUP_REFUSAL in json.dumps(b)]) == 3)
    assert len(_followups(app)) == 1 and len(sim.calls_to("views.open")) == opened  # no check-in, no form
    assert click(sim, user="U0STEPH", channel=channel, message=done, action=check_back) == 200
    eventually(lambda: [f[1:3] for f in _followups(app)] == [("followup", "U0KIRI"), ("checkin", "U0KIRI")])
    _stories_channel(app, "C0RANDOM")  # somewhere for the shout-out to go: the story form can open
    assert click(sim, user="U0KIRI", channel=channel, message=done, action=share) == 200
    sim.wait_for_calls("views.open", opened + 1)


def _stories_channel(app: RunningApp, channel: str) -> None:
    assert app.sim.add_bot_to_channel(channel, inviter="U0DANA").status == 200
    deps = app.runtime.deps
    with deps.session_factory.begin() as session:
        settings_rows.of_workspace(session, team_id=TEAM, now=deps.clock()).stories_channel = channel


def _a_monday_noon(after: datetime) -> datetime:
    day = after.date()
    return datetime.combine(day + timedelta(days=(7 - day.weekday()) % 7), time(12, 0), tzinfo=UTC)


def _customer(app: RunningApp, name: str) -> Customer | None:
    with app.runtime.deps.session_factory.begin() as session:
        return session.scalars(select(Customer).where(Customer.name == name)).one_or_none()


@pytest.mark.usefixtures("no_errors_logged")
def test_the_gone_quiet_buttons_act_for_the_customers_owner_or_an_admin(http_app: RunningApp) -> None:
    app, sim = http_app, http_app.sim
    deps = app.runtime.deps
    app.command("add Acme Corp owner <@U0LEE|lee> since 2019-04-01", user="U0LEE")
    acme = _customer(app, "Acme Corp")
    assert acme is not None
    now = _a_monday_noon(deps.clock() + timedelta(days=40))
    assert relationships.queue_quiet_nudges(deps, now=now, client=app.runtime.client) == 1
    outbox.send_outbox(deps, client=app.runtime.client, now=now, worker="e2e")
    post = [c for c in sim.calls_to("chat.postMessage") if c.args.get("channel") == "U0LEE"][-1]
    channel = post.response["channel"]
    [dm] = [m for m in sim.dm_messages("U0LEE") if m["ts"] == post.response["ts"]]
    plan = button(dm, "quiet_plan_checkin", str(acme.id))
    snooze = button(dm, "quiet_snooze", str(acme.id))

    for action in (plan, snooze):  # Kiri's hands: refused, nothing planned or snoozed
        assert click(sim, user="U0KIRI", channel=channel, message=dm, action=action) == 200
    refusals = eventually(
        lambda: [b for b in answers_to(sim, "U0KIRI") if "Acme Corp's owner or an admin" in json.dumps(b)]
    )
    assert all(b["response_type"] == "ephemeral" and b["replace_original"] is False for b in refusals)
    assert len(refusals) == 2 and _followups(app) == []
    assert _customer(app, "Acme Corp").quiet_snoozed_until is None  # type: ignore[union-attr]

    # Lee hands Acme to Kiri: Lee's old DM no longer acts; Kiri (the owner now) plans; Dana (an admin) snoozes.
    assert "now owned by <@U0KIRI>" in json.dumps(app.command("owner Acme Corp <@U0KIRI|kiri>", user="U0LEE"))
    assert click(sim, user="U0LEE", channel=channel, message=dm, action=snooze) == 200
    polite_refusal(sim, "U0LEE", "Acme Corp's owner or an admin")
    assert _customer(app, "Acme Corp").quiet_snoozed_until is None  # type: ignore[union-attr]
    assert click(sim, user="U0KIRI", channel=channel, message=dm, action=plan) == 200
    eventually(lambda: [f[1:4] for f in _followups(app)] == [("checkin", "U0KIRI", "open")])
    assert click(sim, user="U0DANA", channel=channel, message=dm, action=snooze) == 200
    eventually(lambda: _customer(app, "Acme Corp").quiet_snoozed_until is not None)  # type: ignore[union-attr]


def _counts(app: RunningApp) -> tuple[int, int, int, int]:
    """(customers, mentions, open follow-ups, stories) in the database."""
    with app.runtime.deps.session_factory.begin() as session:

        def count(model: Any, *where: Any) -> int:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

        return count(Customer), count(Mention), count(FollowUp, FollowUp.state == "open"), count(Story)


@pytest.mark.usefixtures("no_errors_logged")
def test_a_customer_is_re_owned_or_removed_by_its_owner_or_an_admin_and_removal_asks_first(
    running_app: RunningApp,
) -> None:
    app, sim = running_app, running_app.sim
    assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0LEE").status == 200
    app.command("add Acme Corp owner <@U0LEE|lee>", user="U0LEE")
    app.command("add Globex owner <@U0STEPH|steph>", user="U0STEPH")
    for words in ("Acme Corp says the drive is dead", "Acme Corp is happy again", "Globex called"):
        sim.post_message("U0STEPH", "C0SUPPORT", words)
    eventually(lambda: app.mention_count() == 3)
    app.command("Acme Corp tomorrow call back", command="/followup", user="U0KIRI")
    app.command("<@U0KIRI> Acme Corp story: stayed until the drive worked", command="/kudos", user="U0LEE")
    assert _counts(app) == (2, 3, 1, 1)

    # Kiri may neither re-own nor remove Lee's customer.
    owner = app.command("owner Acme Corp <@U0KIRI|kiri>", user="U0KIRI")
    remove = app.command("remove Acme Corp", user="U0KIRI")
    for refused in (owner, remove):
        shown = json.dumps(refused)
        assert refused["response_type"] == "ephemeral" and "Only Acme Corp's owner or an admin" in shown
        assert "For example" in shown and "remove_confirm" not in shown
    assert _customer(app, "Acme Corp").owner_user_id == "U0LEE"  # type: ignore[union-attr]

    # Lee asks: the question says what goes and what stays, and changes nothing; Kiri's hands on its Remove fail.
    question = app.command("remove Acme Corp", user="U0LEE")
    said = json.dumps(question)
    assert "Remove Acme Corp?" in said and "2 recorded mentions" in said
    assert "1 open follow-up (they stay with their owners)" in said and "1 story, no longer about the customer" in said
    assert _counts(app) == (2, 3, 1, 1)
    remove_button, keep = button(question, "customer_remove_confirm"), button(question, "customer_remove_keep")
    assert click(sim, user="U0KIRI", channel="C0SUPPORT", message=question, action=remove_button, ephemeral=True) == 200
    polite_refusal(sim, "U0KIRI", "Only Acme Corp's owner or an admin")
    assert _counts(app) == (2, 3, 1, 1)

    # Keep changes nothing; Remove deletes what it said, keeps what it said.
    assert click(sim, user="U0LEE", channel="C0SUPPORT", message=question, action=keep, ephemeral=True) == 200
    eventually(lambda: "nothing was removed" in json.dumps(answers_to(sim, "U0LEE")))
    assert _counts(app) == (2, 3, 1, 1)
    assert click(sim, user="U0LEE", channel="C0SUPPORT", message=question, action=remove_button, ephemeral=True) == 200
    removed = eventually(lambda: [b for b in answers_to(sim, "U0LEE") if "Removed *Acme Corp*" in json.dumps(b)])
    assert removed[0]["replace_original"] is True and "2 recorded mentions" in json.dumps(removed[0])
    assert _counts(app) == (1, 1, 1, 1)  # Globex and its mention stay; the follow-up and the story stay
    with app.runtime.deps.session_factory.begin() as session:
        assert session.scalars(select(FollowUp.customer_id)).all() == [None]
        assert session.scalars(select(Story.customer_id)).all() == [None]

    # An admin may re-own and remove someone else's customer.
    assert "now owned by <@U0KIRI>" in json.dumps(app.command("owner Globex <@U0KIRI|kiri>", user="U0DANA"))
    question = app.command("remove Globex", user="U0DANA")
    action = button(question, "customer_remove_confirm")
    assert click(sim, user="U0DANA", channel="C0SUPPORT", message=question, action=action, ephemeral=True) == 200
    eventually(lambda: _counts(app) == (0, 0, 1, 1))
