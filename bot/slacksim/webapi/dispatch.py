"""The Web API as one table: which methods the simulator answers, what each requires, and who answers it."""

from __future__ import annotations

from collections.abc import Callable

from bot.slacksim.state import JsonDict, SimState
from bot.slacksim.webapi.auth import AuthMethods
from bot.slacksim.webapi.chat import ChatMethods
from bot.slacksim.webapi.conversations import ConversationMethods
from bot.slacksim.webapi.errors import SlackError, missing
from bot.slacksim.webapi.family import Handler
from bot.slacksim.webapi.reactions import ReactionMethods
from bot.slacksim.webapi.team import TeamMethods
from bot.slacksim.webapi.usergroups import UsergroupMethods
from bot.slacksim.webapi.users import UserMethods
from bot.slacksim.webapi.views import ViewMethods

# Arguments each method insists on; the spec-conformance test checks every one is declared by Slack's OpenAPI.
REQUIRED_ARGS: dict[str, tuple[str, ...]] = {
    "api.test": (),
    "apps.connections.open": (),
    "auth.test": (),
    "chat.delete": ("channel", "ts"),
    "chat.getPermalink": ("channel", "message_ts"),
    "chat.postEphemeral": ("channel", "user"),
    "chat.postMessage": ("channel",),
    "chat.update": ("channel", "ts"),
    "conversations.history": ("channel",),
    "conversations.info": ("channel",),
    "conversations.join": ("channel",),
    "conversations.list": (),
    "conversations.members": ("channel",),
    "conversations.open": (),  # needs channel or users; checked in the handler
    "conversations.replies": ("channel", "ts"),
    "reactions.add": ("channel", "timestamp", "name"),
    "reactions.remove": ("channel", "timestamp", "name"),
    "team.info": (),
    "usergroups.users.list": ("usergroup",),
    "users.getPresence": (),  # `user` defaults to the caller
    "users.info": ("user",),
    "users.list": (),
    "users.lookupByEmail": ("email",),
    "users.profile.get": (),  # `user` defaults to the caller
    "views.open": ("trigger_id", "view"),
    "views.publish": ("user_id", "view"),
    "views.push": ("trigger_id", "view"),
    "views.update": ("view",),  # plus view_id or external_id; checked in the handler
}

SUPPORTED_METHODS: tuple[str, ...] = tuple(sorted(REQUIRED_ARGS))

# The bot scopes each method needs (any one of them), as Slack documents them; methods absent need none.
REQUIRED_SCOPES: dict[str, tuple[str, ...]] = {
    "chat.delete": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "conversations.join": ("channels:join",),
    "conversations.list": ("channels:read", "groups:read", "im:read", "mpim:read"),
    "conversations.open": ("im:write", "mpim:write"),
    "reactions.add": ("reactions:write",),
    "reactions.remove": ("reactions:write",),
    "team.info": ("team:read",),
    "usergroups.users.list": ("usergroups:read",),
    "users.getPresence": ("users:read",),
    "users.info": ("users:read",),
    "users.list": ("users:read",),
    "users.lookupByEmail": ("users:read.email",),
    "users.profile.get": ("users.profile:read",),
}
# Methods on one conversation need the scope of its kind: "channels:history" for a public channel, and so on.
CONVERSATION_SCOPES: dict[str, str] = {
    "conversations.history": "history",
    "conversations.replies": "history",
    "conversations.info": "read",
    "conversations.members": "read",
}
_SCOPE_PREFIX = {"channel": "channels", "group": "groups", "im": "im", "mpim": "mpim"}


class WebApi:
    """Implements each Web API method on top of a SimState (caller holds the simulator lock)."""

    def __init__(self, state: SimState, socket_url: Callable[[], str]) -> None:
        self._state = state
        self._chat = ChatMethods(state)
        families = (
            AuthMethods(state, socket_url),
            self._chat,
            ConversationMethods(state),
            ReactionMethods(state),
            TeamMethods(state),
            UsergroupMethods(state),
            UserMethods(state),
            ViewMethods(state),
        )
        self.handlers: dict[str, Handler] = {}
        for family in families:
            self.handlers.update(family.handlers())

    def call(self, method: str, args: JsonDict) -> JsonDict:
        """Run one method (already authenticated) and return its JSON body; SlackError on failure."""
        handler = self.handlers.get(method)
        if handler is None:
            raise SlackError("unknown_method", req_method=method)
        for name in REQUIRED_ARGS.get(method, ()):
            if args.get(name) in (None, ""):
                raise missing(name)
        return handler(args)

    def needed_scopes(self, method: str, args: JsonDict) -> tuple[str, ...]:
        """The scopes `method` needs, any one of them (none if it needs none, or its channel is unknown)."""
        kind = CONVERSATION_SCOPES.get(method)
        if kind is None:
            return REQUIRED_SCOPES.get(method, ())
        channel = self._state.resolve(str(args.get("channel") or ""))
        return (f"{_SCOPE_PREFIX[channel.channel_type]}:{kind}",) if channel is not None else ()

    def post_message_channel_key(self, args: JsonDict) -> str | None:
        """Return the channel id a chat.postMessage counts against (a user id counts as their DM)."""
        return self._chat.post_message_channel_key(args)
