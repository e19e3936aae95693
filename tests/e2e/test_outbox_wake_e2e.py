"""The running app is built from one Deps: its jobs run on it, and its listeners wake the scheduler's sender."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.scheduling.scheduler import SENDER_JOB
from tests.e2e.conftest import RunningApp


@pytest.mark.usefixtures("no_errors_logged")
def test_a_listener_that_queues_a_message_wakes_the_runtimes_sender(http_app: RunningApp) -> None:
    runtime = http_app.runtime
    assert all(job.args[1] is runtime.deps for job in runtime.scheduler.get_jobs())  # the final deps, not a copy
    runtime.scheduler.pause()  # from here only a wake moves the sender's next run
    sender = runtime.scheduler.get_job(SENDER_JOB)
    assert sender is not None
    sender.modify(next_run_time=datetime.now(UTC) + timedelta(hours=1))

    http_app.command("in 1 hour call back", command="/followup", user="U0LEE")  # queues Lee's Home tab refresh
    woken = runtime.scheduler.get_job(SENDER_JOB)
    assert woken is not None and woken.next_run_time <= datetime.now(UTC)
    runtime.scheduler.resume()
    http_app.sim.wait_for_calls("views.publish", 1)
