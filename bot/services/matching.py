"""One cached matcher per workspace, rebuilt when the directory version moves (in any process)."""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session

from bot.db import queries
from bot.domain.matcher import CustomerMatcher, NameEntry


class DirectoryMatchers:
    """Per-workspace CustomerMatcher cache; the database's directory version is the truth."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[int, CustomerMatcher]] = {}

    def for_team(self, session: Session, *, team_id: str) -> CustomerMatcher:
        """The matcher for the workspace's current directory, rebuilt if another writer changed it."""
        version = queries.directory_version(session, team_id=team_id)
        with self._lock:
            cached = self._cache.get(team_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        entries = [
            NameEntry(customer_id=customer_id, name=name)
            for customer_id, name in queries.all_customer_names(session, team_id=team_id)
        ]
        matcher = CustomerMatcher.build(entries)
        with self._lock:
            current = self._cache.get(team_id)
            if current is None or current[0] <= version:
                self._cache[team_id] = (version, matcher)
        return matcher
