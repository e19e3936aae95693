"""Reading slash commands and interactive payloads into plain values: blank or missing fields read as "".

Every payload is made storable first, in one place on the way in (`StorableText`, the app's first middleware of
its own): no string anyone sent reaches the database with a NUL or a lone surrogate in it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient

from bot.domain.messages import is_slack_ts

# What no database stores: NUL (PostgreSQL refuses it in text) and lone UTF-16 surrogates (JSON's "\ud800" escape
# decodes to one; it has no UTF-8 form, so neither driver can send it). Each becomes U+FFFD.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# How JSON text writes them: as escapes, the only way (a raw control character is not JSON; UTF-8 has no surrogates).
_ESCAPED_UNSTORABLE = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
REPLACEMENT = "\ufffd"


def storable(text: str) -> str:
    """The text with every NUL and lone surrogate replaced by U+FFFD (the same string when there is none)."""
    return _UNSTORABLE.sub(REPLACEMENT, text) if _UNSTORABLE.search(text) is not None else text


def make_storable(value: Any) -> Any:
    """A parsed payload with every string in it, keys included, made `storable`: changed in place, and returned.

    The depth is bounded by the transport (`bot.app` refuses bodies nested deeper than MAX_JSON_DEPTH).
    """
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, list):
        for index, item in enumerate(value):
            clean = make_storable(item)
            if clean is not item:
                value[index] = clean
    elif isinstance(value, dict):
        for key, item in value.items():
            clean = make_storable(item)
            if clean is not item:
                value[key] = clean  # replacing a value while iterating is safe: the keys do not change
        for key in [k for k in value if isinstance(k, str) and _UNSTORABLE.search(k) is not None]:
            value[storable(key)] = value.pop(key)
    return value


class StorableText(Middleware):
    """Make every request's payload (and the IDs Bolt read from it into the context) storable before any listener
    runs, on both transports: the one place user text is cleaned on its way to the database."""

    @property
    def name(self) -> str:
        """The name Bolt logs for this middleware."""
        return "StorableText"

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        if _may_hold_unstorable(req):
            make_storable(req.body)
            for key, value in list(req.context.items()):
                if isinstance(value, str):
                    req.context[key] = storable(value)
        return next()


def _may_hold_unstorable(req: BoltRequest) -> bool:
    """Whether the payload may hold a NUL or a lone surrogate, told from its JSON text (the raw body, or the payload
    written out again) at the C speed of a regular expression: nearly every payload has none, and walking each
    one's strings would cost more than parsing it did."""
    text = req.raw_body if req.content_type == "application/json" else ""
    return _ESCAPED_UNSTORABLE.search(text or json.dumps(req.body)) is not None


# The largest row id either database can hold (a signed 64-bit integer), and so its number of digits.
MAX_ROW_ID = 2**63 - 1
_ROW_ID_DIGITS = len(str(MAX_ROW_ID))


def row_id(text: str) -> int | None:
    """The row id a button value or block id names ("12"); None for anything no row can have: other characters
    (signs, spaces, "²" and other non-ASCII digits), zero, or a number past MAX_ROW_ID."""
    if not text.isascii() or not text.isdigit() or len(text) > _ROW_ID_DIGITS:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ROW_ID else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def kind_of(body: dict[str, Any]) -> str:
    """What Slack sent: "command", or the payload's type ("block_actions", "view_submission", "event_callback"…)."""
    return _text(body.get("type")) or ("command" if "command" in body else "request")


def actor(body: dict[str, Any]) -> tuple[str, str]:
    """(team id, user id) of the person behind a slash command or an interaction; blanks when Slack left them out."""
    user = _dict(body.get("user"))
    submitted = _dict(body.get("view")) if body.get("type") == "view_submission" else {}
    team_id = (
        _text(body.get("team_id"))
        or _text(submitted.get("team_id"))
        or _text(_dict(body.get("team")).get("id"))
        or _text(user.get("team_id"))
    )
    return team_id, _text(user.get("id")) or _text(body.get("user_id"))


def installed_team(context: Mapping[str, Any], body: dict[str, Any]) -> str:
    """The installed workspace a request is for: the one Bolt authorised it as (auth.test's team, or the
    installation's), else Bolt's `context.team_id`, else the payload's team.

    Not the payload's team first: from a Slack Connect channel, a command's `team_id` and an interaction's `team`
    may name the person's own organisation rather than the workspace that installed Rapport.
    """
    authorized = context.get("authorize_result")
    team = getattr(authorized, "team_id", None) or context.get("team_id")
    if context.get("is_enterprise_install") is True:  # an org-wide install: the token is the organisation's
        team = context.get("team_id") or team
    return team if isinstance(team, str) and team else actor(body)[0]


