"""The Slack side of the Events API: people post, edit and delete messages and add or remove the bot."""

from __future__ import annotations

import copy
import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from bot.slacksim.delivery import BotDelivery, Delivery
from bot.slacksim.state import JsonDict, SimLookupError, SimState


class EventDriver:
    """Changes the workspace the way people do and delivers the matching event_callback to the bot."""

    def __init__(
        self,
        *,
        state: SimState,
        cond: threading.Condition,
        delivery: BotDelivery,
        verification_token: str,
        ids: Iterator[int],
    ) -> None:
        self._state = state
        self._ws = state.workspace
        self._cond = cond
        self._delivery = delivery
        self._verification_token = verification_token
        self._ids = ids

    def send_event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int = 0,
        retry_reason: str = "http_timeout",
        team_id: str | None = None,
        event_time: int | None = None,
    ) -> Delivery:
        """Deliver an Events API event_callback wrapping `event`."""
        ws = self._ws
        with self._cond:
            channel = self._state.resolve(event["channel"]) if isinstance(event.get("channel"), str) else None
            now = self._state.clock()
        eid = event_id or f"Ev{next(self._ids):04d}{uuid.uuid4().hex[:7].upper()}"
        envelope: JsonDict = {
            "token": self._verification_token,
            "team_id": team_id or ws.team_id,
            "context_team_id": team_id or ws.team_id,
            "context_enterprise_id": None,
            "api_app_id": ws.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": eid,
            "event_time": int(now) if event_time is None else event_time,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": ws.team_id,
                    "user_id": ws.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": bool(channel is not None and channel.is_ext_shared),
            "event_context": "4-" + uuid.uuid4().hex,
        }
        socket_extra: JsonDict = {
            "accepts_response_payload": False,
            "retry_attempt": retry_num,
            "retry_reason": retry_reason if retry_num > 0 else "",
        }
        headers = {}
        if retry_num > 0:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self._delivery.deliver(
            "events_api", envelope, socket_extra, json.dumps(envelope).encode(), "application/json", headers
        )

    def _store_user_message(
        self,
        user: str | None,
        channel: str,
        text: str,
        *,
        thread_ts: str | None,
        blocks: Any,
        subtype: str | None,
        bot_id: str | None,
        extra: dict[str, Any] | None,
    ) -> JsonDict:
        ws = self._ws
        ch = self._state.require_channel(channel)
        author = ws.user(user) if user else None
        team = author.team(ws.team_id) if author is not None else ws.team_id
        ts = self._state.next_ts()
        msg: JsonDict = {"type": "message", "ts": ts, "text": text, "team": team}
        if user:
            msg["user"] = user
        if subtype:
            msg["subtype"] = subtype
        if bot_id:
            msg["bot_id"] = bot_id
        elif not subtype:
            msg["client_msg_id"] = str(uuid.uuid4())
        if blocks is not None:
            msg["blocks"] = blocks
        if thread_ts:
            msg["thread_ts"] = thread_ts
        if author is not None and ws.is_external(author):
            # Slack Connect messages carry the author's home team.
            msg["user_team"] = team
            msg["source_team"] = team
        msg.update(extra or {})
        self._state.add_message(ch.id, msg)
        return copy.deepcopy(msg) | {"channel": ch.id, "event_ts": ts, "channel_type": ch.channel_type}

    def post_message(
        self,
        user: str | None,
        channel: str,
        text: str,
        *,
        thread_ts: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
        subtype: str | None = None,
        bot_id: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> tuple[str, Delivery]:
        """A user posts a message: it is stored and the `message` event is delivered to the bot."""
        with self._cond:
            event = self._store_user_message(
                user, channel, text, thread_ts=thread_ts, blocks=blocks, subtype=subtype, bot_id=bot_id, extra=extra
            )
        return event["ts"], self.send_event(event)

    def seed_message(
        self,
        user: str | None,
        channel: str,
        text: str,
        *,
        thread_ts: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """Store a user's message in history without delivering any event (test setup); return its ts."""
        with self._cond:
            event = self._store_user_message(
                user, channel, text, thread_ts=thread_ts, blocks=blocks, subtype=None, bot_id=None, extra=extra
            )
        return str(event["ts"])

    def edit_message(self, channel: str, ts: str, new_text: str) -> Delivery:
        """A user edits a stored message: message_changed is delivered."""
        with self._cond:
            ch = self._state.require_channel(channel)
            msg = self._state.find_message(ch.id, ts)
            if msg is None:
                raise SimLookupError(f"no message {ts} in {ch.id}")
            previous = copy.deepcopy(msg)
            event_ts = self._state.next_ts()
            msg["text"] = new_text
            msg.pop("blocks", None)
            msg["edited"] = {"user": msg.get("user", ""), "ts": event_ts}
            event = {
                "type": "message",
                "subtype": "message_changed",
                "hidden": True,
                "channel": ch.id,
                "ts": event_ts,
                "event_ts": event_ts,
                "channel_type": ch.channel_type,
                "message": copy.deepcopy(msg),
                "previous_message": previous,
            }
        return self.send_event(event)

    def delete_message(self, channel: str, ts: str) -> Delivery:
        """A user deletes a stored message: message_deleted is delivered."""
        with self._cond:
            ch = self._state.require_channel(channel)
            previous = self._state.remove_message(ch.id, ts)
            if previous is None:
                raise SimLookupError(f"no message {ts} in {ch.id}")
            event_ts = self._state.next_ts()
            event = {
                "type": "message",
                "subtype": "message_deleted",
                "hidden": True,
                "channel": ch.id,
                "ts": event_ts,
                "event_ts": event_ts,
                "deleted_ts": ts,
                "channel_type": ch.channel_type,
                "previous_message": previous,
            }
        return self.send_event(event)

    def set_bot_member(self, channel: str, member: bool = True) -> None:
        """Change the bot's membership silently (no event), e.g. to set up Web API-only tests."""
        with self._cond:
            self._state.require_channel(channel).bot_is_member = member

    def add_bot_to_channel(self, channel: str, *, inviter: str) -> Delivery:
        """Someone invites the bot: it becomes a member and member_joined_channel is delivered."""
        with self._cond:
            ch = self._state.require_channel(channel)
            ch.bot_is_member = True
            event = {
                "type": "member_joined_channel",
                "user": self._ws.bot_user_id,
                "channel": ch.id,
                "channel_type": "G" if ch.is_private else "C",
                "team": self._ws.team_id,
                "inviter": inviter,
                "event_ts": self._state.next_ts(),
            }
        return self.send_event(event)

    def remove_bot_from_channel(
        self,
        channel: str,
        *,
        event: Literal["member_left_channel", "channel_left"] = "member_left_channel",
        actor: str | None = None,
    ) -> Delivery:
        """The bot is removed: its membership ends and member_left_channel (or channel_left) is delivered."""
        with self._cond:
            ch = self._state.require_channel(channel)
            ch.bot_is_member = False
            event_ts = self._state.next_ts()
            payload: JsonDict
            if event == "channel_left":
                payload = {
                    "type": "channel_left",
                    "channel": ch.id,
                    "actor_id": actor or "",
                    "event_ts": event_ts,
                }
            else:
                payload = {
                    "type": "member_left_channel",
                    "user": self._ws.bot_user_id,
                    "channel": ch.id,
                    "channel_type": "G" if ch.is_private else "C",
                    "team": self._ws.team_id,
                    "event_ts": event_ts,
                }
        return self.send_event(payload)
