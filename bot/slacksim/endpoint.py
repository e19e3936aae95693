"""The Web API endpoint: one request in, Slack's answer out (parse, authenticate, fault, limit, dispatch, record).

Like Slack, every answer to a recognised token carries the token's scopes in `x-oauth-scopes`; the `Date` header
(the simulator's clock) is added by the HTTP server."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable

from bot.slacksim.faults import Answer, Faults
from bot.slacksim.oauth import OAuthCodes
from bot.slacksim.recording import ApiCall, CallLog
from bot.slacksim.state import JsonDict, SimState
from bot.slacksim.webapi import SlackError, WebApi, normalize_args
from bot.slacksim.workspace import APP_TOKEN_SCOPES


class WebApiEndpoint:
    """Answers requests to /api/<method> the way Slack does, recording each one."""

    def __init__(
        self,
        *,
        state: SimState,
        cond: threading.Condition,
        api: WebApi,
        faults: Faults,
        log: CallLog,
        bot_token: str,
        app_token: str,
        oauth: OAuthCodes | None = None,
        peer: Callable[[str | None], WebApiEndpoint | None] = lambda _token: None,
    ) -> None:
        self._oauth = oauth
        self._peer = peer  # the endpoint of the sibling workspace whose bot token a call carries, if another's
        self._state = state
        self._cond = cond
        self._api = api
        self._faults = faults
        self._log = log
        self._bot_token = bot_token
        self._app_token = app_token
        # Bot tokens issued later for the same bot (token rotation): accepted like the first.
        self._aliases: set[str] = set()
        # Tokens Slack no longer accepts, and the error it answers them with (token_revoked, invalid_auth, …).
        self._refused: dict[str, str] = {}

    def refuse_token(self, token: str, error: str) -> None:
        """Answer every request made with `token` with `error`, as Slack does once a token is revoked."""
        with self._cond:
            self._refused[token] = error

    def add_bot_token(self, token: str) -> None:
        """Accept another bot token for the workspace's bot (a rotated one); the earlier ones stay good."""
        with self._cond:
            self._aliases.add(token)

    def owns(self, token: str) -> bool:
        """Whether `token` is one of this workspace's bot tokens."""
        return token == self._bot_token or token in self._aliases

    def accept_token(self, token: str) -> None:
        """Accept a refused token again."""
        with self._cond:
            self._refused.pop(token, None)

    def handle(self, method: str, query: str, body: bytes, content_type: str, authorization: str | None) -> Answer:
        """Answer one Web API request (query string and body as received) and record it."""
        args: JsonDict = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        parse_error: str | None = None
        if body:
            if "json" in content_type.lower():
                try:
                    decoded = json.loads(body)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    decoded = None
                if isinstance(decoded, dict):
                    args.update(decoded)
                else:
                    parse_error = "invalid_json"
            elif "multipart/form-data" in content_type.lower():
                parse_error = "invalid_form_data"  # file uploads are not simulated
            else:
                args.update(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        token: str | None = None
        if authorization and authorization.lower().startswith("bearer "):
            token = authorization[7:].strip() or None
        arg_token = args.pop("token", None)
        if token is None and arg_token:
            token = str(arg_token)
        args = normalize_args(args)
        peer = self._peer(token)
        if peer is not None and peer is not self:  # another workspace's token: that workspace answers
            return peer.handle(method, query, body, content_type, authorization)
        if method == "oauth.v2.access" and self._oauth is not None:
            answer = self._oauth.exchange(args, authorization)
            with self._cond:
                self._log.record(
                    ApiCall(
                        method=method,
                        args={k: v for k, v in args.items() if k != "client_secret"},
                        ok=bool(answer.get("ok")),
                        error=answer.get("error"),
                        status=200,
                        response=answer,
                        at=self._state.clock(),
                        token=None,
                    )
                )
            return 200, answer, {}

        delay = self._faults.delay_for(method)
        if delay > 0:
            time.sleep(delay)  # outside the lock: a slow method must not stall the others

        with self._cond:
            status, payload, headers = self._answer(method, args, token, parse_error)
            headers = {**headers, **self._scope_headers(token)}
            self._log.record(
                ApiCall(
                    method=method,
                    args=args,
                    ok=bool(payload.get("ok")),
                    error=payload.get("error"),
                    status=status,
                    response=payload,
                    at=self._state.clock(),
                    token=token,
                )
            )
        return status, payload, headers

    def _scope_headers(self, token: str | None) -> dict[str, str]:
        """Slack's `x-oauth-scopes`: the scopes granted to the token that called (none for an unknown token)."""
        if token is None or token in self._refused:
            return {}
        if self.owns(token):
            return {"x-oauth-scopes": ",".join(self._state.workspace.bot_scopes)}
        if token == self._app_token:
            return {"x-oauth-scopes": ",".join(APP_TOKEN_SCOPES)}
        return {}

    def _missing_scope(self, method: str, args: JsonDict) -> JsonDict | None:
        """Slack's `missing_scope` answer when the bot token was granted none of the scopes `method` needs: it names
        them in `needed` and what the token has in `provided` (both comma-separated)."""
        needed = self._api.needed_scopes(method, args)
        granted = self._state.workspace.bot_scopes
        if not needed or any(scope in granted for scope in needed):
            return None
        return {"ok": False, "error": "missing_scope", "needed": ",".join(needed), "provided": ",".join(granted)}

    def _answer(self, method: str, args: JsonDict, token: str | None, parse_error: str | None) -> Answer:
        injected = self._faults.injected_answer(method)
        if injected is not None:
            return injected
        if method not in self._api.handlers:
            return 200, {"ok": False, "error": "unknown_method", "req_method": method}, {}
        if parse_error is not None:
            return 200, {"ok": False, "error": parse_error}, {}
        if method == "api.test":  # needs no token: how an app without one (OAuth installs) checks Slack answers
            return 200, self._api.call(method, args), {}
        if token is None:
            return 200, {"ok": False, "error": "not_authed"}, {}
        if token in self._refused:
            return 200, {"ok": False, "error": self._refused[token]}, {}
        if method == "apps.connections.open":
            if token != self._app_token:
                return 200, {"ok": False, "error": "invalid_auth"}, {}
        elif token == self._app_token:
            return 200, {"ok": False, "error": "not_allowed_token_type"}, {}
        elif not self.owns(token):
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        else:
            refused = self._missing_scope(method, args)
            if refused is not None:
                return 200, refused, {}
        if self._faults.limits_rates:
            # Only computed when limiting: resolving a DM id opens that DM in the simulator's state.
            key = self._api.post_message_channel_key(args) if method == "chat.postMessage" else None
            limited = self._faults.rate_limited_answer(method, self._state.clock(), key)
            if limited is not None:
                return limited
        try:
            return 200, self._api.call(method, args), {}
        except SlackError as exc:
            return 200, exc.body(), {}
