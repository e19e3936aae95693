"""The triage blocks as pure functions: Slack's limits, the lines people read, and figures that never rank people."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.blocks.text import MESSAGE_BLOCK_LIMIT, SECTION_TEXT_LIMIT
from bot.blocks.triage import build_triage_message, response_blocks, response_line
from bot.views.triage import ResponseTimes, TriageView, TriageWaitLine

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def view(lines: int, **changes: object) -> TriageView:
    waits = tuple(
        TriageWaitLine(
            author_user_id="W0EXTBOB",
            channel_id="C0ACME",
            message_ts=f"1795428000.{n:06d}",
            posted_at=NOW - timedelta(minutes=90 - n),
            excerpt="<@U0LEE> & <!channel> " + "x" * 400,
            answered_by=None,
            waited=timedelta(minutes=90 - n),
        )
        for n in range(lines)
    )
    values: dict[str, object] = dict(
        triage_id=7,
        customer_name="Acme <Corp> & Co",
        owner_user_id="U0LEE",
        workspace_url="https://sim.slack.com/",
        lines=waits,
        claimed_by=None,
        claimed_at=None,
        escalated_at=None,
        closed_by=None,
        closed_after=None,
        as_of=NOW,
    )
    values.update(changes)
    return TriageView(**values)  # type: ignore[arg-type]


def test_fifty_waiting_messages_fit_slacks_limits() -> None:
    message = build_triage_message(view(50))
    assert len(message["blocks"]) <= MESSAGE_BLOCK_LIMIT
    texts = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    texts += [e["text"] for b in message["blocks"] if b["type"] == "context" for e in b["elements"]]
    assert texts and all(len(text) <= SECTION_TEXT_LIMIT for text in texts)
    shown = json.dumps(message, ensure_ascii=False)
    assert "*Acme &lt;Corp&gt; &amp; Co* has 50 messages waiting" in shown and "… and 20 more." in shown
    assert "<!channel>" not in shown and "<@U0LEE>" in shown


def test_claimed_escalated_and_closed() -> None:
    claimed = json.dumps(build_triage_message(view(2, claimed_by="U0STEPH", claimed_at=NOW)))
    assert "Claimed by <@U0STEPH>" in claimed and "Take over" in claimed
    escalated = json.dumps(build_triage_message(view(1, escalated_at=NOW)))
    assert ":rotating_light: Escalated" in escalated
    closed = build_triage_message(view(1, closed_by="U0DANA", closed_after=timedelta(minutes=42)))
    assert "answered by <@U0DANA> after 42 min" in json.dumps(closed)
    assert all(b["type"] != "actions" for b in closed["blocks"])


def test_first_responses_congratulate_and_never_name_people() -> None:
    met = ResponseTimes(name="", answered=4, settled=4, within_target=4, median=timedelta(minutes=9), target_minutes=60)
    assert response_line(met) == (
        "*The team*: median first response 9 min · 100% of 4 within the 60-minute target :tada: every one on time, "
        "well done!"
    )
    some = ResponseTimes(
        name="Acme & Co", answered=3, settled=5, within_target=2, median=timedelta(minutes=75), target_minutes=60
    )
    assert response_line(some) == (
        "*Acme &amp; Co*: median first response 1 h 15 min · 40% of 5 within the 60-minute target"
    )
    blocks = json.dumps(response_blocks(met, [some], days=30))
    assert "First responses to customers* (last 30 days)" in blocks and "<@" not in blocks
    none = ResponseTimes(name="", answered=0, settled=0, within_target=0, median=None, target_minutes=60)
    assert "no customer message waited" in json.dumps(response_blocks(none, []))
