"""users.*: the workspace's people as Slack describes them."""

from __future__ import annotations

from bot.slacksim.state import JsonDict
from bot.slacksim.webapi.args import page
from bot.slacksim.webapi.errors import SlackError
from bot.slacksim.webapi.family import Handler, MethodFamily


class UserMethods(MethodFamily):
    """users.info, users.lookupByEmail and users.list."""

    def handlers(self) -> dict[str, Handler]:
        """Return the users.* methods by name."""
        return {
            "users.info": self.users_info,
            "users.list": self.users_list,
            "users.lookupByEmail": self.users_lookup_by_email,
        }

    def users_info(self, args: JsonDict) -> JsonDict:
        """users.info."""
        user = self._user(args["user"])
        return {"ok": True, "user": user.to_api(self.ws, self._now())}

    def users_lookup_by_email(self, args: JsonDict) -> JsonDict:
        """users.lookupByEmail (case-insensitive)."""
        email = str(args["email"]).lower()
        user = next((u for u in self.ws.users if (u.email or "").lower() == email), None)
        if user is None:
            raise SlackError("users_not_found")
        return {"ok": True, "user": user.to_api(self.ws, self._now())}

    def users_list(self, args: JsonDict) -> JsonDict:
        """users.list of the workspace's own members (bots and deactivated users included)."""
        now = self._now()
        members = [u for u in self.ws.users if not self.ws.is_external(u)]
        chunk, cursor = page(members, args, 0)
        return {
            "ok": True,
            "members": [u.to_api(self.ws, now) for u in chunk],
            "cache_ts": int(now),
            "response_metadata": {"next_cursor": cursor},
        }
