"""Block Kit limits from Slack's documentation, enforced so a bot that breaks them fails here, not in prod."""

from __future__ import annotations

from typing import Any

from bot.slacksim.state import JsonDict
from bot.slacksim.webapi.errors import invalid_arguments

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40000
_TEXT_LIMITS = {"section": 3000, "header": 150}
_BUTTON_TEXT = 75
_ID_LIMIT = 255
_MODAL_TITLE = 24
_PRIVATE_METADATA = 3000


def text_of(obj: Any) -> str:
    """Return the text of a text object (or of a plain string)."""
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return "" if obj is None else str(obj)


def validate_blocks(blocks: Any, limit: int, pointer: str = "/blocks") -> list[str]:
    """Return Slack-style error messages for blocks that break Block Kit limits (empty when valid)."""
    if not isinstance(blocks, list):
        return [f"[ERROR] must be an array [json-pointer:{pointer}]"]
    errors: list[str] = []
    if len(blocks) > limit:
        errors.append(f"[ERROR] no more than {limit} items allowed [json-pointer:{pointer}]")
    for i, block in enumerate(blocks):
        here = f"{pointer}/{i}"
        if not isinstance(block, dict) or not block.get("type"):
            errors.append(f"[ERROR] missing required field: type [json-pointer:{here}]")
            continue
        if len(str(block.get("block_id", ""))) > _ID_LIMIT:
            errors.append(f"[ERROR] must be less than {_ID_LIMIT + 1} characters [json-pointer:{here}/block_id]")
        text_limit = _TEXT_LIMITS.get(block["type"])
        if text_limit is not None and len(text_of(block.get("text"))) > text_limit:
            errors.append(f"[ERROR] must be less than {text_limit + 1} characters [json-pointer:{here}/text]")
        elements = list(block.get("elements") or []) if block["type"] == "actions" else []
        if isinstance(block.get("accessory"), dict):
            elements.append(block["accessory"])
        if isinstance(block.get("element"), dict):
            elements.append(block["element"])
        for j, el in enumerate(elements):
            if not isinstance(el, dict):
                continue
            if len(str(el.get("action_id", ""))) > _ID_LIMIT:
                errors.append(
                    f"[ERROR] must be less than {_ID_LIMIT + 1} characters [json-pointer:{here}/elements/{j}/action_id]"
                )
            if el.get("type") == "button" and len(text_of(el.get("text"))) > _BUTTON_TEXT:
                errors.append(
                    f"[ERROR] must be less than {_BUTTON_TEXT + 1} characters [json-pointer:{here}/elements/{j}/text]"
                )
    return errors


def validate_view(view: Any) -> JsonDict:
    """Check a view argument and return it as a dict, raising invalid_arguments like Slack."""
    if not isinstance(view, dict):
        raise invalid_arguments("[ERROR] failed to match all allowed schemas [json-pointer:/view]")
    errors: list[str] = []
    vtype = view.get("type")
    if vtype not in ("modal", "home"):
        errors.append("[ERROR] must be one of modal, home [json-pointer:/view/type]")
    if vtype == "modal":
        title = text_of(view.get("title"))
        if not title:
            errors.append("[ERROR] missing required field: title [json-pointer:/view]")
        elif len(title) > _MODAL_TITLE:
            errors.append(f"[ERROR] must be less than {_MODAL_TITLE + 1} characters [json-pointer:/view/title/text]")
    if len(str(view.get("private_metadata", ""))) > _PRIVATE_METADATA:
        errors.append(
            f"[ERROR] must be less than {_PRIVATE_METADATA + 1} characters [json-pointer:/view/private_metadata]"
        )
    errors += validate_blocks(view.get("blocks", []), VIEW_BLOCKS, "/view/blocks")
    if errors:
        raise invalid_arguments(*errors)
    return view
