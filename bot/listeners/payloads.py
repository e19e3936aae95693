"""Reading slash commands and interactive payloads into plain values: blank or missing fields read as ""."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient


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

    def value(self, block_id: str, action_id: str, key: str = "value") -> Any:
        """One input of a submitted modal, by block, action and the key its kind of element uses."""
        values = _dict(_dict(self.view.get("state")).get("values"))
        return _dict(_dict(values.get(block_id)).get(action_id)).get(key)


def read_request(body: dict[str, Any], *, client: WebClient, bot_user_id: str | None = None) -> Request:
    """The request in a slash command's or interactive payload's body."""
    team_id, user_id = actor(body)
    return Request(
        kind=kind_of(body),
        team_id=team_id,
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
