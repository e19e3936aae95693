"""A 09:00 burst of 2,000 reminder DMs while a teammate writes a brush-off: the tip is not kept behind the burst.

The app runs as in production: its own sender (woken as rows are queued) sends the burst while the message comes in
through Slack. What is measured is order, never seconds: how many reminders went out between the tip being queued
and the tip itself (at most one claimed batch), against the 2,000 a first-in-first-out queue would put before it.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from bot.services.followups import queue_reminders
from tests.e2e.conftest import RunningApp, eventually
from tests.e2e.reminders import seed_due_followups, with_users
from tests.e2e.test_nudges_e2e import BRUSH_OFF

BURST = 2_000
CLAIM = 50  # rows one sender pass claims (bot.services.outbox.deliver_due)


def _sends(app: RunningApp) -> list[str]:
    """What Slack accepted, in order: "tip" for the ephemeral tip, else the DM's channel."""
    return [
        "tip" if c.method == "chat.postEphemeral" else str(c.args.get("channel"))
        for c in app.sim.calls
        if c.ok and c.method in ("chat.postMessage", "chat.postEphemeral")
    ]


def _reminded(app: RunningApp) -> Counter[int]:
    """How many times Slack accepted each follow-up's reminder DM (by the id its buttons carry)."""
    return Counter(
        int(str(c.args["blocks"][-1]["block_id"]).removeprefix("followup_"))
        for c in app.sim.calls_to("chat.postMessage")
        if c.ok and str(c.args.get("channel")).startswith("U1")
    )


def test_a_tip_asked_for_during_a_burst_of_reminders_goes_out_among_the_first_sends(
    http_app: RunningApp, database_url: str
) -> None:
    app, deps = http_app, http_app.runtime.deps
    assert app.sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    eventually(lambda: "C0SUPPORT" in _sends(app))  # the intro note: the channel is watched
    owners = with_users(app.sim.workspace, BURST // 5)
    followups = seed_due_followups(database_url, owners, 5, due_at=deps.clock() - timedelta(minutes=1))

    assert queue_reminders(deps, now=deps.clock()) == BURST  # 09:00: all due at once, the sender woken
    before = len(_sends(app))  # sent before the tip was even asked for
    ts, delivery = app.sim.post_message("U0LEE", "C0SUPPORT", BRUSH_OFF)
    assert delivery.status == 200  # stored, with its tip queued

    sends = eventually(lambda: (found := _sends(app)) and "tip" in found and found, timeout=60)
    position = sends.index("tip")
    bulk_between = [s for s in sends[before:position] if s.startswith("U1")]
    assert len(bulk_between) <= 2 * CLAIM  # the batch in flight (and at worst one claimed as it was stored)
    eventually(lambda: sum(_reminded(app).values()) == BURST, timeout=120)
    after = [s for s in _sends(app)[position + 1 :] if s.startswith("U1")]
    assert len(after) >= 100  # the burst was still going: first in, first out would have kept the tip behind it
    assert _reminded(app) == {f: 1 for f in followups}  # and each reminder went exactly once
    [tip] = app.sim.ephemerals(user="U0LEE")
    assert tip["channel"] == "C0SUPPORT"
