"""How a Web API method fails: Slack's `{"ok": false, "error": ...}` answers."""

from __future__ import annotations

from typing import Any

from bot.slacksim.state import JsonDict


class SlackError(Exception):
    """A Slack-level failure: answered as HTTP 200 {"ok": false, "error": ...}."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra

    def body(self) -> JsonDict:
        """Return the JSON body Slack would send."""
        return {"ok": False, "error": self.error, **self.extra}


def invalid_arguments(*messages: str) -> SlackError:
    """Return Slack's invalid_arguments error with its response_metadata messages."""
    return SlackError("invalid_arguments", response_metadata={"messages": list(messages)})


def missing(name: str) -> SlackError:
    """Return the error for a missing required argument."""
    return invalid_arguments(f"[ERROR] missing required field: {name}")
