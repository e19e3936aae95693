"""Reading Web API arguments the way Slack does: JSON fields in form posts, flags, numbers and cursors."""

from __future__ import annotations

import base64
import contextlib
import json
from typing import Any

from bot.slacksim.state import JsonDict
from bot.slacksim.webapi.errors import SlackError, invalid_arguments

# Fields the SDK sends JSON-encoded inside form posts but as objects inside JSON bodies.
JSON_FIELDS = ("blocks", "attachments", "view", "metadata")


def normalize_args(args: JsonDict) -> JsonDict:
    """Decode JSON-string fields (blocks, view, ...) so handlers and recorded calls see objects."""
    out = dict(args)
    for key in JSON_FIELDS:
        value = out.get(key)
        if isinstance(value, str) and value.strip():
            # Undecodable values stay strings; the handler reports them the way Slack does.
            with contextlib.suppress(json.JSONDecodeError):
                out[key] = json.loads(value)
    return out


def truthy(value: Any) -> bool:
    """Read a boolean argument sent as a form string ("1", "true") or as JSON."""
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def int_arg(args: JsonDict, name: str, default: int) -> int:
    """Read an integer argument, answering invalid_arguments when it is not one."""
    value = args.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid_arguments(f"[ERROR] invalid value for {name}") from None


def page(items: list[Any], args: JsonDict, default_limit: int) -> tuple[list[Any], str]:
    """Cursor-paginate a list the way Slack does (opaque base64 cursor, empty when done)."""
    limit = int_arg(args, "limit", default_limit) or len(items) or 1
    cursor = args.get("cursor") or ""
    start = 0
    if cursor:
        try:
            start = int(base64.b64decode(cursor).decode().split(":", 1)[1])
        except (ValueError, IndexError, UnicodeDecodeError):
            raise SlackError("invalid_cursor") from None
    chunk = items[start : start + limit]
    end = start + len(chunk)
    next_cursor = base64.b64encode(f"next:{end}".encode()).decode() if end < len(items) else ""
    return chunk, next_cursor
