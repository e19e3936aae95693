"""Mutable state of a running simulator: histories, ephemerals, views, triggers and timestamps."""

from __future__ import annotations

import hashlib
import itertools
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.slacksim.workspace import SimChannel, SimWorkspace

JsonDict = dict[str, Any]


class SimLookupError(ValueError):
    """Raised when a simulator helper is given a channel, user or message that does not exist."""


@dataclass
class SimState:
    """Everything the simulator remembers; callers hold the simulator's lock while using it."""

    workspace: SimWorkspace
    clock: Callable[[], float]
    messages: dict[str, list[JsonDict]] = field(default_factory=dict)
    ephemerals: list[JsonDict] = field(default_factory=list)
    views: dict[str, JsonDict] = field(default_factory=dict)
    home_views: dict[str, JsonDict] = field(default_factory=dict)
    triggers: dict[str, str | None] = field(default_factory=dict)
    # When each trigger was issued (simulator clock), and those already exchanged for a view: Slack's trigger ids
    # expire after 3 seconds and are single use.
    trigger_issued: dict[str, float] = field(default_factory=dict)
    triggers_used: set[str] = field(default_factory=set)
    trigger_lifetime: float = 3.0  # seconds; a test sets 0 to play an app slower than Slack allows
    tickets: set[str] = field(default_factory=set)
    ims: dict[str, SimChannel] = field(default_factory=dict)
    mpims: dict[str, SimChannel] = field(default_factory=dict)
    response_urls: dict[str, JsonDict] = field(default_factory=dict)
    responses: list[JsonDict] = field(default_factory=list)
    _last_ts_us: int = 0
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next_ts(self) -> str:
        """Return a new message ts from the clock, strictly greater than every earlier one."""
        micros = int(self.clock() * 1_000_000)
        # A frozen or backwards test clock must still yield unique, increasing ts values.
        micros = max(micros, self._last_ts_us + 1)
        self._last_ts_us = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def next_id(self, prefix: str, width: int = 9) -> str:
        """Return a unique Slack-looking id such as V0000000001."""
        return f"{prefix}{next(self._seq):0{width}d}"

    def new_trigger_id(self, user_id: str | None = None) -> str:
        """Issue a trigger_id that views.open/views.push will accept."""
        n = next(self._seq)
        team_part = zlib.crc32(self.workspace.team_id.encode())
        trigger = f"{int(self.clock())}{n:04d}.{team_part}.{uuid.uuid4().hex[:20]}"
        self.triggers[trigger] = user_id
        self.trigger_issued[trigger] = self.clock()
        return trigger

    def im_for(self, user_id: str) -> SimChannel:
        """Return the bot's DM with a user, opening it on first use."""
        for ch in self.ims.values():
            if ch.user == user_id:
                return ch
        ch = SimChannel(id="D" + user_id[1:], name=user_id, is_im=True, user=user_id, bot_is_member=True)
        self.ims[ch.id] = ch
        return ch

    def mpim_for(self, user_ids: list[str]) -> SimChannel:
        """Return the group DM between the bot and these users, creating it on first use."""
        members = sorted(set(user_ids) | {self.workspace.bot_user_id})
        key = "G" + hashlib.sha1(",".join(members).encode(), usedforsecurity=False).hexdigest()[:9].upper()
        ch = self.mpims.get(key)
        if ch is None:
            names = []
            for uid in members:
                found = self.workspace.user(uid)
                names.append(found.name if found is not None else uid)
            ch = SimChannel(
                id=key,
                name="mpdm-" + "--".join(names) + "-1",
                is_private=True,
                is_mpim=True,
                members=members,
                bot_is_member=True,
            )
            self.mpims[key] = ch
        return ch

    def resolve(self, ref: str) -> SimChannel | None:
        """Find a conversation by id (C/G/D), '#name' or name; DMs of known users resolve lazily."""
        ws = self.workspace
        ch = ws.channel(ref) or self.ims.get(ref) or self.mpims.get(ref)
        if ch is not None:
            return ch
        if ref.startswith("#"):
            return ws.channel_by_name(ref[1:])
        if ref.startswith("D"):
            for prefix in ("U", "W"):
                user = ws.user(prefix + ref[1:])
                if user is not None and not user.is_bot:
                    return self.im_for(user.id)
            return None
        return ws.channel_by_name(ref)

    def require_channel(self, ref: str) -> SimChannel:
        """Resolve a conversation for a simulator helper, raising SimLookupError when unknown."""
        ch = self.resolve(ref)
        if ch is None:
            user = self.workspace.user(ref)
            if user is not None and not user.is_bot:
                return self.im_for(user.id)
            raise SimLookupError(f"unknown channel {ref!r}: add it to the SimWorkspace first")
        return ch

    def history(self, channel_id: str) -> list[JsonDict]:
        """Return the live message list of a conversation (created empty on first use)."""
        return self.messages.setdefault(channel_id, [])

    def find_message(self, channel_id: str, ts: str) -> JsonDict | None:
        """Return the stored message with that ts, if any."""
        return next((m for m in self.history(channel_id) if m.get("ts") == ts), None)

    def add_message(self, channel_id: str, message: JsonDict) -> None:
        """Append a message and keep the thread parent's reply bookkeeping like Slack does."""
        self.history(channel_id).append(message)
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != message.get("ts"):
            parent = self.find_message(channel_id, thread_ts)
            if parent is not None:
                parent["thread_ts"] = thread_ts
                parent["reply_count"] = int(parent.get("reply_count", 0)) + 1
                users = list(parent.get("reply_users", []))
                author = message.get("user")
                if author and author not in users:
                    users.append(author)
                parent["reply_users"] = users
                parent["reply_users_count"] = len(users)
                parent["latest_reply"] = message["ts"]
                if parent.get("user"):
                    message.setdefault("parent_user_id", parent["user"])

    def remove_message(self, channel_id: str, ts: str) -> JsonDict | None:
        """Delete a message from history and return it."""
        history = self.history(channel_id)
        for i, m in enumerate(history):
            if m.get("ts") == ts:
                return history.pop(i)
        return None

    def bot_message(
        self, text: str, *, blocks: Any = None, attachments: Any = None, thread_ts: str | None = None
    ) -> JsonDict:
        """Build a message authored by the app's bot user, with a fresh ts."""
        ws = self.workspace
        msg: JsonDict = {
            "type": "message",
            "user": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "app_id": ws.api_app_id,
            "text": text,
            "ts": self.next_ts(),
            "team": ws.team_id,
            "bot_profile": {
                "id": ws.bot_id,
                "app_id": ws.api_app_id,
                "name": ws.bot_name,
                "deleted": False,
                "updated": 1_700_000_000,
                "team_id": ws.team_id,
                "icons": {f"image_{n}": f"https://a.slack-edge.com/sim/{ws.bot_id}_{n}.png" for n in (36, 48, 72)},
            },
        }
        if blocks is not None:
            msg["blocks"] = blocks
        if attachments is not None:
            msg["attachments"] = attachments
        if thread_ts:
            msg["thread_ts"] = thread_ts
        return msg
