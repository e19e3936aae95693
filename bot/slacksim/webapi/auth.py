"""Who is calling: api.test (no token), auth.test for the bot token and apps.connections.open for the app-level
token."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from bot.slacksim.state import JsonDict, SimState
from bot.slacksim.webapi.family import Handler, MethodFamily


class AuthMethods(MethodFamily):
    """auth.test and apps.connections.open (which hands out a Socket Mode URL)."""

    def __init__(self, state: SimState, socket_url: Callable[[], str]) -> None:
        super().__init__(state)
        self._socket_url = socket_url

    def handlers(self) -> dict[str, Handler]:
        """Return the auth.test and apps.connections.open methods by name."""
        return {
            "api.test": self.api_test,
            "apps.connections.open": self.apps_connections_open,
            "auth.test": self.auth_test,
        }

    def api_test(self, args: JsonDict) -> JsonDict:
        """api.test: Slack answers, echoing the arguments."""
        return {"ok": True, "args": dict(args)}

    def auth_test(self, args: JsonDict) -> JsonDict:
        """auth.test for the bot token."""
        ws = self.ws
        return {
            "ok": True,
            "url": f"https://{ws.domain}.slack.com/",
            "team": ws.team_name,
            "user": ws.bot_name,
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "is_enterprise_install": False,
            **({"enterprise_id": ws.enterprise_id} if ws.enterprise_id else {}),
        }

    def apps_connections_open(self, args: JsonDict) -> JsonDict:
        """apps.connections.open: issue a Socket Mode URL with a fresh ticket."""
        ticket = str(uuid.uuid4())
        self.state.tickets.add(ticket)
        return {"ok": True, "url": f"{self._socket_url()}?ticket={ticket}"}