def channel_of(body: dict[str, Any]) -> str:
    """The channel a slash command was typed in or a click or shortcut happened in; "" for none (Home tab, modals)."""
    return (
        _text(body.get("channel_id"))
        or _text(_dict(body.get("channel")).get("id"))
        or _text(_dict(body.get("container")).get("channel_id"))
    )


def response_url_of(body: dict[str, Any]) -> str:
    """Where to answer the person later: the payload's response_url (a modal's first, if it asked for one)."""
    urls = body.get("response_urls")
    first = _dict(urls[0]) if isinstance(urls, list) and urls else {}
    return _text(body.get("response_url")) or _text(first.get("response_url"))


def first_action(body: dict[str, Any]) -> dict[str, Any]:
    """The clicked element of a block action."""
    actions = body.get("actions")
    return _dict(actions[0]) if isinstance(actions, list) and actions else {}


@dataclass(frozen=True, eq=False)
class Request:
    """One person's slash command, click, modal submission or shortcut, and the Web API client to act on it."""

    kind: str
    team_id: str
    user_id: str
    channel_id: str
    trigger_id: str
    response_url: str
    body: dict[str, Any]
    client: WebClient
    bot_user_id: str | None = None

    @property
    def text(self) -> str:
        """What was typed after a slash command."""
        return _text(self.body.get("text"))

    @property
    def action(self) -> dict[str, Any]:
        """The clicked element of a block action ({} for other requests)."""
        return first_action(self.body)

    @property
    def action_value(self) -> str:
        """The clicked button's value."""
        return _text(self.action.get("value"))

    @property
    def view(self) -> dict[str, Any]:
        """The view of a modal submission, or of the Home tab a click came from."""
        return _dict(self.body.get("view"))

    @property
    def message(self) -> dict[str, Any]:
        """The message a click or a message shortcut came from ({} for none)."""
        return _dict(self.body.get("message"))

    @property
    def metadata(self) -> str:
        """The private_metadata a submitted modal carries back."""
        return _text(self.view.get("private_metadata"))

    @property
    def in_view(self) -> bool:
        """Whether a click came from a view (the Home tab), where there is no message to update."""
        return _dict(self.body.get("container")).get("type") == "view"

    @property
    def clicked_message(self) -> tuple[str, str] | None:
        """The (channel, ts) of the message a click came from, if it can be updated later with chat.update: a
        message in a conversation, not an ephemeral one and not the Home tab."""
        container = _dict(self.body.get("container"))
        channel, ts = container.get("channel_id"), container.get("message_ts")
        if container.get("type") != "message" or container.get("is_ephemeral") or not is_slack_ts(ts):
            return None
        return (channel, str(ts)) if isinstance(channel, str) and channel else None

    def value(self, block_id: str, action_id: str, key: str = "value") -> Any:
        """One input of a submitted modal, by block, action and the key its kind of element uses."""
        values = _dict(_dict(self.view.get("state")).get("values"))
        return _dict(_dict(values.get(block_id)).get(action_id)).get(key)


def read_request(
    body: dict[str, Any], *, client: WebClient, bot_user_id: str | None = None, team_id: str = ""
) -> Request:
    """The request in a slash command's or interactive payload's body, for the installed workspace `team_id` (the
    payload's team when not given)."""
    person_team, user_id = actor(body)
    return Request(
        kind=kind_of(body),
        team_id=team_id or person_team,
        user_id=user_id,
        channel_id=channel_of(body),
        trigger_id=_text(body.get("trigger_id")),
        response_url=response_url_of(body),
        body=body,
        client=client,
        bot_user_id=bot_user_id,
    )


def request_ids(body: dict[str, Any]) -> dict[str, str]:
    """The kind and IDs of any request, for the log: never what anyone wrote, never a token."""
    team_id, user_id = actor(body)
    event, view = _dict(body.get("event")), _dict(body.get("view"))
    event_channel = event.get("channel")
    ids = {
        "kind": kind_of(body),
        "command": _text(body.get("command")),
        "callback_id": _text(body.get("callback_id")) or _text(view.get("callback_id")),
        "action_id": _text(first_action(body).get("action_id")),
        "event": _text(event.get("type")),
        "team": team_id or _text(event.get("team")),
        "user": user_id or _text(event.get("user")),
        "channel": channel_of(body) or _text(event_channel) or _text(_dict(event_channel).get("id")),
        "view_id": _text(view.get("id")),
        "trigger_id": _text(body.get("trigger_id")),
        "event_id": _text(body.get("event_id")),
    }
    return {key: value for key, value in ids.items() if value}
