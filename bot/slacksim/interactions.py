"""The Slack side of interactivity: slash commands, block actions, shortcuts and view submissions."""

from __future__ import annotations

import copy
import json
import threading
import urllib.parse
from typing import Any

from bot.slacksim.delivery import BotDelivery, Delivery
from bot.slacksim.response_urls import ResponseUrls
from bot.slacksim.state import SimLookupError, SimState


class InteractionDriver:
    """Builds the payloads Slack sends when people run commands or click, and delivers them to the bot."""

    def __init__(
        self,
        *,
        state: SimState,
        cond: threading.Condition,
        delivery: BotDelivery,
        response_urls: ResponseUrls,
        verification_token: str,
    ) -> None:
        self._state = state
        self._ws = state.workspace
        self._cond = cond
        self._delivery = delivery
        self._response_urls = response_urls
        self._verification_token = verification_token

    def slash_command(self, user: str, channel: str, command: str, text: str) -> Delivery:
        """A user runs a slash command in a channel."""
        ws = self._ws
        with self._cond:
            author = ws.user(user)
            if author is None:
                raise SimLookupError(f"unknown user {user!r}")
            ch = self._state.require_channel(channel)
            if ch.is_im:
                channel_name = "directmessage"
            elif ch.is_private:
                channel_name = "privategroup"
            else:
                channel_name = ch.name
            # Someone of another organisation, in a shared channel, runs it from their own team.
            fields = {
                "token": self._verification_token,
                "team_id": author.team(ws.team_id),
                "team_domain": ws.domain if not ws.is_external(author) else author.team(ws.team_id).lower(),
                "channel_id": ch.id,
                "channel_name": channel_name,
                "user_id": author.id,
                "user_name": author.name,
                "command": command,
                "text": text,
                "api_app_id": ws.api_app_id,
                "is_enterprise_install": "true" if ws.is_enterprise_install else "false",
                **({"enterprise_id": ws.enterprise_id} if ws.enterprise_id else {}),
                "response_url": self._response_urls.issue(ch.id, author.id),
                "trigger_id": self._state.new_trigger_id(author.id),
            }
        # A lone surrogate (Socket Mode's JSON carries one as "\\ud800") has no UTF-8 form: over HTTP its bytes go
        # percent-encoded as they are, and the receiver's UTF-8 decoding makes them U+FFFD.
        body = urllib.parse.urlencode(fields, errors="surrogatepass").encode()
        return self._delivery.deliver(
            "slash_commands",
            dict(fields),
            {"accepts_response_payload": True},
            body,
            "application/x-www-form-urlencoded",
        )

    def send_interactive(self, payload: dict[str, Any]) -> Delivery:
        """Deliver an interactive payload (block_actions, view_submission, ...), filling defaults."""
        ws = self._ws
        p = copy.deepcopy(payload)
        with self._cond:
            p.setdefault("type", "block_actions")
            user = p.get("user")
            if isinstance(user, str):
                user = {"id": user}
            if not isinstance(user, dict) or not user.get("id"):
                first = next(u for u in ws.users if not u.is_bot and not ws.is_external(u))
                user = {"id": first.id}
            known = ws.user(user["id"])
            if known is not None:
                user.setdefault("username", known.name)
                user.setdefault("name", known.name)
                user.setdefault("team_id", known.team(ws.team_id))
            p["user"] = user
            # From a shared channel, `team` is the clicking person's own team (Bolt then reads it as context.team_id).
            if known is not None and ws.is_external(known):
                p.setdefault("team", {"id": known.team(ws.team_id), "domain": known.team(ws.team_id).lower()})
            p.setdefault("team", {"id": ws.team_id, "domain": ws.domain})
            p.setdefault("api_app_id", ws.api_app_id)
            p.setdefault("token", self._verification_token)
            p.setdefault("is_enterprise_install", ws.is_enterprise_install)
            p.setdefault("enterprise", {"id": ws.enterprise_id} if ws.enterprise_id else None)
            p.setdefault("trigger_id", self._state.new_trigger_id(user["id"]))
            view = p.get("view")
            if isinstance(view, dict):
                stored = self._state.views.get(str(view.get("id"))) or next(
                    (v for v in self._state.home_views.values() if v["id"] == view.get("id")), None
                )
                if stored is not None:
                    merged = {k: copy.deepcopy(v) for k, v in stored.items() if not k.startswith("_")}
                    merged.update(view)
                    view = merged
                view.setdefault("team_id", ws.team_id)
                view.setdefault("app_id", ws.api_app_id)
                view.setdefault("bot_id", ws.bot_id)
                view.setdefault("state", {"values": {}})
                p["view"] = view
            if p["type"] == "view_submission":
                p.setdefault("response_urls", [])
            channel = p.get("channel")
            channel_id = channel.get("id") if isinstance(channel, dict) else channel
            if p["type"] in ("block_actions", "message_action") and "response_url" not in p and channel_id:
                container, message = p.get("container"), p.get("message")
                message_ts = (container.get("message_ts") if isinstance(container, dict) else None) or (
                    message.get("ts") if isinstance(message, dict) else None
                )
                p["response_url"] = self._response_urls.issue(str(channel_id), user["id"], message_ts)
        body = urllib.parse.urlencode({"payload": json.dumps(p)}).encode()
        return self._delivery.deliver(
            "interactive", p, {"accepts_response_payload": True}, body, "application/x-www-form-urlencoded"
        )
