"""team.info: the workspace and its Slack Connect partner teams."""

from __future__ import annotations

from bot.slacksim.state import JsonDict
from bot.slacksim.webapi.errors import SlackError
from bot.slacksim.webapi.family import Handler, MethodFamily


class TeamMethods(MethodFamily):
    """team.info."""

    def handlers(self) -> dict[str, Handler]:
        """Return the team.* methods by name."""
        return {"team.info": self.team_info}

    def team_info(self, args: JsonDict) -> JsonDict:
        """team.info for the workspace or a Slack Connect partner team."""
        ws = self.ws
        team_id = str(args.get("team") or ws.team_id)
        if team_id == ws.team_id:
            name, domain, email_domain = ws.team_name, ws.domain, ws.email_domain
        elif team_id in ws.external_teams:
            name = ws.external_teams[team_id]
            domain = name.lower().replace(" ", "-")
            email_domain = ""
        else:
            raise SlackError("team_not_found")
        icons = {
            f"image_{n}": f"https://a.slack-edge.com/sim/team_{team_id}_{n}.png"
            for n in (34, 44, 68, 88, 102, 132, 230)
        }
        return {
            "ok": True,
            "team": {
                "id": team_id,
                "name": name,
                "url": f"https://{domain}.slack.com/",
                "domain": domain,
                "email_domain": email_domain,
                "icon": {**icons, "image_default": True},
                "avatar_base_url": "https://ca.slack-edge.com/",
                "is_verified": False,
                "lob_sales_home_enabled": False,
                "is_sfdc_auto_slack": False,
            },
        }
