"""SlackSimulator: one local Slack, composed of its parts.

The parts, one concern per module: `httpserver` (the HTTP server) hands /api/ requests to `endpoint` (parse,
authenticate, `faults`, rate limits, dispatch to `webapi`, `recording`) and response_url posts to
`response_urls`; `socketmode` is the WebSocket server; `events` and `interactions` play the Slack side towards
the bot and send through `delivery` (Socket Mode when a client is connected, else signed HTTP). They share one
`SimState` and one lock; this class wires them and keeps the public API in one place.
"""

from __future__ import annotations

import copy
import itertools
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from bot.slacksim.delivery import BotDelivery, Delivery
from bot.slacksim.endpoint import WebApiEndpoint
from bot.slacksim.events import EventDriver
from bot.slacksim.faults import Faults
from bot.slacksim.httpserver import HttpServer
from bot.slacksim.interactions import InteractionDriver
from bot.slacksim.oauth import Grant, OAuthCodes
from bot.slacksim.recording import ApiCall, CallLog
from bot.slacksim.response_urls import ResponseUrls
from bot.slacksim.socketmode import SocketModeServer
from bot.slacksim.state import SimState
from bot.slacksim.webapi import WebApi
from bot.slacksim.workspace import SimUser, SimWorkspace


class SlackSimulator:
    """A local Slack: Web API over HTTP, Socket Mode over WebSocket, and helpers that drive a bot."""

    def __init__(
        self,
        workspace: SimWorkspace | None = None,
        signing_secret: str = "sim-signing-secret",
        bot_token: str = "xoxb-sim-token",
        app_token: str = "xapp-sim-token",
        port: int = 0,
        socket_port: int = 0,
        *,
        host: str = "127.0.0.1",
        verification_token: str = "sim-verification-token",
        client_id: str = "sim-client-id",
        client_secret: str = "sim-client-secret",
    ) -> None:
        self._workspace = workspace if workspace is not None else SimWorkspace.default()
        self._signing_secret = signing_secret
        self._bot_token = bot_token
        self._app_token = app_token
        self._verification_token = verification_token
        self._host = host
        self.oauth = OAuthCodes(client_id=client_id, client_secret=client_secret)
        self.oauth.rotated = self._token_rotated
        # Other workspaces of the same Slack (sibling simulators), by their bot token: see add_workspace.
        self._siblings: dict[str, SlackSimulator] = {}
        # One lock guards all state; its condition wakes whoever waits for calls or connections.
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._state = SimState(self._workspace, time.time)
        self._log = CallLog(self._cond)
        self._faults = Faults(self._cond)
        self._sockets = SocketModeServer(state=self._state, cond=self._cond, host=host, port=socket_port)
        self._endpoint = endpoint = WebApiEndpoint(
            state=self._state,
            cond=self._cond,
            api=WebApi(self._state, lambda: self._sockets.link),
            faults=self._faults,
            log=self._log,
            bot_token=bot_token,
            app_token=app_token,
            oauth=self.oauth,
            peer=self._sibling_endpoint,
        )
        # Event ids and response_url keys count from one sequence.
        ids = itertools.count(1)
        response_urls = ResponseUrls(state=self._state, cond=self._cond, base_url=lambda: self.base_url, ids=ids)
        self._http = HttpServer(
            host=host,
            port=port,
            api=endpoint.handle,
            response_url=response_urls.receive,
            clock=lambda: self._state.clock(),
        )
        self._delivery = BotDelivery(sockets=self._sockets, cond=self._cond, signing_secret=signing_secret)
        self._events = EventDriver(
            state=self._state,
            cond=self._cond,
            delivery=self._delivery,
            verification_token=verification_token,
            ids=ids,
        )
        self._interactions = InteractionDriver(
            state=self._state,
            cond=self._cond,
            delivery=self._delivery,
            response_urls=response_urls,
            verification_token=verification_token,
        )
        self._running = False

    # --- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> SlackSimulator:
        """Bind the HTTP and Socket Mode servers and serve them on daemon threads."""
        if self._running:
            return self
        self._http.bind()
        try:
            self._sockets.bind()
        except BaseException:
            self._http.close()
            raise
        self._running = True
        self._http.serve()
        self._sockets.serve()
        return self

    def stop(self) -> None:
        """Close every connection and stop both servers."""
        if not self._running:
            return
        self._running = False
        for sibling in list(self._siblings.values()):
            sibling.stop()
        self._sockets.stop()
        self._http.stop()

    def __enter__(self) -> SlackSimulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- OAuth and other workspaces -------------------------------------------------------------------

    def add_workspace(self, workspace: SimWorkspace, *, bot_token: str) -> SlackSimulator:
        """Another workspace of this Slack, started: its own people, channels, messages and bot token, answered at
        this simulator's Web API URL (by the token a call carries) and sending its events to the app signed with the
        same secret. Stopped with this one."""
        sibling = SlackSimulator(
            workspace,
            signing_secret=self._signing_secret,
            bot_token=bot_token,
            app_token=self._app_token,
            host=self._host,
            verification_token=self._verification_token,
        ).start()
        sibling.oauth = self.oauth  # its approvals are exchanged here, at the one Web API URL
        with self._lock:
            self._siblings[bot_token] = sibling
        return sibling

    def authorize(self, *, user: str = "U0DANA", scopes: list[str] | None = None, org_wide: bool = False) -> str:
        """A person approves the app's install into this simulator's workspace (a sibling's, when called on it)
        on Slack's authorize page: the `code` Slack puts in its redirect to the app. Exchanged once at
        oauth.v2.access on the main simulator."""
        grant = Grant(
            workspace=self._workspace,
            bot_token=self._bot_token,
            user_id=user,
            scopes=tuple(scopes if scopes is not None else self.bot_scopes),
            org_wide=org_wide,
        )
        if org_wide:
            with self._lock:
                self._workspace.is_enterprise_install = True
        return self.oauth.issue(grant)

    def _token_rotated(self, old: str, new: str) -> None:
        """A refresh issued `new` for the bot whose token was `old`: its workspace (this one or a sibling) takes it."""
        with self._lock:
            sibling = self._siblings.get(old)
            if sibling is not None:
                self._siblings[new] = sibling
        (sibling._endpoint if sibling is not None else self._endpoint).add_bot_token(new)

    def _sibling_endpoint(self, token: str | None) -> WebApiEndpoint | None:
        with self._lock:
            sibling = self._siblings.get(token or "")
        return sibling._endpoint if sibling is not None else None

    # --- configuration -------------------------------------------------------------------------------

    @property
    def workspace(self) -> SimWorkspace:
        """The fake workspace being served (add users and channels to it freely)."""
        return self._workspace

    @property
    def signing_secret(self) -> str:
        """The secret HTTP deliveries are signed with."""
        return self._signing_secret

    @property
    def bot_token(self) -> str:
        """The bot token (xoxb-) the Web API accepts."""
        return self._bot_token

    @property
    def app_token(self) -> str:
        """The app-level token (xapp-) apps.connections.open accepts."""
        return self._app_token

    @property
    def verification_token(self) -> str:
        """The legacy verification token put in payloads."""
        return self._verification_token

    @property
    def host(self) -> str:
        """The interface both servers listen on."""
        return self._host

    @property
    def ack_timeout(self) -> float:
        """Seconds to wait for a Socket Mode acknowledgement."""
        return self._sockets.ack_timeout

    @ack_timeout.setter
    def ack_timeout(self, value: float) -> None:
        self._sockets.ack_timeout = value

    @property
    def http_timeout(self) -> float:
        """Seconds to wait for the bot to answer an HTTP delivery."""
        return self._delivery.http_timeout

    @http_timeout.setter
    def http_timeout(self, value: float) -> None:
        self._delivery.http_timeout = value

    @property
    def port(self) -> int:
        """The bound HTTP port."""
        return self._http.port

    @property
    def socket_port(self) -> int:
        """The bound Socket Mode (WebSocket) port."""
        return self._sockets.port

    @property
    def base_url(self) -> str:
        """http://HOST:PORT of the HTTP server."""
        return self._http.base_url

    @property
    def api_url(self) -> str:
        """The Web API base URL to pass as WebClient(base_url=...)."""
        return f"{self.base_url}/api/"

    @property
    def bot_scopes(self) -> list[str]:
        """The scopes the simulated install granted the bot token (sent in every answer's `x-oauth-scopes`)."""
        with self._lock:
            return list(self._workspace.bot_scopes)

    @bot_scopes.setter
    def bot_scopes(self, value: list[str]) -> None:
        with self._lock:
            self._workspace.bot_scopes = list(value)

    def refuse_token(self, error: str = "token_revoked", *, token: str | None = None) -> None:
        """Refuse a token (the bot token by default) from now on: every call answers `error`, e.g. token_revoked
        after an uninstall, invalid_auth for a token Slack never issued, account_inactive."""
        self._endpoint.refuse_token(token if token is not None else self._bot_token, error)

    def accept_token(self, *, token: str | None = None) -> None:
        """Accept a refused token (the bot token by default) again."""
        self._endpoint.accept_token(token if token is not None else self._bot_token)

    @property
    def clock(self) -> Callable[[], float]:
        """The time source for ts values, event times, rate-limit windows and the `Date` header of answers."""
        return self._state.clock

    @clock.setter
    def clock(self, value: Callable[[], float]) -> None:
        self._state.clock = value

    # --- recorded calls ------------------------------------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        """A snapshot of every Web API call so far, faulted and failed ones included."""
        return self._log.all()

    def calls_to(self, method: str) -> list[ApiCall]:
        """The recorded calls to one method."""
        return self._log.to(method)

    def clear_calls(self) -> None:
        """Forget the recorded calls."""
        self._log.clear()

    def wait_for_calls(self, method: str, count: int = 1, timeout: float = 10.0) -> list[ApiCall]:
        """Block until at least `count` calls to `method` arrived; AssertionError on timeout."""
        return self._log.wait_for(method, count, timeout)

    # --- workspace views -----------------------------------------------------------------------------

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """A copy of a conversation's history (oldest first, thread replies included)."""
        with self._lock:
            ch = self._state.require_channel(channel)
            return copy.deepcopy(self._state.history(ch.id))

    def dm_messages(self, user_id: str) -> list[dict[str, Any]]:
        """The messages the bot posted in its DM with a user."""
        with self._lock:
            ch = self._state.im_for(user_id)
            return [copy.deepcopy(m) for m in self._state.history(ch.id) if m.get("bot_id") == self._workspace.bot_id]

    def ephemerals(self, *, user: str | None = None, channel: str | None = None) -> list[dict[str, Any]]:
        """Ephemeral messages the bot sent (chat.postEphemeral and ephemeral response_url replies)."""
        with self._lock:
            return [
                copy.deepcopy(e)
                for e in self._state.ephemerals
                if (user is None or e["user"] == user) and (channel is None or e["channel"] == channel)
            ]

    def responses(self) -> list[dict[str, Any]]:
        """Bodies the bot POSTed to response_url links ({"response_url", "body", "channel", "user"})."""
        with self._lock:
            return copy.deepcopy(self._state.responses)

    def views(self) -> list[dict[str, Any]]:
        """Modals opened, pushed or updated through the Web API (current version of each)."""
        with self._lock:
            return [
                {k: copy.deepcopy(v) for k, v in view.items() if not k.startswith("_")} | {"user": view.get("_user")}
                for view in self._state.views.values()
            ]

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The App Home view last published for a user, if any."""
        with self._lock:
            view = self._state.home_views.get(user_id)
            return copy.deepcopy(view) if view is not None else None

    def new_trigger_id(self, user_id: str | None = None) -> str:
        """Issue a trigger_id that views.open/views.push accept."""
        with self._lock:
            return self._state.new_trigger_id(user_id)

    @property
    def trigger_lifetime(self) -> float:
        """How long a trigger id works after it was issued (Slack: 3 seconds)."""
        with self._lock:
            return self._state.trigger_lifetime

    @trigger_lifetime.setter
    def trigger_lifetime(self, seconds: float) -> None:
        with self._lock:
            self._state.trigger_lifetime = seconds

    # --- faults --------------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        times: int = 1,
        retry_after: int | None = None,
        error: str | None = None,
    ) -> None:
        """Make the next `times` calls to `method` ("*" = any method) fail with this status/error."""
        self._faults.fail_next(method, status=status, times=times, retry_after=retry_after, error=error)

    def clear_faults(self, method: str | None = None) -> None:
        """Drop the pending faults of one method (or of every method): the outage is over."""
        self._faults.clear_faults(method)

    def set_delay(self, method: str, seconds: float) -> None:
        """Answer `method` ("*" = any method) only after `seconds` (0 clears)."""
        self._faults.set_delay(method, seconds)

    def enforce_rate_limits(
        self,
        enabled: bool = True,
        *,
        tiers_path: str | Path | None = None,
        post_message_workspace_per_minute: int | None = None,
    ) -> None:
        """Turn Slack's per-method rate limits on (fresh windows) or off."""
        self._faults.enforce_rate_limits(
            enabled, tiers_path=tiers_path, post_message_workspace_per_minute=post_message_workspace_per_minute
        )

    # --- Socket Mode ---------------------------------------------------------------------------------

    def socket_connections(self) -> int:
        """The number of live Socket Mode connections."""
        return self._sockets.connections()

    def wait_for_socket(self, count: int = 1, timeout: float = 10.0) -> int:
        """Block until at least `count` Socket Mode connections are open; AssertionError on timeout."""
        return self._sockets.wait_for(count, timeout)

    def disconnect_sockets(self) -> None:
        """Ask every Socket Mode client to reconnect (Slack's refresh_requested) and close the sockets."""
        self._sockets.disconnect_all()

    # --- driving the bot -----------------------------------------------------------------------------

    def deliver_http_to(self, url: str) -> None:
        """Deliver to the bot's HTTP request URL when no Socket Mode connection is open."""
        self._delivery.deliver_http_to(url)

    def send_event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int = 0,
        retry_reason: str = "http_timeout",
        team_id: str | None = None,
        event_time: int | None = None,
    ) -> Delivery:
        """Deliver an Events API event_callback wrapping `event`."""
        return self._events.send_event(
            event,
            event_id=event_id,
            retry_num=retry_num,
            retry_reason=retry_reason,
            team_id=team_id,
            event_time=event_time,
        )

    def post_message(
        self,
        user: str | None,
        channel: str,
        text: str,
        *,
        thread_ts: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
        subtype: str | None = None,
        bot_id: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> tuple[str, Delivery]:
        """A user posts a message: it is stored and the `message` event is delivered to the bot."""
        return self._events.post_message(
            user, channel, text, thread_ts=thread_ts, blocks=blocks, subtype=subtype, bot_id=bot_id, extra=extra
        )

    def share_file(
        self, user: str, channel: str, text: str = "", *, thread_ts: str | None = None
    ) -> tuple[str, Delivery]:
        """A person shares a file (a screenshot) with a comment: a `file_share` message, with no team field."""
        return self._events.post_message(user, channel, text, thread_ts=thread_ts, subtype="file_share")

    def broadcast_reply(self, user: str, channel: str, text: str, *, thread_ts: str) -> tuple[str, Delivery]:
        """A person replies in a thread and also sends it to the channel: a `thread_broadcast`, with no team field."""
        return self._events.post_message(user, channel, text, thread_ts=thread_ts, subtype="thread_broadcast")

    def react(self, user: str, channel: str, ts: str, reaction: str, *, removed: bool = False) -> Delivery:
        """A person adds (or removes) an emoji reaction on a message: reaction_added (or _removed) is delivered."""
        return self._events.react(user, channel, ts, reaction, removed=removed)

    def open_home(self, user: str) -> Delivery:
        """A person opens the app's Home tab: app_home_opened is delivered."""
        return self._events.open_home(user)

    def seed_message(
        self,
        user: str | None,
        channel: str,
        text: str,
        *,
        thread_ts: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """Store a user's message in history without delivering any event (test setup); return its ts."""
        return self._events.seed_message(user, channel, text, thread_ts=thread_ts, blocks=blocks, extra=extra)

    def edit_message(self, channel: str, ts: str, new_text: str) -> Delivery:
        """A user edits a stored message: message_changed is delivered."""
        return self._events.edit_message(channel, ts, new_text)

    def delete_message(self, channel: str, ts: str) -> Delivery:
        """A user deletes a stored message: message_deleted is delivered (for a thread parent with replies, a
        message_changed to Slack's tombstone)."""
        return self._events.delete_message(channel, ts)

    def set_bot_member(self, channel: str, member: bool = True) -> None:
        """Change the bot's membership silently (no event), e.g. to set up Web API-only tests."""
        self._events.set_bot_member(channel, member)

    def archive_channel(self, channel: str) -> None:
        """Someone archives a channel silently (no event): Slack then answers posts there with `is_archived`."""
        with self._lock:
            found = self._workspace.channel(channel)
            if found is None:
                raise KeyError(channel)
            found.is_archived = True

    def set_presence(self, user: str, presence: str) -> None:
        """A person's presence changes silently (no event): users.getPresence answers "active" or "away"."""
        if presence not in ("active", "away"):
            raise ValueError(f"presence is active or away, not {presence!r}")
        with self._lock:
            self._sim_user(user).presence = presence

    def set_status(self, user: str, *, emoji: str = "", text: str = "", expiration: float = 0) -> None:
        """A person sets (or, with no emoji and text, clears) their status, silently: users.info and
        users.profile.get show it until `expiration` (Unix seconds; 0: no end)."""
        with self._lock:
            found = self._sim_user(user)
            found.status_emoji, found.status_text, found.status_expiration = emoji, text, int(expiration)

    def deactivate_user(self, user: str) -> None:
        """An admin deactivates a person, silently: users.info says `deleted`."""
        with self._lock:
            self._sim_user(user).deleted = True

    def _sim_user(self, user: str) -> SimUser:
        found = self._workspace.user(user)
        if found is None:
            raise KeyError(user)
        return found

    def add_bot_to_channel(self, channel: str, *, inviter: str) -> Delivery:
        """Someone invites the bot: it becomes a member and member_joined_channel is delivered."""
        return self._events.add_bot_to_channel(channel, inviter=inviter)

    def remove_bot_from_channel(
        self,
        channel: str,
        *,
        event: Literal["member_left_channel", "channel_left"] = "member_left_channel",
        actor: str | None = None,
    ) -> Delivery:
        """The bot is removed: its membership ends and member_left_channel (or channel_left) is delivered."""
        return self._events.remove_bot_from_channel(channel, event=event, actor=actor)

    def slash_command(self, user: str, channel: str, command: str, text: str) -> Delivery:
        """A user runs a slash command in a channel."""
        return self._interactions.slash_command(user, channel, command, text)

    def send_interactive(self, payload: dict[str, Any]) -> Delivery:
        """Deliver an interactive payload (block_actions, view_submission, ...), filling defaults."""
        return self._interactions.send_interactive(payload)

    def send_raw(
        self,
        body: bytes,
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        sign: bool = True,
        timestamp: int | float | str | None = None,
    ) -> Delivery:
        """POST raw bytes to the bot over HTTP (signed, unsigned, or with a stale timestamp)."""
        return self._delivery.post(body, content_type, headers, sign=sign, timestamp=timestamp)
