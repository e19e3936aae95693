"""views.*: modals opened from a trigger, updated in place, and each user's App Home."""

from __future__ import annotations

import copy
import uuid

from bot.slacksim.state import JsonDict
from bot.slacksim.webapi.blockkit import validate_view
from bot.slacksim.webapi.errors import SlackError, invalid_arguments, missing
from bot.slacksim.webapi.family import Handler, MethodFamily


class ViewMethods(MethodFamily):
    """views.open, views.push, views.update and views.publish."""

    def handlers(self) -> dict[str, Handler]:
        """Return the views.* methods by name; views.open and views.push answer alike."""
        return {
            "views.open": self.views_open,
            "views.publish": self.views_publish,
            # The simulator keeps no modal stack, so pushing a modal is opening one.
            "views.push": self.views_open,
            "views.update": self.views_update,
        }

    def views_open(self, args: JsonDict) -> JsonDict:
        """views.open (and views.push): a new modal, with a trigger the simulator issued."""
        user = self._trigger(args)
        view = validate_view(args["view"])
        if view.get("type") != "modal":
            raise invalid_arguments("[ERROR] must be one of modal [json-pointer:/view/type]")
        rendered = self._render_view(view, self.state.next_id("V", 10))
        rendered["_user"] = user
        self.state.views[rendered["id"]] = rendered
        return {"ok": True, "view": _public_view(rendered)}

    def views_update(self, args: JsonDict) -> JsonDict:
        """views.update by view_id or external_id, honouring hash."""
        view_id = args.get("view_id")
        external_id = args.get("external_id")
        if not view_id and not external_id:
            raise missing("view_id")
        if view_id:
            current = self.state.views.get(str(view_id))
        else:
            current = next((v for v in self.state.views.values() if v.get("external_id") == external_id), None)
        if current is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != current.get("hash"):
            raise SlackError("hash_conflict")
        view = validate_view(args["view"])
        rendered = self._render_view(view, current["id"], previous=current)
        rendered["_user"] = current.get("_user")
        self.state.views[rendered["id"]] = rendered
        return {"ok": True, "view": _public_view(rendered)}

    def views_publish(self, args: JsonDict) -> JsonDict:
        """views.publish of a user's App Home."""
        user = self._user(args["user_id"])
        view = validate_view(args["view"])
        if view.get("type") != "home":
            raise invalid_arguments("[ERROR] must be one of home [json-pointer:/view/type]")
        current = self.state.home_views.get(user.id)
        if current is not None and args.get("hash") and args["hash"] != current.get("hash"):
            raise SlackError("hash_conflict")
        view_id = current["id"] if current is not None else self.state.next_id("V", 10)
        rendered = self._render_view(view, view_id, previous=current)
        self.state.home_views[user.id] = rendered
        return {"ok": True, "view": copy.deepcopy(rendered)}

    def _render_view(self, view: JsonDict, view_id: str, previous: JsonDict | None = None) -> JsonDict:
        ws = self.ws
        base: JsonDict = {
            "id": view_id,
            "team_id": ws.team_id,
            "type": view.get("type"),
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": {}},
            "hash": "",
            "title": None,
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": None,
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": ws.api_app_id,
            "external_id": "",
            "app_installed_team_id": ws.team_id,
            "bot_id": ws.bot_id,
        }
        if previous is not None:
            for key in ("previous_view_id", "root_view_id", "state"):
                base[key] = previous.get(key, base[key])
        rendered = {**base, **copy.deepcopy(view)}
        rendered["id"] = view_id
        rendered["hash"] = f"{int(self._now())}.{uuid.uuid4().hex[:8]}"
        if rendered.get("external_id"):
            for other in self.state.views.values():
                if other["id"] != view_id and other.get("external_id") == rendered["external_id"]:
                    raise SlackError("duplicate_external_id")
        return rendered

    def _trigger(self, args: JsonDict) -> str | None:
        """The user a trigger was issued to; Slack's trigger ids work once, within 3 seconds of the click."""
        trigger = str(args["trigger_id"])
        if trigger not in self.state.triggers:
            raise SlackError("invalid_trigger_id")
        issued = self.state.trigger_issued.get(trigger, self._now())
        if trigger in self.state.triggers_used or self._now() - issued >= self.state.trigger_lifetime:
            raise SlackError("expired_trigger_id")
        self.state.triggers_used.add(trigger)
        return self.state.triggers[trigger]


def _public_view(view: JsonDict) -> JsonDict:
    return {k: copy.deepcopy(v) for k, v in view.items() if not k.startswith("_")}
