"""Per-workspace caches kept in each process, checked against version counters the database holds.

A directory change bumps the workspace's directory version and a channel change its channels version (in
whichever process makes it), so every process notices on its next read and reloads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence

from sqlalchemy.orm import Session

from bot.db import queries
from bot.domain.matcher import CustomerMatcher, NameEntry

Versions = tuple[int, int]  # (directory version, channels version)


class DirectoryMatchers:
    """Per-workspace CustomerMatcher cache; the database's directory version is the truth."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[int, CustomerMatcher]] = {}

    def for_team(self, session: Session, *, team_id: str) -> CustomerMatcher:
        """The matcher for the workspace's current directory, rebuilt if another writer changed it."""
        directory_version, _ = queries.team_versions(session, team_id=team_id)
        return self.get(
            team_id=team_id,
            version=directory_version,
            load=lambda: queries.all_customer_names(session, team_id=team_id),
        )

    def get(self, *, team_id: str, version: int, load: Callable[[], Iterable[tuple[int, str]]]) -> CustomerMatcher:
        """The cached matcher if it was built from this directory version, else one built from `load()`."""
        with self._lock:
            cached = self._cache.get(team_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        matcher = CustomerMatcher.build([NameEntry(customer_id=cid, name=name) for cid, name in load()])
        with self._lock:
            current = self._cache.get(team_id)
            if current is None or current[0] <= version:
                self._cache[team_id] = (version, matcher)
        return matcher


class WatchedChannels:
    """Channels known to be watched, with their linked customer, per workspace and versions.

    Only committed facts go in (`remember` after the transaction that watched them), so a rolled-back
    transaction never leaves the cache ahead of the database.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[Versions, dict[str, int | None]]] = {}

    def lookup(
        self, *, team_id: str, versions: Versions, channel_ids: Sequence[str]
    ) -> tuple[dict[str, int | None], list[str]]:
        """(linked customer of each cached channel, channels not known to be watched at these versions)."""
        with self._lock:
            cached = self._cache.get(team_id)
            known = cached[1] if cached is not None and cached[0] == versions else {}
            found = {c: known[c] for c in channel_ids if c in known}
        return found, [c for c in dict.fromkeys(channel_ids) if c not in found]

    def remember(self, *, team_id: str, versions: Versions, linked: Mapping[str, int | None]) -> None:
        """Record channels seen watched at these versions (a newer version replaces older entries)."""
        with self._lock:
            cached = self._cache.get(team_id)
            if cached is None or cached[0] != versions:
                if cached is not None and cached[0] > versions:
                    return  # someone already saw a newer state
                cached = (versions, {})
                self._cache[team_id] = cached
            cached[1].update(linked)
