"""response_url links: the simulator hands them out with commands and actions, and acts on what the bot posts."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator

from bot.slacksim.state import JsonDict, SimState


class ResponseUrls:
    """Issues response_url links and applies the bot's replies to them (ephemeral, in channel, replace, delete)."""

    def __init__(
        self, *, state: SimState, cond: threading.Condition, base_url: Callable[[], str], ids: Iterator[int]
    ) -> None:
        self._state = state
        self._cond = cond
        self._base_url = base_url
        self._ids = ids

    def issue(self, channel: str | None, user: str | None, message_ts: str | None = None) -> str:
        """Return a new response_url for a command or an action in that channel by that user."""
        key = f"{self._state.workspace.team_id}/{next(self._ids)}/{uuid.uuid4().hex[:24]}"
        self._state.response_urls[key] = {"channel": channel, "user": user, "message_ts": message_ts}
        return f"{self._base_url()}/response_url/{key}"

    def receive(self, key: str, body: bytes) -> int:
        """Apply a body the bot POSTed to a response_url and return the HTTP status to answer with."""
        with self._cond:
            target = self._state.response_urls.get(key)
            if target is None:
                return 404
            try:
                payload = json.loads(body) if body else {}
            except json.JSONDecodeError:
                payload = {"text": body.decode("utf-8", "replace")}
            if not isinstance(payload, dict):
                return 400
            channel, user = target.get("channel"), target.get("user")
            self._state.responses.append(
                {
                    "response_url": f"{self._base_url()}/response_url/{key}",
                    "body": payload,
                    "channel": channel,
                    "user": user,
                }
            )
            text = str(payload.get("text", ""))
            original = target.get("message_ts")
            if channel and original and (payload.get("replace_original") or payload.get("delete_original")):
                if payload.get("delete_original"):
                    self._state.remove_message(channel, original)
                elif (msg := self._state.find_message(channel, original)) is not None:
                    msg["text"] = text
                    if "blocks" in payload:
                        msg["blocks"] = payload["blocks"]
            elif channel and payload.get("response_type") == "in_channel":
                msg = self._state.bot_message(text, blocks=payload.get("blocks"), thread_ts=payload.get("thread_ts"))
                self._state.add_message(channel, msg)
            elif channel and user and not payload.get("delete_original") and not payload.get("replace_original"):
                record: JsonDict = {
                    "channel": channel,
                    "user": user,
                    "text": text,
                    "message_ts": self._state.next_ts(),
                    "via": "response_url",
                }
                if payload.get("blocks") is not None:
                    record["blocks"] = payload["blocks"]
                self._state.ephemerals.append(record)
            self._cond.notify_all()
            return 200
