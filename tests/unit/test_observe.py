"""Slack reachability for /readyz (no Web API call per probe), metric labels, and the request fields of JSON logs."""

from __future__ import annotations

import io
import json
import logging

from bot.logging_setup import JsonFormatter, RedactSecrets, WithContext
from bot.runtime.observe import (
    SLACK_FRESH_SECONDS,
    SLACK_PROBE_INTERVAL_SECONDS,
    SlackReachability,
    label,
    log_context,
    logging_request,
    name_workspace,
)


class Probe:
    """auth.test as the client records it: answered, or not."""

    def __init__(self, slack: SlackReachability, *, answers: bool) -> None:
        self.slack, self.answers, self.calls = slack, answers, 0

    def __call__(self) -> None:
        self.calls += 1
        if self.answers:
            self.slack.answered(self.now)
        else:
            self.slack.failed(self.now)
            raise ConnectionError("no route to Slack")

    now = 0.0


def test_recent_calls_decide_without_asking_slack() -> None:
    slack = SlackReachability()
    probe = Probe(slack, answers=True)
    slack.answered(100.0)
    assert slack.reachable(now=101.0, probe=probe) and probe.calls == 0
    slack.failed(102.0)
    assert not slack.reachable(now=103.0, probe=probe) and probe.calls == 0
    slack.answered(104.0)
    assert slack.reachable(now=105.0, probe=probe) and probe.calls == 0


def test_when_nothing_was_heard_lately_one_probe_per_interval() -> None:
    slack = SlackReachability()
    slack.answered(0.0)
    probe = Probe(slack, answers=False)
    later = SLACK_FRESH_SECONDS + 1
    probe.now = later
    assert not slack.reachable(now=later, probe=probe) and probe.calls == 1
    # Many probes of /readyz in the next seconds: still one auth.test, its answer reused.
    for step in range(20):
        assert not slack.reachable(now=later + step, probe=probe)
    assert probe.calls == 1
    # Heard of again only through the probe's own record: fresh for SLACK_FRESH_SECONDS, so no probe.
    probe.answers = True
    again = later + SLACK_FRESH_SECONDS + SLACK_PROBE_INTERVAL_SECONDS
    probe.now = again
    assert slack.reachable(now=again, probe=probe) and probe.calls == 2
    assert slack.reachable(now=again + SLACK_PROBE_INTERVAL_SECONDS, probe=probe) and probe.calls == 2


def test_never_heard_of_is_not_reachable() -> None:
    slack = SlackReachability()
    assert not slack.reachable(now=0.0, probe=lambda: None)


def test_labels_are_bounded() -> None:
    assert label("chat.postMessage") == "chat.postMessage"
    assert label("reaction_added") == "reaction_added"
    assert label("<script>", default="other") == "other"
    assert label("x" * 200) == "other"
    assert label("") == "other"


def test_json_lines_of_a_request_carry_its_id_and_workspace_and_no_token() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets(["s3cret-signing"]))
    handler.addFilter(WithContext(log_context))
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.observe")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("before any request")
        with logging_request(request_id="Ev0ABC"):
            name_workspace("T0SIM0001")
            logger.info("stored a mention with xoxb-123-456 and s3cret-signing")
        logger.info("after it")
    finally:
        logger.removeHandler(handler)
    before, during, after = (json.loads(line) for line in stream.getvalue().splitlines())
    assert "request_id" not in before and "team_id" not in before
    assert during["request_id"] == "Ev0ABC" and during["team_id"] == "T0SIM0001"
    assert "xoxb-123" not in during["message"] and "s3cret" not in during["message"]
    assert "request_id" not in after
