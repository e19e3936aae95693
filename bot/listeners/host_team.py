"""Rapport acts for the workspace that installed it: people of another organisation (customers in a Slack Connect
channel) who run a command, a shortcut or a button get a polite line instead, and nothing else happens.

A Bolt middleware, so that no listener can forget it. Who someone is comes from their profile (see
`bot.services.profiles.person_kind`); when Slack cannot say, the payload's team of the person decides.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse, Respond
from slack_bolt.middleware import Middleware
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.blocks.errors import build_for_host_team, build_slack_error
from bot.blocks.results import build_result_view
from bot.domain.messages import is_slack_id
from bot.domain.people import Kind
from bot.listeners.payloads import actor, installed_team, kind_of, response_url_of
from bot.runtime.deps import Deps
from bot.services import profiles

log = logging.getLogger(__name__)

# What a person does by hand; events (which nobody answers) are judged by their listeners.
GUARDED_KINDS = frozenset({"command", "block_actions", "shortcut", "message_action", "view_submission"})


class HostTeamOnly(Middleware):
    """Answer people of another organisation politely and run nothing for them."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    @property
    def name(self) -> str:
        """The name Bolt logs for this middleware."""
        return "HostTeamOnly"

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        body, kind = req.body, kind_of(req.body)
        if kind not in GUARDED_KINDS:
            return next()
        team_id = installed_team(req.context, body)
        person_team, user_id = actor(body)
        if not is_slack_id(team_id) or not is_slack_id(user_id):
            return next()
        guess = Kind.EXTERNAL if is_slack_id(person_team) and person_team != team_id else Kind.STAFF
        client = req.context.client
        assert client is not None  # Bolt's authorization middleware has run
        try:
            found = profiles.person_kind(
                self._deps, client, team_id=team_id, user_id=user_id, fallback=guess, retry_busy=kind == "command"
            )
        except SlackApiError as error:  # Slack is busy and the person was never read: say so, guess nothing
            log.warning("%s from %s not run: users.info refused for now", kind, user_id)
            code = str(error.response.get("error") or "")
            return BoltResponse(status=200, body={"response_type": "ephemeral", **build_slack_error(code)})
        if found is Kind.STAFF:
            return next()
        log.info("%s from %s of another organisation answered with the host-team line", kind, user_id)
        return _answer(kind, body, req)


def _answer(kind: str, body: dict[str, Any], req: BoltRequest) -> BoltResponse:
    """The polite line, the way the surface shows it."""
    polite = build_for_host_team()
    if kind == "command":
        return BoltResponse(status=200, body={"response_type": "ephemeral", **polite})
    if kind == "view_submission":
        view = build_result_view("Rapport", polite)
        return BoltResponse(status=200, body={"response_action": "update", "view": view})
    try:
        if response_url_of(body):
            Respond(response_url=response_url_of(body))(response_type="ephemeral", replace_original=False, **polite)
        elif isinstance(body.get("trigger_id"), str) and req.context.client is not None:
            req.context.client.views_open(trigger_id=body["trigger_id"], view=build_result_view("Rapport", polite))
    except (SlackApiError, SlackClientError, OSError) as error:
        log.warning("could not tell %s that Rapport is for the host team: %s", kind, type(error).__name__)
    return BoltResponse(status=200, body="")
