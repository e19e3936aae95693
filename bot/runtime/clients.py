"""The bot's Web API client of each workspace: built from that workspace's own bot token, and cached.

Single-token mode is an installation of one: every workspace the jobs meet is served by the one client. With OAuth
installs a workspace's token comes from the installation store (refreshed there when Slack rotates it), looked up
again at most every TOKEN_TTL, so a rotated token is picked up well before the old one expires and a reinstall is
picked up within a minute.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient

# The current bot token of a workspace (rotated when due), or None when the app is not installed there.
TokenLookup = Callable[[str], str | None]
TOKEN_TTL_SECONDS = 60.0


@dataclass
class _Cached:
    token: str | None
    client: WebClient | None
    read_at: float


class WorkspaceClients:
    """A WebClient per workspace (team id), each carrying that workspace's bot token (thread-safe)."""

    def __init__(
        self, *, token_for: TokenLookup, make_client: Callable[[str], WebClient], timeout: float = 30.0
    ) -> None:
        self.timeout = timeout  # the longest one Web API call of any of its clients may take
        self._token_for = token_for
        self._make_client = make_client
        self._lock = threading.Lock()
        self._cache: dict[str, _Cached] = {}
        self._single: WebClient | None = None

    @classmethod
    def single(cls, client: WebClient) -> WorkspaceClients:
        """Single-token mode: the one client serves every workspace."""
        clients = cls(token_for=lambda _team: client.token, make_client=lambda _token: client, timeout=client.timeout)
        clients._single = client
        return clients

    @property
    def is_single(self) -> bool:
        """Whether one bot token serves everything (SLACK_BOT_TOKEN) rather than OAuth installs."""
        return self._single is not None

    def for_team(self, team_id: str) -> WebClient | None:
        """The workspace's client; None when the app is not installed there (its rows wait, nothing is sent)."""
        if self._single is not None:
            return self._single
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(team_id)
            if cached is not None and now - cached.read_at < TOKEN_TTL_SECONDS:
                return cached.client
        token = self._token_for(team_id)
        with self._lock:
            cached = self._cache.get(team_id)
            if cached is not None and cached.token == token and cached.client is not None:
                cached.read_at = now
                return cached.client
            client = self._make_client(token) if token else None
            self._cache[team_id] = _Cached(token=token, client=client, read_at=now)
            return client

    def forget(self, team_id: str) -> None:
        """Drop the workspace's client (uninstalled, or its token revoked): the next use looks its token up again."""
        with self._lock:
            self._cache.pop(team_id, None)


# What jobs and the sender accept: the clients of every workspace, or one client (tests, one-off tools).
Clients = WebClient | WorkspaceClients


def client_for(clients: Clients, team_id: str) -> WebClient | None:
    """The client that speaks for the workspace."""
    return clients.for_team(team_id) if isinstance(clients, WorkspaceClients) else clients
