"""The follow-up modal: validate inside the modal, then show the confirmation in it."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.blocks import followups as blocks
from bot.blocks.results import build_result_view
from bot.domain.errors import AmbiguousCustomer, RapportError, UnknownCustomer
from bot.domain.messages import is_slack_ts
from bot.domain.when import BadWhen
from bot.runtime.deps import Deps
from bot.services import followups


def _value(state: dict[str, Any], block: str, action: str, key: str) -> Any:
    return (state.get(block) or {}).get(action, {}).get(key)


def _source(view: dict[str, Any]) -> tuple[str | None, str | None]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return None, None
    channel, ts = (meta.get("channel"), meta.get("ts")) if isinstance(meta, dict) else (None, None)
    if isinstance(channel, str) and channel and is_slack_ts(ts):
        return channel, str(ts)
    return None, None


def handle_followup_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                               deps: Deps) -> None:  # fmt: skip
    """Create the follow-up; a bad customer or *when* is explained next to its field, and nothing is created."""
    state = (view.get("state") or {}).get("values") or {}
    user_id = (body.get("user") or {}).get("id", "")
    team_id = view.get("team_id") or (body.get("team") or {}).get("id") or ""
    channel, ts = _source(view)
    form = followups.FollowUpForm(
        owner=_value(state, blocks.MODAL_OWNER_BLOCK, blocks.MODAL_OWNER_ACTION, "selected_user") or user_id,
        customer=_value(state, blocks.MODAL_CUSTOMER_BLOCK, blocks.MODAL_CUSTOMER_ACTION, "value") or "",
        when=_value(state, blocks.MODAL_WHEN_BLOCK, blocks.MODAL_WHEN_ACTION, "value") or "",
        note=_value(state, blocks.MODAL_NOTE_BLOCK, blocks.MODAL_NOTE_ACTION, "value") or "",
        source_channel_id=channel,
        source_ts=ts,
    )
    try:
        views = followups.create_from_form(deps, client, team_id=team_id, created_by=user_id, form=form)
    except RapportError as error:
        field = {BadWhen: blocks.MODAL_WHEN_BLOCK, UnknownCustomer: blocks.MODAL_CUSTOMER_BLOCK,
                 AmbiguousCustomer: blocks.MODAL_CUSTOMER_BLOCK}.get(type(error), blocks.MODAL_NOTE_BLOCK)  # fmt: skip
        hint = f" For example: {error.example}" if error.example else ""
        ack(response_action="errors", errors={field: (error.message + hint)[:1900]})
        return
    ack(response_action="update", view=build_result_view("Follow-up created", blocks.confirm_created(views,
                                                                                       creator=user_id)))  # fmt: skip
