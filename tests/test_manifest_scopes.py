"""The manifest asks for exactly the scopes Rapport uses: derived from a table of the Web API methods the code calls
and the events it subscribes to, each mapped to the bot scopes Slack documents for it."""

from __future__ import annotations

import ast
import inspect
import json
import re
from functools import cache
from pathlib import Path

from slack_sdk import WebClient

from bot.manifest import BOT_EVENTS, BOT_SCOPES, build_manifest
from bot.slacksim import SimWorkspace
from tests.conftest import PROJECT_ROOT, SLACK_FIXTURES

# Every Web API method Rapport calls, and the bot scopes it needs for what Rapport does with it. Where a method
# works on public and private channels alike (Rapport is invited to both), it needs both kinds of scope.
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "apps.connections.open": (),  # Socket Mode, with the app-level token (connections:write, not a bot scope)
    "auth.test": (),
    "chat.delete": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.postMessage": ("chat:write",),  # DMs too: `channel` is the user ID, so no im:write
    "chat.update": ("chat:write",),
    "conversations.history": ("channels:history", "groups:history"),  # the message someone reacted to
    "conversations.info": ("channels:read", "groups:read"),  # is Rapport in the stories channel
    "conversations.replies": ("channels:history", "groups:history"),  # ... when it is a thread reply
    "reactions.add": ("reactions:write",),  # the story emoji on each shout-out, for others to add theirs
    "usergroups.users.list": ("usergroups:read",),  # `/kudos @support-team` credits each member
    "users.getPresence": ("users:read",),  # an owner away in Slack: the customer's backup is alerted too
    "users.info": ("users:read",),
    "users.list": ("users:read",),  # the workspace's timezone: its primary owner's, else its people's most common
    "users.lookupByEmail": ("users:read.email",),  # `rapport customers import` owners given by email
    "users.profile.get": ("users.profile:read",),  # an owner's status (":palm_tree: On vacation")
    "views.open": (),
    "views.publish": (),
    "views.update": (),  # Newer and Older in a customer's history
}
# The Slack calls Rapport makes without naming them: slack_bolt's SocketModeHandler opens its connection.
CALLED_BY_LIBRARIES = frozenset({"apps.connections.open"})

# Every event the manifest subscribes to and the scope Slack requires for it (docs.slack.dev/reference/events).
EVENT_SCOPES: dict[str, tuple[str, ...]] = {
    "app_home_opened": (),
    "app_uninstalled": (),
    "channel_left": ("channels:read",),
    "group_left": ("groups:read",),
    "member_joined_channel": ("channels:read", "groups:read"),  # public, and private, channels
    "member_left_channel": ("channels:read", "groups:read"),
    "message.channels": ("channels:history",),
    "message.groups": ("groups:history",),
    "reaction_added": ("reactions:read",),
    "reaction_removed": ("reactions:read",),
    "tokens_revoked": (),
}

# Slash commands and shortcuts need the `commands` scope.
FEATURE_SCOPES: dict[str, tuple[str, ...]] = {"slash_commands": ("commands",), "shortcuts": ("commands",)}

# Code that talks to Slack on the app's behalf; the simulator implements methods and the demo watches it.
APP_SOURCES = [
    path
    for path in sorted((PROJECT_ROOT / "bot").rglob("*.py"))
    if "slacksim" not in path.parts and path.name != "demo.py"
]


@cache
def _known_methods() -> frozenset[str]:
    tiers = json.loads((SLACK_FIXTURES / "rate_limit_tiers.json").read_text())
    openapi = json.loads((SLACK_FIXTURES / "web-api-openapi-v2.json").read_text())
    return frozenset(tiers) | {path.strip("/") for path in openapi["paths"]}


@cache
def _sdk_method(attribute: str) -> str | None:
    """The Slack method a WebClient method (`conversations_info`) calls (`conversations.info`)."""
    function = getattr(WebClient, attribute, None)
    if function is None or attribute.startswith("_") or not callable(function):
        return None
    found = re.findall(r'api_call\(\s*"([\w.]+)"', inspect.getsource(function))
    return found[0] if found else None


def _methods_called(path: Path) -> set[str]:
    """Slack methods named in a file: `client.users_info(...)` calls and method names as string literals."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = _sdk_method(node.func.attr)
            if method is not None and node.func.attr != "api_call":
                found.add(method)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in _known_methods():
            found.add(node.value)
    return found


def _events_handled() -> set[str]:
    """The event types the listeners register for (`on_event(app, "reaction_added", ...)`)."""
    found: set[str] = set()
    for path in APP_SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "on_event"
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
            ):
                found.add(str(node.args[1].value))
    return found


def _needed_scopes() -> set[str]:
    manifest = build_manifest()
    needed = {scope for scopes in METHOD_SCOPES.values() for scope in scopes}
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    needed |= {scope for event in events for scope in EVENT_SCOPES[event]}
    needed |= {scope for feature, scopes in FEATURE_SCOPES.items() if manifest["features"][feature] for scope in scopes}
    return needed


def test_the_method_table_lists_every_method_the_code_calls() -> None:
    called = set().union(*(_methods_called(path) for path in APP_SOURCES))
    assert called, "the scan found no Slack method at all"
    assert called - set(METHOD_SCOPES) == set(), "add these methods, with their scopes, to METHOD_SCOPES"
    assert set(METHOD_SCOPES) - called - CALLED_BY_LIBRARIES == set(), "METHOD_SCOPES lists methods nothing calls"


def test_the_method_table_agrees_with_slacks_openapi() -> None:
    openapi = json.loads((SLACK_FIXTURES / "web-api-openapi-v2.json").read_text())["paths"]
    for method, scopes in METHOD_SCOPES.items():
        if f"/{method}" not in openapi:
            assert method == "apps.connections.open", method  # newer than the frozen description
            continue
        [operation] = openapi[f"/{method}"].values()
        documented = {scope.removesuffix(":bot") for scope in operation["security"][0]["slackAuth"]} - {"none"}
        assert set(scopes) <= documented, (method, scopes, documented)
        assert bool(scopes) == bool(documented), (method, documented)


def test_every_event_handled_is_subscribed_and_every_subscription_handled() -> None:
    handled = _events_handled()
    subscribed = {event.split(".")[0] for event in BOT_EVENTS}
    assert handled == subscribed, (handled, subscribed)
    assert set(BOT_EVENTS) == set(EVENT_SCOPES)


def test_the_manifest_asks_for_exactly_the_scopes_used() -> None:
    assert sorted(BOT_SCOPES) == sorted(_needed_scopes())
    assert len(set(BOT_SCOPES)) == len(BOT_SCOPES)
    assert build_manifest()["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    for unused in ("app_mentions:read", "im:write", "team:read"):
        assert unused not in BOT_SCOPES


def test_the_simulated_install_granted_what_the_manifest_asks_for() -> None:
    assert sorted(SimWorkspace.default().bot_scopes) == sorted(BOT_SCOPES)
