"""What Slack's 429s taught this process: channels to pace at one message a second, and workspace-wide holds.

A cache, never the truth: every process learns on its own, the outbox rows keep the schedule, and a process
that forgets (a restart) only pays one more 429 per busy channel. Entries are ignored when `now` is before
the moment they were learned, so jobs run at a chosen `now` never stall the ones running on the real clock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

# chat.postMessage allows about one message per second per channel (short bursts tolerated).
CHANNEL_GAP = timedelta(seconds=1)
# How long a channel that answered 429 is paced after its last message: a busy DM stays paced while busy.
PACED_FOR = timedelta(minutes=1)
# A 429 on a channel this process posted to within this long is that channel's limit; any other 429 is the
# workspace's (or another instance's), and holds every send until Retry-After passes.
RECENT = timedelta(seconds=1.5)
_PRUNE_ABOVE = 5_000


@dataclass
class _Channel:
    learned_at: datetime
    last_sent: datetime | None = None
    paced_until: datetime | None = None
    blocked_until: datetime | None = None
    next_slot: datetime | None = None


class SendPacing:
    """Per-process memory of Slack's rate limits, shared by the sender's passes (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._channels: dict[str, _Channel] = {}
        self._holds: dict[str, tuple[datetime, datetime]] = {}  # workspace -> (learned at, until)

    def held_until(self, now: datetime, *, team_id: str) -> datetime | None:
        """The end of the workspace-wide hold of one workspace in force at `now`, if any."""
        return self.held_teams(now).get(team_id)

    def held_teams(self, now: datetime) -> dict[str, datetime]:
        """The workspaces whose every send is held at `now` (one workspace's 429s never hold another's), and until
        when."""
        with self._lock:
            return {team: until for team, (learned, until) in self._holds.items() if learned <= now < until}

    def slot_for(self, key: str, *, now: datetime, holds_slot: bool) -> datetime | None:
        """None to send now; otherwise when this row may go (a later slot is reserved for it).

        `holds_slot` says the row was already given its time by an earlier deferral: it goes as soon as the
        channel allows, without queueing behind the slots handed out since.
        """
        with self._lock:
            channel = self._fresh(key, now)
            if channel is None or channel.paced_until is None or channel.paced_until <= now:
                return None
            earliest = now
            if channel.last_sent is not None:
                earliest = max(earliest, channel.last_sent + CHANNEL_GAP)
            if channel.blocked_until is not None:
                earliest = max(earliest, channel.blocked_until)
            queued = channel.next_slot is not None and channel.next_slot > now
            if earliest <= now and (holds_slot or not queued):
                return None
            if holds_slot:
                return earliest
            slot = max(earliest, channel.next_slot + CHANNEL_GAP) if channel.next_slot and queued else earliest
            channel.next_slot = slot
            channel.learned_at = now
            return slot

    def sent(self, key: str, *, at: datetime) -> None:
        """Remember a message Slack accepted; a paced channel stays paced while it is busy."""
        with self._lock:
            channel = self._fresh(key, at)
            if channel is None:
                if len(self._channels) > _PRUNE_ABOVE:
                    self._prune(at)
                channel = self._channels[key] = _Channel(learned_at=at)
            channel.last_sent, channel.learned_at = at, at
            if channel.paced_until is not None and channel.paced_until > at:
                channel.paced_until = max(channel.paced_until, at + PACED_FOR)

    def rate_limited(self, key: str, *, team_id: str, now: datetime, wait: timedelta) -> tuple[bool, datetime]:
        """Learn from a 429 on one workspace's call: (whether it holds that whole workspace, when the refused row may
        go again). `key` names the workspace's channel or method (see services.outbox)."""
        with self._lock:
            channel = self._fresh(key, now)
            recent = channel is not None and channel.last_sent is not None and channel.last_sent >= now - RECENT
            until = now + wait
            if channel is None or not recent:
                self._holds[team_id] = (now, until)
                return True, until
            channel.blocked_until = until
            channel.paced_until = until + PACED_FOR
            channel.next_slot = max(until, channel.next_slot) if channel.next_slot else until
            channel.learned_at = now
            return False, until

    def _fresh(self, key: str, now: datetime) -> _Channel | None:
        channel = self._channels.get(key)
        if channel is not None and channel.learned_at > now:
            del self._channels[key]  # learned "in the future" (a job run at a chosen later `now`): not ours
            return None
        return channel

    def _prune(self, now: datetime) -> None:
        stale = [
            key
            for key, channel in self._channels.items()
            if (channel.paced_until is None or channel.paced_until <= now)
            and (channel.last_sent is None or channel.last_sent < now - RECENT)
        ]
        for key in stale:
            del self._channels[key]
