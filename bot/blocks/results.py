"""A modal that shows the outcome of a submission."""

from __future__ import annotations

from typing import Any


def build_result_view(title: str, body: dict[str, Any]) -> dict[str, Any]:
    """A closable modal showing a message body's blocks."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title[:24]},
        "close": {"type": "plain_text", "text": "Done"},
        "blocks": body["blocks"],
    }
