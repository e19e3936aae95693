"""What can be a Slack ID or a message ts: anything else in an event names nothing, and is ignored."""

from __future__ import annotations

import pytest

from bot.domain.messages import is_slack_id, is_slack_ts


@pytest.mark.parametrize("value", ["U0DANA", "C0SUPPORT", "T0SIM0001", "W" * 32])
def test_slack_ids(value: str) -> None:
    assert is_slack_id(value)


@pytest.mark.parametrize("value", ["", "U" * 33, None, 7, ["U0DANA"]])
def test_not_slack_ids(value: object) -> None:
    assert not is_slack_id(value)


@pytest.mark.parametrize("value", ["1712345678.000100", "1.1", "9999999999.999999999"])
def test_slack_ts(value: str) -> None:
    assert is_slack_ts(value)


@pytest.mark.parametrize(
    "value",
    [
        "0.000100",
        "1712345678",
        "1712345678.",
        ".000100",
        "\u00b2\u00b3.000100",  # isdigit() says yes, int() says no
        "\u0661\u0662.000100",  # digits, but not a ts Slack makes
        "1" * 40 + ".000100",  # past any column and any date
        "99999999999.000100",  # past the year 5000
        "1712345678.0001000000",
        " 1712345678.000100",
        1712345678.0001,
    ],
)
def test_not_slack_ts(value: object) -> None:
    assert not is_slack_ts(value)
