"""The doctor's checks as functions of Slack's answers: what each says, and the fix in every failure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.services.doctor import (
    SlackAnswer,
    check_clock,
    check_scopes,
    check_socket_mode,
    check_token,
    clock_offset,
)

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def answer(data: dict[str, Any], headers: dict[str, str] | None = None, *, rtt: float = 0.2) -> SlackAnswer:
    return SlackAnswer(
        method="auth.test",
        sent_at=T0,
        received_at=T0 + timedelta(seconds=rtt),
        data=data,
        headers=headers or {},
    )


def test_clock_offset_compares_the_middles_of_the_round_trip_and_of_slacks_second() -> None:
    # Slack stamped 14:00:00.x, read between 14:00:00.0 and 14:00:00.2 locally: in step.
    assert clock_offset(slack_date=T0, sent_at=T0, received_at=T0 + timedelta(seconds=0.2)) == timedelta(seconds=-0.4)
    assert clock_offset(slack_date=T0 - timedelta(seconds=30), sent_at=T0, received_at=T0) == timedelta(seconds=29.5)


@pytest.mark.parametrize(
    ("date", "status", "detail"),
    [
        ("Mon, 23 Nov 2026 14:00:00 GMT", "ok", "within 1 s of Slack's"),
        ("Mon, 23 Nov 2026 13:59:15 GMT", "ok", "45 s ahead of Slack's (fine up to 60 s)"),
        ("Mon, 23 Nov 2026 14:05:00 GMT", "fail", "300 s behind Slack's: Rapport refuses"),
    ],
)
def test_clock(date: str, status: str, detail: str) -> None:
    result = check_clock(answer({"ok": True}, {"date": date}, rtt=1.0))
    assert result.status == status and result.detail.startswith(detail)


def test_clock_without_a_date_is_skipped() -> None:
    assert check_clock(answer({"ok": True})).status == "skip"
    assert check_clock(answer({"ok": True}, {"date": "yesterday"})).status == "skip"


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("account_inactive", "token revoked (account_inactive)"),
        ("token_expired", "the token expired (token_expired: token rotation is on)"),
        ("fatal_error", "Slack refused auth.test (fatal_error)"),
    ],
)
def test_token_failures_each_carry_a_fix(error: str, words: str) -> None:
    result = check_token(answer({"ok": False, "error": error}), token_set=True)
    assert result.status == "fail" and result.detail.startswith(words) and "SLACK_BOT_TOKEN" in result.detail


def test_several_missing_scopes_are_named_together() -> None:
    granted = answer({"ok": True}, {"x-oauth-scopes": "chat:write, commands"})
    result = check_scopes(granted, needed=("chat:write", "users:read", "reactions:read"))
    assert result.status == "fail"
    assert result.detail.startswith("missing scopes `users:read`, `reactions:read`: add them under OAuth & Permissions")


def test_socket_mode_wants_wss_from_real_slack() -> None:
    opened = answer({"ok": True, "url": "wss://wss-primary.slack.com/link/?ticket=secret&app_id=A1"})
    result = check_socket_mode(opened, api_url="https://slack.com/api/")
    assert result.status == "ok" and result.detail == "Slack opens connections (wss://wss-primary.slack.com/…)"
    plain = answer({"ok": True, "url": "ws://wss-primary.slack.com/link/?ticket=secret"})
    refused = check_socket_mode(plain, api_url="https://slack.com/api/")
    assert refused.status == "fail" and "no wss:// URL" in refused.detail and "secret" not in refused.detail
    # A plain-http Slack API (the local simulator) hands out plain ws:// links.
    assert check_socket_mode(plain, api_url="http://127.0.0.1:8080/api/").status == "ok"
