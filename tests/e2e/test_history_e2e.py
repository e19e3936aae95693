"""A customer's history through the running app: `/customer Acme Corp history`, the History button on the card,
Newer and Older paging the modal in place (views.update), Block Kit limits with 1,000 events, and the Home tab's
median first response."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from bot.db.models import Customer, CustomerWait, FollowUp, Mention, Story, StoryCredit
from bot.domain.history import HISTORY_PAGE_SIZE
from bot.slacksim.webapi.blockkit import VIEW_BLOCKS
from tests.e2e.clicks import button, click
from tests.e2e.conftest import RunningApp, eventually

TEAM = "T0SIM0001"
LONG = "Acme Corp asked again about the drive <@U0LEE> and <https://example.com/a|the ticket> " + "word " * 60


def _customer_id(app: RunningApp, name: str) -> int:
    with app.runtime.deps.session_factory.begin() as session:
        return session.scalars(select(Customer.id).where(Customer.name == name)).one()


def _seed(app: RunningApp, rows: list[Any]) -> None:
    with app.runtime.deps.session_factory.begin() as session:
        session.add_all(rows)


def _followup(customer_id: int, *, created: datetime, due: datetime, note: str, **more: Any) -> FollowUp:
    return FollowUp(
        team_id=TEAM,
        owner_user_id="U0LEE",
        customer_id=customer_id,
        note=note,
        due_at=due,
        created_by="U0LEE",
        created_at=created,
        **more,
    )


def _history_view(app: RunningApp, name: str) -> dict[str, Any]:
    """The modal showing `name`'s history (the latest one opened or updated)."""
    found = [v for v in app.sim.views() if v.get("callback_id") == "customer_history" and name in json.dumps(v)]
    assert found, app.sim.views()
    return found[-1]


def _open_history(app: RunningApp, name: str, *, user: str) -> None:
    """Type `/customer NAME history`: the modal opens, and the command itself answers nothing."""
    delivery = app.sim.slash_command(user, "C0SUPPORT", "/customer", f"{name} history")
    assert delivery.status == 200 and not delivery.body, delivery


def _lines(view: dict[str, Any]) -> list[str]:
    """The event lines of a history modal, top to bottom."""
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "section" and b["text"]["text"].startswith("*<")]


def _in_view_click(app: RunningApp, view: dict[str, Any], action_id: str) -> int:
    payload = {
        "type": "block_actions",
        "user": {"id": "U0LEE"},
        "container": {"type": "view", "view_id": view["id"]},
        "view": {"id": view["id"], "hash": view["hash"]},
        "actions": [button(view, action_id)],
    }
    return app.sim.send_interactive(payload).status


