"""users.*: the workspace's people as Slack describes them."""

from __future__ import annotations

from bot.slacksim.state import JsonDict
from bot.slacksim.webapi.args import page
from bot.slacksim.webapi.errors import SlackError
from bot.slacksim.webapi.family import Handler, MethodFamily


class UserMethods(MethodFamily):
    """users.info, users.lookupByEmail, users.list, users.getPresence and users.profile.get."""

    def handlers(self) -> dict[str, Handler]:
        """Return the users.* methods by name."""
        return {
            "users.info": self.users_info,
            "users.list": self.users_list,
            "users.lookupByEmail": self.users_lookup_by_email,
            "users.getPresence": self.users_get_presence,
            "users.profile.get": self.users_profile_get,
        }

    def users_get_presence(self, args: JsonDict) -> JsonDict:
        """users.getPresence: another person's current presence only (`active` or `away`); the caller's own comes
        with how Slack worked it out."""
        own = self.ws.bot_user_id
        user = self._user(args.get("user") or own)
        presence = "away" if user.presence == "away" or user.deleted else "active"
        if user.id != own:
            return {"ok": True, "presence": presence}
        return {
            "ok": True,
            "presence": presence,
            "online": presence == "active",
            "auto_away": False,
            "manual_away": presence == "away",
            "connection_count": 1 if presence == "active" else 0,
            "last_activity": int(self._now()),
        }

    def users_profile_get(self, args: JsonDict) -> JsonDict:
        """users.profile.get: the profile users.info carries, status fields included."""
        user = self._user(args.get("user") or self.ws.bot_user_id)
        return {"ok": True, "profile": user.profile_api(self.ws, self._now())}

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
