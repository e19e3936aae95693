"""Block Kit limits from Slack's documentation, enforced so a bot that breaks them fails here, not in prod."""

from __future__ import annotations

import re
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
_OVERFLOW_OPTIONS = 5  # overflow menu: up to five options
_SELECT_OPTIONS = 100  # static select: up to 100 options
_OPTION_TEXT = 75
_OPTION_VALUE = 150
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # datepicker initial_date: YYYY-MM-DD
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")  # timepicker initial_time: HH:mm, 24-hour


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
            errors += _element_errors(el, f"{here}/elements/{j}")
    return errors


def _element_errors(el: JsonDict, here: str) -> list[str]:
    """Slack's limits on menus and pickers: options (count, text, value), and the pickers' initial values."""
    kind = el.get("type")
    errors: list[str] = []
    if kind in ("overflow", "static_select"):
        options = el.get("options")
        limit = _OVERFLOW_OPTIONS if kind == "overflow" else _SELECT_OPTIONS
        if not isinstance(options, list) or not options:
            errors.append(f"[ERROR] missing required field: options [json-pointer:{here}]")
            options = []
        elif len(options) > limit:
            errors.append(f"[ERROR] no more than {limit} items allowed [json-pointer:{here}/options]")
        for k, option in enumerate(options):
            errors += _option_errors(option, f"{here}/options/{k}")
    elif kind == "datepicker" and "initial_date" in el and not _DATE.match(str(el["initial_date"])):
        errors.append(f"[ERROR] must match the format YYYY-MM-DD [json-pointer:{here}/initial_date]")
    elif kind == "timepicker" and "initial_time" in el and not _TIME.match(str(el["initial_time"])):
        errors.append(f"[ERROR] must match the format HH:mm [json-pointer:{here}/initial_time]")
    elif kind == "datetimepicker" and "initial_date_time" in el and not isinstance(el["initial_date_time"], int):
        errors.append(f"[ERROR] must be an integer (a UNIX timestamp) [json-pointer:{here}/initial_date_time]")
    return errors


def _option_errors(option: Any, here: str) -> list[str]:
    """An option object: plain text of at most 75 characters, a value of at most 150."""
    if not isinstance(option, dict) or not isinstance(option.get("text"), dict):
        return [f"[ERROR] missing required field: text [json-pointer:{here}]"]
    errors: list[str] = []
    if len(text_of(option["text"])) > _OPTION_TEXT:
        errors.append(f"[ERROR] must be less than {_OPTION_TEXT + 1} characters [json-pointer:{here}/text]")
    if len(str(option.get("value", ""))) > _OPTION_VALUE:
        errors.append(f"[ERROR] must be less than {_OPTION_VALUE + 1} characters [json-pointer:{here}/value]")
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