@pytest.mark.usefixtures("no_errors_logged")
def test_history_shows_every_kind_of_event_newest_first_with_links(http_app: RunningApp) -> None:
    app = http_app
    app.command("add Acme Corp owner <@U0LEE|lee> since 2019-04-01", user="U0LEE")
    acme = _customer_id(app, "Acme Corp")
    now = app.runtime.deps.clock()
    day = timedelta(days=1)
    story = Story(
        team_id=TEAM,
        via="kudos",
        text="Stephanie stayed until it was solved",
        customer_id=acme,
        created_by="U0LEE",
        created_at=now - 2 * day,
        source_channel_id="C0SUPPORT",
        source_ts="1700000300.000100",
    )
    _seed(
        app,
        [
            Mention(
                team_id=TEAM,
                customer_id=acme,
                channel_id="C0SUPPORT",
                message_ts="1700000100.000100",
                user_id="U0DANA",
                mentioned_at=now - 10 * day,
                excerpt="Acme Corp's drive is failing",
            ),
            _followup(
                acme,
                created=now - 9 * day,
                due=now - 8 * day,
                note="call back about the drive",
                state="done",
                closed_at=now - 7 * day,
                closed_by="U0LEE",
                source_channel_id="C0SUPPORT",
                source_ts="1700000100.000100",
            ),
            _followup(
                acme,
                created=now - 5 * day,
                due=now - 4 * day,
                note="send the invoice",
                state="cancelled",
                closed_at=now - 4 * day,
                closed_by="U0LEE",
            ),
            _followup(
                acme,
                created=now - 6 * day,
                due=now - 5 * day,
                note="make sure everything is still good",
                kind="checkin",
                state="done",
                closed_at=now - 3 * day,
                closed_by="U0LEE",
            ),
            CustomerWait(
                team_id=TEAM,
                channel_id="C0ACME",
                message_ts="1700000200.000100",
                customer_id=acme,
                user_id="W0EXTBOB",
                posted_at=now - day,
                state="answered",
                answered_by="U0LEE",
                closed_at=now - day + timedelta(minutes=12),
            ),
            CustomerWait(
                team_id=TEAM,
                channel_id="C0ACME",
                message_ts="1700000400.000100",
                customer_id=acme,
                user_id="W0EXTBOB",
                posted_at=now - timedelta(minutes=5),
                state="waiting",
            ),
            story,
        ],
    )
    _seed(app, [StoryCredit(story_id=story.id, user_id="U0STEPH", team_id=TEAM)])

    _open_history(app, "Acme Corp", user="U0DANA")
    view = _history_view(app, "Acme Corp")
    assert view["user"] == "U0DANA" and view["type"] == "modal"
    lines = _lines(view)
    expected = [
        "still waiting for an answer",
        "answered in 12 min",
        "A good story: <@U0STEPH>",
        "Checked in late by <@U0LEE>",  # done two days after it was due
        "Follow-up cancelled by <@U0LEE>",
        "Follow-up created for <@U0LEE>",  # send the invoice
        "Check-in planned for <@U0LEE>",
        "Follow-up done by <@U0LEE>",  # within a day of its due time: on time
        "Follow-up created for <@U0LEE>",
        "<@U0DANA> mentioned Acme Corp",
    ]
    years = now.year - 2019 - (1 if (now.month, now.day) < (4, 1) else 0)
    assert len(lines) == len(expected) + years + 1
    for line, words in zip(lines, expected, strict=False):
        assert words in line, (words, line)
    assert f"{years} years as a customer" in lines[len(expected)]
    assert "Acme Corp became a customer" in lines[-1] and "2019-04-01" in lines[-1]
    assert "/archives/C0SUPPORT/p1700000100000100|open>" in lines[9] and ">Acme Corp's drive is failing" in lines[9]
    assert "call back about the drive" in lines[8] and "/archives/C0SUPPORT/p1700000100000100|the message>" in lines[8]
    assert "/archives/C0ACME/p1700000200000100|open>" in lines[1]
    assert "Stephanie stayed until it was solved" in lines[2] and "/archives/C0SUPPORT/p1700000300000100" in lines[2]
    assert not [b for b in view["blocks"] if b["type"] == "actions"]  # one page: no Newer, no Older


