"""Slack-style rate limiting for the simulator: per-method tiers and chat.postMessage's special tier."""

from __future__ import annotations

import json
import math
from collections import deque
from pathlib import Path

TIER_PER_MINUTE: dict[str, int] = {"Tier1": 1, "Tier2": 20, "Tier3": 50, "Tier4": 100}
POST_MESSAGE_TIER = "SpecialTier_chat_postMessage"

# Copied from Slack's published rate_limit_tiers.json for the methods the simulator implements, so the
# simulator works without the shared file. apps.connections.open (Tier1) is left out on purpose: Socket Mode
# clients call it on every (re)connect and the SDK itself notes it is "rarely" limited in practice.
BUILTIN_TIERS: dict[str, str] = {
    "auth.test": "SpecialTier_auth_test",
    "chat.delete": "Tier3",
    "chat.getPermalink": "SpecialTier_chat_getPermalink",
    "chat.postEphemeral": "Tier4",
    "chat.postMessage": POST_MESSAGE_TIER,
    "chat.update": "Tier3",
    "conversations.history": "Tier3",
    "conversations.info": "Tier3",
    "conversations.join": "Tier3",
    "conversations.list": "Tier2",
    "conversations.members": "Tier4",
    "conversations.open": "Tier3",
    "conversations.replies": "Tier3",
    "reactions.add": "Tier3",
    "reactions.remove": "Tier2",
    "team.info": "Tier3",
    "users.info": "Tier4",
    "users.list": "Tier2",
    "users.lookupByEmail": "Tier3",
    "views.open": "Tier4",
    "views.publish": "Tier4",
    "views.push": "Tier4",
    "views.update": "Tier4",
}

_WINDOW = 60.0


def load_tiers(path: str | Path) -> dict[str, str]:
    """Read a method -> tier map in the format of Slack's rate_limit_tiers.json."""
    data = json.loads(Path(path).read_text())
    tiers = {str(k): str(v) for k, v in data.items()}
    tiers.pop("apps.connections.open", None)
    return tiers


class RateLimiter:
    """Sliding-window limiter; not thread-safe on its own (the simulator calls it under its lock)."""

    def __init__(self, tiers: dict[str, str], post_message_workspace_per_minute: int | None = None) -> None:
        self.tiers = tiers
        self.post_message_workspace_per_minute = post_message_workspace_per_minute
        self._method_hits: dict[str, deque[float]] = {}
        self._channel_last: dict[str, float] = {}
        self._workspace_posts: deque[float] = deque()

    def check(self, method: str, now: float, channel_key: str | None = None) -> int | None:
        """Record the call and return None when allowed, else the Retry-After seconds (>= 1)."""
        tier = self.tiers.get(method)
        if tier is None:
            return None
        if tier == POST_MESSAGE_TIER:
            return self._check_post_message(now, channel_key)
        limit = TIER_PER_MINUTE.get(tier)
        if limit is None:
            # Other special tiers (auth.test, chat.getPermalink) allow hundreds per minute: not limited here.
            return None
        hits = self._method_hits.setdefault(method, deque())
        _expire(hits, now)
        if len(hits) >= limit:
            return _retry_after(hits[0] + _WINDOW - now)
        hits.append(now)
        return None

    def _check_post_message(self, now: float, channel_key: str | None) -> int | None:
        cap = self.post_message_workspace_per_minute
        if cap is not None:
            _expire(self._workspace_posts, now)
            if len(self._workspace_posts) >= cap:
                return _retry_after(self._workspace_posts[0] + _WINDOW - now)
        if channel_key is not None:
            last = self._channel_last.get(channel_key)
            if last is not None and now - last < 1.0:
                return _retry_after(last + 1.0 - now)
            self._channel_last[channel_key] = now
        if cap is not None:
            self._workspace_posts.append(now)
        return None


def _expire(hits: deque[float], now: float) -> None:
    while hits and hits[0] <= now - _WINDOW:
        hits.popleft()


def _retry_after(seconds: float) -> int:
    return max(1, math.ceil(seconds))
