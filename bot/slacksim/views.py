"""Filling in a modal the way a person in Slack does: Slack sends each input's current value on submit."""

from __future__ import annotations

from typing import Any


def _initial_state(element: dict[str, Any]) -> dict[str, Any]:
    kind = element["type"]
    if kind in ("plain_text_input", "number_input"):
        return {"type": kind, "value": element.get("initial_value")}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": element.get("initial_conversation")}
    if kind == "multi_conversations_select":
        return {"type": kind, "selected_conversations": element.get("initial_conversations", [])}
    if kind in ("checkboxes", "multi_static_select"):
        return {"type": kind, "selected_options": element.get("initial_options", [])}
    if kind in ("static_select", "radio_buttons"):
        return {"type": kind, "selected_option": element.get("initial_option")}
    if kind == "users_select":
        return {"type": kind, "selected_user": element.get("initial_user")}
    if kind == "datepicker":
        return {"type": kind, "selected_date": element.get("initial_date")}
    raise ValueError(f"the simulator cannot fill in a {kind} element")


def _changed(current: dict[str, Any], element: dict[str, Any], value: Any) -> dict[str, Any]:
    kind = current["type"]
    if kind in ("plain_text_input", "number_input"):
        return {**current, "value": value}
    if kind == "conversations_select":
        return {**current, "selected_conversation": value}
    if kind == "users_select":
        return {**current, "selected_user": value}
    if kind == "datepicker":
        return {**current, "selected_date": value}
    if kind == "multi_conversations_select":
        return {**current, "selected_conversations": list(value)}
    options = {o["value"]: o for o in element.get("options", [])}
    if kind in ("checkboxes", "multi_static_select"):
        return {**current, "selected_options": [options.get(v, {"value": v}) for v in value]}
    return {**current, "selected_option": options.get(value, {"value": value})}


def view_state(view: dict[str, Any], changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """A modal's state.values as Slack sends them on submit: every input as opened, except the ones a person
    changed (`changes`, by block id: text for text inputs, a value or a list of values for menus)."""
    changes = dict(changes or {})
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        state = _initial_state(element)
        if block["block_id"] in changes:
            state = _changed(state, element, changes.pop(block["block_id"]))
        values[block["block_id"]] = {element["action_id"]: state}
    if changes:
        raise ValueError(f"the modal has no input {sorted(changes)[0]!r}")
    return values
