"""reactions.*: the bot adds and removes emoji reactions on stored messages."""

from __future__ import annotations

from bot.slacksim.state import JsonDict
from bot.slacksim.webapi.errors import SlackError
from bot.slacksim.webapi.family import Handler, MethodFamily


class ReactionMethods(MethodFamily):
    """reactions.add and reactions.remove."""

    def handlers(self) -> dict[str, Handler]:
        """Return the reactions.* methods by name."""
        return {
            "reactions.add": self.reactions_add,
            "reactions.remove": self.reactions_remove,
        }

    def reactions_add(self, args: JsonDict) -> JsonDict:
        """reactions.add by the bot."""
        ch = self._visible_channel(args["channel"])
        msg = self._message(ch, args["timestamp"])
        name = str(args["name"]).strip(":")
        reactions: list[JsonDict] = msg.setdefault("reactions", [])
        entry = next((r for r in reactions if r["name"] == name), None)
        if entry is None:
            entry = {"name": name, "users": [], "count": 0}
            reactions.append(entry)
        if self.ws.bot_user_id in entry["users"]:
            raise SlackError("already_reacted")
        entry["users"].append(self.ws.bot_user_id)
        entry["count"] = len(entry["users"])
        return {"ok": True}

    def reactions_remove(self, args: JsonDict) -> JsonDict:
        """reactions.remove by the bot."""
        ch = self._visible_channel(args["channel"])
        msg = self._message(ch, args["timestamp"])
        name = str(args["name"]).strip(":")
        reactions: list[JsonDict] = msg.get("reactions", [])
        entry = next((r for r in reactions if r["name"] == name), None)
        if entry is None or self.ws.bot_user_id not in entry["users"]:
            raise SlackError("no_reaction")
        entry["users"].remove(self.ws.bot_user_id)
        entry["count"] = len(entry["users"])
        if not entry["users"]:
            reactions.remove(entry)
        return {"ok": True}
