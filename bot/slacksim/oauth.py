"""OAuth v2 as Slack speaks it to an app's server: codes issued when a person approves an install in the browser,
exchanged at `oauth.v2.access` for a bot token of the workspace (or, org-wide, of the Enterprise Grid organisation).

The browser side (Slack's authorize page) is not simulated: `SlackSimulator.authorize` plays the person clicking
Allow and returns the code Slack would put in the redirect to the app's /slack/oauth_redirect. A workspace other than
the simulator's own is a sibling simulator (see SlackSimulator.add_workspace): the Web API is answered at one URL,
each call by the simulator whose bot token it carries.
"""

from __future__ import annotations

import base64
import dataclasses
import itertools
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from bot.slacksim.state import JsonDict
from bot.slacksim.workspace import SimWorkspace

APP_ID = "A0SIMAPP01"
# How long an issued bot token lives when token rotation is on (Slack: 12 hours).
ROTATING_TOKEN_SECONDS = 43_200


@dataclass(frozen=True)
class Grant:
    """What a person approved: the app's bot in a workspace, asked for by that person."""

    workspace: SimWorkspace
    bot_token: str
    user_id: str
    scopes: tuple[str, ...]
    org_wide: bool


class OAuthCodes:
    """Codes issued by approvals, each good for one exchange, checked against the app's client id and secret."""

    def __init__(self, *, client_id: str, client_secret: str, token_rotation: bool = False) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        # With token rotation on, a token lives this long and comes with a refresh token (Slack: 12 hours).
        self.token_rotation = token_rotation
        self.token_seconds = ROTATING_TOKEN_SECONDS
        # Told (old token, new token) when a refresh issues a token: its workspace accepts the new one too.
        self.rotated: Callable[[str, str], None] = lambda _old, _new: None
        self._lock = threading.Lock()
        self._codes: dict[str, Grant] = {}
        self._refresh_tokens: dict[str, Grant] = {}
        self._rotations = itertools.count(1)

    def issue(self, grant: Grant) -> str:
        """A fresh code for an approval."""
        code = f"sim-code-{uuid.uuid4().hex[:16]}"
        with self._lock:
            self._codes[code] = grant
        return code

    def exchange(self, args: JsonDict, authorization: str | None) -> JsonDict:
        """`oauth.v2.access`: the client's credentials (HTTP Basic, or client_id/client_secret arguments) and a code
        issued for it; answered as Slack documents it."""
        client_id, client_secret = _credentials(args, authorization)
        if client_id != self.client_id:
            return {"ok": False, "error": "invalid_client_id"}
        if client_secret != self.client_secret:
            return {"ok": False, "error": "bad_client_secret"}
        if args.get("grant_type") == "refresh_token":
            with self._lock:
                grant = self._refresh_tokens.pop(str(args.get("refresh_token") or ""), None)
            if grant is None:
                return {"ok": False, "error": "invalid_refresh_token"}
            fresh = f"{grant.bot_token.split('~')[0]}~{next(self._rotations)}"
            self.rotated(grant.bot_token, fresh)
            grant = dataclasses.replace(grant, bot_token=fresh)
        else:
            with self._lock:
                grant = self._codes.pop(str(args.get("code") or ""), None)
            if grant is None:
                return {"ok": False, "error": "invalid_code"}
        ws = grant.workspace
        enterprise = (
            {"id": ws.enterprise_id, "name": ws.external_teams.get(ws.enterprise_id, "")} if ws.enterprise_id else None
        )
        answer: JsonDict = {
            "ok": True,
            "access_token": grant.bot_token,
            "token_type": "bot",
            "scope": ",".join(grant.scopes),
            "bot_user_id": ws.bot_user_id,
            "app_id": APP_ID,
            "team": None if grant.org_wide else {"id": ws.team_id, "name": ws.team_name},
            "enterprise": enterprise,
            "is_enterprise_install": grant.org_wide,
            "authed_user": {"id": grant.user_id},
        }
        if self.token_rotation:
            refresh_token = f"xoxe-1-{uuid.uuid4().hex[:24]}"
            with self._lock:
                self._refresh_tokens[refresh_token] = grant
            answer["refresh_token"] = refresh_token
            answer["expires_in"] = self.token_seconds
        return answer


def _credentials(args: JsonDict, authorization: str | None) -> tuple[str, str]:
    if authorization and authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:].strip()).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return "", ""
        client_id, _, client_secret = decoded.partition(":")
        return client_id, client_secret
    return str(args.get("client_id") or ""), str(args.get("client_secret") or "")
