"""What every family of Web API methods shares: the simulator's state and Slack's lookups and their errors."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from bot.slacksim.state import JsonDict, SimState
from bot.slacksim.webapi.errors import SlackError
from bot.slacksim.workspace import SimChannel, SimUser

Handler = Callable[[JsonDict], JsonDict]


class MethodFamily(ABC):
    """A group of Web API methods (chat.*, users.*, ...) working on a SimState under the simulator's lock."""

    def __init__(self, state: SimState) -> None:
        self.state = state
        self.ws = state.workspace

    @abstractmethod
    def handlers(self) -> dict[str, Handler]:
        """Return the methods this family answers, by Slack method name."""

    def _now(self) -> float:
        return self.state.clock()

    def _user(self, user_id: Any, error: str = "user_not_found") -> SimUser:
        user = self.ws.user(str(user_id))
        if user is None:
            raise SlackError(error)
        return user

    def _visible_channel(self, ref: Any) -> SimChannel:
        """Resolve a conversation the bot can see (private ones only when it is a member)."""
        ch = self.state.resolve(str(ref))
        if ch is None or (ch.is_private and not ch.is_im and not ch.bot_is_member):
            raise SlackError("channel_not_found")
        return ch

    def _message(self, ch: SimChannel, ts: Any) -> JsonDict:
        msg = self.state.find_message(ch.id, str(ts))
        if msg is None:
            raise SlackError("message_not_found")
        return msg