@pytest.mark.usefixtures("no_errors_logged")
def test_history_of_a_thousand_events_pages_within_block_kit_limits(http_app: RunningApp) -> None:
    app = http_app
    app.command("add Acme Corp owner <@U0LEE|lee>", user="U0LEE")
    acme = _customer_id(app, "Acme Corp")
    now = app.runtime.deps.clock()
    with app.runtime.deps.session_factory.begin() as session:
        session.execute(
            insert(Mention),
            [
                dict(
                    team_id=TEAM,
                    customer_id=acme,
                    channel_id="C0SUPPORT",
                    message_ts=f"17000{n:05d}.000100",
                    thread_ts=f"16000{n:05d}.000100",
                    user_id="U0DANA",
                    mentioned_at=now - timedelta(minutes=n),
                    excerpt=f"#{n} {LONG}"[:280],
                )
                for n in range(1000)
            ],
        )
    _open_history(app, "Acme Corp", user="U0LEE")
    view = _history_view(app, "Acme Corp")
    pages = -(-1000 // HISTORY_PAGE_SIZE)
    shown = json.dumps(view, ensure_ascii=False)
    assert f"Page 1 of {pages} · events 1–{HISTORY_PAGE_SIZE} of 1000, newest first" in shown
    assert len(view["blocks"]) <= VIEW_BLOCKS
    assert all(len(b["text"]["text"]) <= 3000 for b in view["blocks"] if b["type"] == "section")
    first = _lines(view)
    assert len(first) == HISTORY_PAGE_SIZE and "#0 Acme Corp asked" in first[0] and "&amp;" not in first[0]
    assert "?thread_ts=1600000000.000100" in first[0]
    assert "customer_history_newer" not in json.dumps(view)

    assert _in_view_click(app, view, "customer_history_older") == 200
    older = eventually(lambda: (v := _history_view(app, "Acme Corp")) and "Page 2 of" in json.dumps(v) and v)
    assert older["id"] == view["id"]  # the same modal, updated in place
    assert f"#{HISTORY_PAGE_SIZE} Acme Corp asked" in _lines(older)[0]
    assert app.sim.calls_to("views.update")[-1].args["view_id"] == view["id"]

    assert _in_view_click(app, older, "customer_history_newer") == 200
    back = eventually(lambda: (v := _history_view(app, "Acme Corp")) and "Page 1 of" in json.dumps(v) and v)
    assert _lines(back) == first

    # The last page: the rest of the events, Newer only.
    last_page = pages - 1
    payload = {
        "type": "block_actions",
        "user": {"id": "U0LEE"},
        "container": {"type": "view", "view_id": back["id"]},
        "view": {"id": back["id"], "hash": back["hash"]},
        "actions": [{**button(back, "customer_history_older"), "value": f"{acme}:{last_page}"}],
    }
    assert app.sim.send_interactive(payload).status == 200
    last = eventually(lambda: (v := _history_view(app, "Acme Corp")) and f"Page {pages} of" in json.dumps(v) and v)
    assert len(_lines(last)) == 1000 - last_page * HISTORY_PAGE_SIZE and "#999 " in _lines(last)[-1]
    assert "customer_history_older" not in json.dumps(last) and "customer_history_newer" in json.dumps(last)


@pytest.mark.usefixtures("no_errors_logged")
def test_history_button_on_the_card_opens_the_history(http_app: RunningApp) -> None:
    app = http_app
    app.command("add Acme Corp owner <@U0LEE|lee>", user="U0LEE")
    acme = _customer_id(app, "Acme Corp")
    now = app.runtime.deps.clock()
    _seed(
        app,
        [
            Mention(
                team_id=TEAM,
                customer_id=acme,
                channel_id="C0SUPPORT",
                message_ts="1700000100.000100",
                user_id="U0DANA",
                mentioned_at=now,
                excerpt="Acme Corp called",
            )
        ],
    )
    card = app.command("Acme Corp", user="U0DANA")
    history = button(card, "customer_history_open")
    assert history["text"]["text"] == "History"
    assert click(app.sim, user="U0DANA", channel="C0SUPPORT", message=card, action=history, ephemeral=True) == 200
    view = eventually(lambda: [v for v in app.sim.views() if v.get("callback_id") == "customer_history"])[-1]
    assert view["user"] == "U0DANA" and "<@U0DANA> mentioned Acme Corp" in json.dumps(view)


def test_history_of_an_unknown_customer_is_explained(http_app: RunningApp) -> None:
    reply = http_app.command("Nobody Inc history")
    assert reply["response_type"] == "ephemeral" and "Nobody Inc" in json.dumps(reply)
    assert not http_app.sim.views()


@pytest.mark.usefixtures("no_errors_logged")
def test_home_tab_shows_median_first_response_over_30_days(http_app: RunningApp) -> None:
    app = http_app
    app.command("add Acme Corp owner <@U0LEE|lee>", user="U0LEE")
    app.command("add Globex owner <@U0LEE|lee>", user="U0LEE")
    acme = _customer_id(app, "Acme Corp")
    now = app.runtime.deps.clock()
    waits = [
        (now - timedelta(days=2), 10, "answered"),
        (now - timedelta(days=3), 20, "answered"),
        (now - timedelta(days=4), 60, "answered"),
        (now - timedelta(days=40), 300, "answered"),  # older than 30 days: not counted
        (now - timedelta(hours=1), 0, "waiting"),  # no answer yet: not counted
    ]
    _seed(
        app,
        [
            CustomerWait(
                team_id=TEAM,
                channel_id="C0ACME",
                message_ts=f"17000000{n}0.000100",
                customer_id=acme,
                user_id="W0EXTBOB",
                posted_at=at,
                state=state,
                closed_at=at + timedelta(minutes=minutes) if state == "answered" else None,
            )
            for n, (at, minutes, state) in enumerate(waits)
        ]
        + [_followup(acme, created=now, due=now + timedelta(days=1), note="call back", state="open")],
    )
    app.sim.open_home("U0LEE")
    home = eventually(lambda: (v := app.sim.home_view("U0LEE")) is not None and "Globex" in json.dumps(v) and v)
    text = json.dumps(home)
    assert (
        "*Acme Corp* \\u2014 no touch yet \\u00b7 1 open follow-up \\u00b7 median first response (30 days): 20 min"
        in text
    )
    assert (
        "*Globex* \\u2014 no touch yet \\u00b7 0 open follow-ups \\u00b7 median first response (30 days): \\u2014"
        in text
    )
