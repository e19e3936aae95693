"""Block Kit for what went wrong: a domain error explained, a Slack error in words, a modal's errors by field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.blocks.text import Block, context, escape, message, section
from bot.domain.errors import RapportError

FIELD_ERROR_LIMIT = 1900  # Slack shows an input's error under it; long messages are cut, not refused

_TRY_AGAIN = "That took longer than Slack allows for opening a window. Please try again."
_NOT_INSTALLED = "Rapport can't act for this workspace right now. Ask an admin to check the app's installation."
_HICCUP = "Slack had a hiccup. Please try again in a moment."

# What a person reads when Slack refuses a call their request made, by Slack's error code.
SLACK_ERRORS: dict[str, str] = {
    "expired_trigger_id": _TRY_AGAIN,
    "invalid_trigger_id": _TRY_AGAIN,
    "trigger_exchanged": _TRY_AGAIN,
    "not_in_channel": "I'm not in that channel. Invite me with `/invite @Rapport`, then try again.",
    "channel_not_found": "I can't see that channel. If it is private, invite me with `/invite @Rapport` first.",
    "is_archived": "That channel is archived, so I can't post there.",
    "missing_scope": "Rapport is missing a Slack permission for that. Ask an admin to reinstall the app.",
    "invalid_auth": _NOT_INSTALLED,
    "not_authed": _NOT_INSTALLED,
    "token_revoked": _NOT_INSTALLED,
    "token_expired": _NOT_INSTALLED,
    "account_inactive": _NOT_INSTALLED,
    "ratelimited": "Slack asked me to slow down. Please try again in a minute.",
    "user_not_found": "Slack doesn't know that person.",
    "message_not_found": "That message is gone.",
    "cant_update_message": "That message can't be changed any more.",
    "restricted_action": "This workspace doesn't let apps do that here.",
    "fatal_error": _HICCUP,
    "internal_error": _HICCUP,
    "service_unavailable": _HICCUP,
    "request_timeout": _HICCUP,
}
SLACK_ERROR_FALLBACK = "Slack couldn't do that just now. Please try again in a moment."
UNEXPECTED_ERROR = "Sorry, something went wrong on my side and I couldn't finish that. Please try again in a moment."


def build_error(error: RapportError) -> dict[str, Any]:
    """A friendly reply to a request that could not be done, with an example that works."""
    blocks: list[Block] = [section(f"{error.icon} {escape(error.message)}")]
    if error.example:
        blocks.append(context(f"For example: `{escape(error.example)}`"))
    return message(error.message, blocks)


def slack_error_sentence(code: str, needed: str | None = None) -> str:
    """What a Slack error code means for the person whose request ran into it (`needed`: the scope Slack named for
    a `missing_scope`)."""
    if code == "missing_scope" and needed:
        return (
            f"Rapport is missing the Slack permission `{needed}` for that. "
            "Ask an admin to add it and reinstall the app."
        )
    return SLACK_ERRORS.get(code, SLACK_ERROR_FALLBACK)


def build_slack_error(code: str, needed: str | None = None) -> dict[str, Any]:
    """A friendly reply when Slack refused a call the request made (`code` is Slack's error code)."""
    sentence = slack_error_sentence(code, needed)
    return message(sentence, [section(f":warning: {escape(sentence)}")])


def build_unexpected_error() -> dict[str, Any]:
    """The polite reply when something failed that no one expected (the details are in the log, not here)."""
    return message(UNEXPECTED_ERROR, [section(f":warning: {escape(UNEXPECTED_ERROR)}")])


def field_problems(error: RapportError) -> dict[str | None, str]:
    """What to fix, by the form field it concerns: each of a form's errors, or the message with its example."""
    if error.errors:
        return {field: text for field, text in error.errors.items()}
    hint = f" For example: {error.example}" if error.example else ""
    return {error.field: error.message + hint}


def input_block_for(view: Mapping[str, Any], field: str | None) -> str | None:
    """The block id of the modal's input that answers for `field`: the input whose block id or action id is the
    field's name, else the first input; None if the view has no input."""
    inputs = [
        b
        for b in view.get("blocks") or ()
        if isinstance(b, dict) and b.get("type") == "input" and isinstance(b.get("block_id"), str) and b["block_id"]
    ]
    for block in inputs:
        element = block.get("element")
        action_id = element.get("action_id") if isinstance(element, dict) else None
        if field is not None and field in (block["block_id"], action_id):
            return str(block["block_id"])
    return str(inputs[0]["block_id"]) if inputs else None


def build_field_errors(view: Mapping[str, Any], problems: Mapping[str | None, str]) -> dict[str, str]:
    """A modal's `errors` (block id -> text): each problem under the input that answers for its field."""
    errors: dict[str, str] = {}
    for field, text in problems.items():
        block_id = input_block_for(view, field)
        if block_id is not None:
            joined = f"{errors[block_id]} {text}" if block_id in errors else text
            errors[block_id] = joined[:FIELD_ERROR_LIMIT]
    return errors


FOR_HOST_TEAM = (
    "Thanks for trying! Rapport works for the team that added it to this Slack, so its commands, shortcuts and "
    "buttons are only for that team's own members."
)


def build_for_host_team() -> dict[str, Any]:
    """The polite reply to someone of another organisation (a customer in a shared channel) who tries Rapport."""
    return message(FOR_HOST_TEAM, [section(f":wave: {escape(FOR_HOST_TEAM)}")])
