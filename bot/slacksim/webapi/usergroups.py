"""usergroups.users.list: the members of a user group (`/kudos @support-team`)."""

from __future__ import annotations

from bot.slacksim.state import JsonDict
from bot.slacksim.webapi.errors import SlackError
from bot.slacksim.webapi.family import Handler, MethodFamily


class UsergroupMethods(MethodFamily):
    """usergroups.users.list."""

    def handlers(self) -> dict[str, Handler]:
        """Return the usergroups.* methods by name."""
        return {"usergroups.users.list": self.usergroups_users_list}

    def usergroups_users_list(self, args: JsonDict) -> JsonDict:
        """The members of a user group, as Slack answers: {"ok": true, "users": ["U…", …]}; a disabled group
        answers only with include_disabled."""
        if not self.ws.usergroups_on_plan:
            raise SlackError("plan_upgrade_required")  # a free workspace has no user groups
        group = self.ws.usergroups.get(str(args["usergroup"]))
        include_disabled = str(args.get("include_disabled", "")).lower() in ("1", "true")
        if group is None or (group.disabled and not include_disabled):
            raise SlackError("no_such_subteam")
        return {"ok": True, "users": list(group.users)}
