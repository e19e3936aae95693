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
from bot.slacksim.workspace import SLACKBOT, SimChannel, SimUser

# Message subtypes Slack sends without any team field (`team`, `user_team`, `source_team`).
UNTEAMED_SUBTYPES = frozenset({"file_share", "thread_broadcast"})
TOMBSTONE_TEXT = "This message was deleted."


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
            channel = self._channel_of(event)
            now = self._state.clock()
        eid = event_id or f"Ev{next(self._ids):04d}{uuid.uuid4().hex[:7].upper()}"
        # In a shared channel another organisation created, Slack's envelope names that organisation; the installed
        # workspace is only in `authorizations`.
        host = team_id or (channel.host_team_id if channel is not None else None) or ws.team_id
        envelope: JsonDict = {
            "token": self._verification_token,
            "enterprise_id": ws.enterprise_id if host == ws.team_id else None,
            "team_id": host,
            "context_team_id": host,
            "context_enterprise_id": ws.enterprise_id if host == ws.team_id else None,
            "api_app_id": ws.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": eid,
            "event_time": int(now) if event_time is None else event_time,
            "authorizations": [
                {
                    "enterprise_id": ws.enterprise_id,
                    "team_id": ws.team_id,
                    "user_id": ws.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": ws.is_enterprise_install,
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

    def _channel_of(self, event: dict[str, Any]) -> SimChannel | None:
        """The channel an event happened in (a reaction names it in its item), if the simulator knows it."""
        channel = event.get("channel")
        item = event.get("item")
        if not isinstance(channel, str) and isinstance(item, dict):
            channel = item.get("channel")
        if not isinstance(channel, str):
            return None
        try:
            return self._state.resolve(channel)
        except SimLookupError:
            return None

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
        msg: JsonDict = {"type": "message", "ts": ts, "text": text}
        if subtype not in UNTEAMED_SUBTYPES:  # file shares and thread broadcasts carry no team field at all
            msg["team"] = team
            if author is not None and ch.is_ext_shared:
                # Messages in a shared channel carry the author's home team (an Enterprise Grid `E…` id if any).
                msg["user_team"] = msg["source_team"] = ws.author_team(author, ch)
        if user:
            msg["user"] = user
        if subtype:
            msg["subtype"] = subtype
        if bot_id:
            msg["bot_id"] = bot_id
        elif subtype in (None, "thread_broadcast"):
            msg["client_msg_id"] = str(uuid.uuid4())
        if blocks is not None:
            msg["blocks"] = blocks
        if thread_ts:
            msg["thread_ts"] = thread_ts
        if subtype == "file_share":
            msg.update(upload=False, display_as_bot=False, files=[self._file(author, ts)])
        if subtype == "thread_broadcast" and thread_ts:
            msg["root"] = self._root(ch.id, thread_ts)
        msg.update(extra or {})
        self._state.add_message(ch.id, msg)
        if subtype == "thread_broadcast":
            msg.pop("parent_user_id", None)  # a broadcast names its thread's parent in `root` instead
        return copy.deepcopy(msg) | {"channel": ch.id, "event_ts": ts, "channel_type": ch.channel_type}

    def _file(self, author: SimUser | None, ts: str) -> JsonDict:
        """The `files` entry of a file share, as Slack sends it (a few of its fields)."""
        file_id = f"F{uuid.uuid4().hex[:10].upper()}"
        return {
            "id": file_id,
            "created": int(float(ts)),
            "timestamp": int(float(ts)),
            "name": "screenshot.png",
            "title": "screenshot.png",
            "mimetype": "image/png",
            "filetype": "png",
            "user": author.id if author is not None else "",
            "user_team": author.team(self._ws.team_id) if author is not None else self._ws.team_id,
            "mode": "hosted",
            "is_external": False,
            "size": 1024,
            "url_private": f"https://files.slack.com/files-pri/{self._ws.team_id}-{file_id}/screenshot.png",
            "permalink": f"https://{self._ws.domain}.slack.com/files/{file_id}/screenshot.png",
        }

    def _root(self, channel_id: str, thread_ts: str) -> JsonDict:
        """The `root` of a thread broadcast: the thread's parent as it stands."""
        parent = self._state.find_message(channel_id, thread_ts) or {"ts": thread_ts}
        keep = ("text", "user", "team", "type", "thread_ts", "reply_count", "reply_users_count", "latest_reply", "ts")
        return {key: copy.deepcopy(parent[key]) for key in keep if key in parent}

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
        """A user deletes a stored message: message_deleted is delivered; a thread parent with replies stays as a
        tombstone, announced by message_changed (as Slack does)."""
        with self._cond:
            ch = self._state.require_channel(channel)
            found = self._state.find_message(ch.id, ts)
            event = self._tombstone(ch, found) if found is not None and found.get("reply_count") else None
            previous = None if event is not None else self._state.remove_message(ch.id, ts)
            if event is None and previous is None:
                raise SimLookupError(f"no message {ts} in {ch.id}")
            if event is None:
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

    def _tombstone(self, ch: SimChannel, parent: JsonDict) -> JsonDict:
        """Replace a thread parent by Slack's tombstone; the message_changed event saying so."""
        previous = copy.deepcopy(parent)
        event_ts = self._state.next_ts()
        kept = ("thread_ts", "reply_count", "reply_users_count", "latest_reply", "reply_users", "ts")
        tombstone: JsonDict = {key: parent[key] for key in kept if key in parent}
        tombstone.update(
            type="message", subtype="tombstone", text=TOMBSTONE_TEXT, user=SLACKBOT.id, hidden=True, is_locked=False
        )
        parent.clear()
        parent.update(tombstone)
        event = {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": ch.id,
            "ts": event_ts,
            "event_ts": event_ts,
            "channel_type": ch.channel_type,
            "message": copy.deepcopy(tombstone),
            "previous_message": previous,
        }
        return event

    def react(self, user: str, channel: str, ts: str, reaction: str, *, removed: bool = False) -> Delivery:
        """A person adds (or removes) an emoji reaction on a message: reaction_added (or _removed) is delivered."""
        with self._cond:
            ch = self._state.require_channel(channel)
            msg = self._state.find_message(ch.id, ts)
            event = {
                "type": "reaction_removed" if removed else "reaction_added",
                "user": user,
                "reaction": reaction,
                "item_user": (msg or {}).get("user", ""),
                "item": {"type": "message", "channel": ch.id, "ts": ts},
                "event_ts": self._state.next_ts(),
            }
        return self.send_event(event)

    def open_home(self, user: str) -> Delivery:
        """A person opens the app's Home tab: app_home_opened is delivered."""
        with self._cond:
            event = {
                "type": "app_home_opened",
                "user": user,
                "channel": f"D{user[1:]}",
                "tab": "home",
                "event_ts": self._state.next_ts(),
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
