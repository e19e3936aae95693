"""The one error path: every listener is bound to Bolt here, which acknowledges, answers and explains failures.

A callback is a plain function of a `Request` that returns what to show, or raises a `RapportError`. This module
sends the answer the way its Slack surface expects it, and turns errors into answers there:

- slash command: the answer, a domain error (with its example) or a Slack error, as the ephemeral acknowledgement;
- button: the clicked message replaced, or an ephemeral reply (through response_url), or the modal it was clicked in
  updated in place (`UpdateView`); from the Home tab, where no message can be updated, nothing is sent (the service
  refreshes the tab) and a refusal is logged;
- modal submission: the result view, or `response_action: errors` under the input that answers for each field the
  error names (see `bot.blocks.errors.input_block_for`, the same rule for every modal);
- shortcut: the modal it returns, or a result view explaining the error, opened with the trigger id;
- event: nobody to answer; a domain error or Slack's refusal is logged, and Bolt acknowledges.

A `SlackApiError` (an expired trigger id, a channel the bot is not in, a missing scope, a 429…) becomes a sentence
for the person where the surface has a way back to them, and a WARNING without anyone's words otherwise. Anything
else reaches Bolt's one error handler, `answer_unexpected_error`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.blocks.errors import (
    UNEXPECTED_ERROR,
    build_error,
    build_field_errors,
    build_slack_error,
    build_unexpected_error,
    field_problems,
    slack_error_sentence,
)
from bot.blocks.results import build_result_view
from bot.domain.errors import RapportError
from bot.listeners.payloads import Request, installed_team, kind_of, read_request, request_ids, response_url_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Modal:
    """Open this modal with the request's trigger id."""

    view: dict[str, Any]


@dataclass(frozen=True)
class UpdateView:
    """Put this view in place of the modal the click came from (views.update, guarded by the view's hash)."""

    view: dict[str, Any]


@dataclass(frozen=True)
class Replace:
    """Put this message body in place of the clicked message."""

    body: dict[str, Any]


@dataclass(frozen=True)
class Reply:
    """Answer the person who clicked, and only them (an ephemeral message)."""

    body: dict[str, Any]


CommandCallback = Callable[[Request], dict[str, Any] | Modal | None]
ActionCallback = Callable[[Request], Replace | Reply | Modal | UpdateView | None]
SubmissionCallback = Callable[[Request], dict[str, Any] | None]
ShortcutCallback = Callable[[Request], dict[str, Any]]
EventCallback = Callable[[dict[str, Any], dict[str, Any], BoltContext], None]
Constraint = str | re.Pattern[str]


def slack_error_code(error: SlackApiError) -> str:
    """Slack's error code for a refused call ("ratelimited" for an HTTP 429 without one)."""
    response = error.response
    code = response.get("error") if isinstance(response.data, dict) else None
    if isinstance(code, str) and code:
        return code
    return "ratelimited" if response.status_code == 429 else f"http_{response.status_code}"


def slack_was_busy(error: SlackApiError) -> bool:
    """Whether Slack refused for now rather than for good (a 429 or its own failure): the same call may work later."""
    return error.response.status_code == 429 or error.response.status_code >= 500


def _read(body: dict[str, Any], client: WebClient, context: BoltContext) -> Request:
    """The request, for the workspace that installed Rapport (see `installed_team`)."""
    return read_request(body, client=client, bot_user_id=context.bot_user_id, team_id=installed_team(context, body))


def _described(ids: Mapping[str, str]) -> str:
    return " ".join(f"{key}={value}" for key, value in ids.items())


def _refused(body: dict[str, Any], error: SlackApiError, *, answered: bool) -> str:
    """Log a call Slack refused (which call, which code, which request; nobody's words); Slack's error code."""
    code = slack_error_code(error)
    method = str(error.response.api_url).rsplit("/", 1)[-1]
    level = logging.INFO if answered else logging.WARNING
    needed = _needed(error)
    scope = f" needs {needed}" if needed else ""
    log.log(level, "Slack refused %s (%s)%s on %s", method, code, scope, _described(request_ids(body)))
    return code


def _needed(error: SlackApiError) -> str | None:
    """The scope Slack named for a `missing_scope` (its `needed` field), if any."""
    data = error.response.data
    needed = data.get("needed") if isinstance(data, dict) else None
    return needed[:200] if isinstance(needed, str) and needed else None


def _open(request: Request, view: dict[str, Any]) -> None:
    request.client.views_open(trigger_id=request.trigger_id, view=view)


def _update(request: Request, view: dict[str, Any]) -> None:
    shown = request.view
    view_hash = shown.get("hash")
    request.client.views_update(
        view_id=str(shown.get("id") or ""),
        hash=view_hash if isinstance(view_hash, str) and view_hash else None,
        view=view,
    )


def _can_respond(request: Request) -> bool:
    """Whether a click can be answered in place: it came from a message and Slack gave a response_url."""
    return bool(request.response_url) and not request.in_view


# --- slash commands -------------------------------------------------------------------------------------------


def on_command(app: App, name: str, callback: CommandCallback) -> None:
    """Register a slash command; what it returns (or why it could not) is the ephemeral acknowledgement."""

    def listener(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        reply = _command_reply(_read(body, client, context), callback)
        if reply is None:
            ack()
        else:
            ack(response_type="ephemeral", **reply)

    app.command(name)(listener)


def _command_reply(request: Request, callback: CommandCallback) -> dict[str, Any] | None:
    """The message a slash command answers with (None when it opened a modal instead)."""
    try:
        answer = callback(request)
        if isinstance(answer, Modal):
            _open(request, answer.view)
            return None
        return answer
    except RapportError as error:
        return build_error(error)
    except SlackApiError as error:
        return build_slack_error(_refused(request.body, error, answered=True), _needed(error))


# --- buttons and menus ----------------------------------------------------------------------------------------


def on_action(app: App, action_id: Constraint, callback: ActionCallback) -> None:
    """Register a block action: acknowledged, then answered by replacing the message or by an ephemeral reply."""

    def listener(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        request = _read(body, client, context)
        answer = _action_answer(request, callback)
        ack()
        if answer is None or not _can_respond(request):
            return  # on the Home tab there is no message: the service has queued a fresh tab instead
        if isinstance(answer, Replace):
            respond(replace_original=True, **answer.body)
        else:
            respond(response_type="ephemeral", replace_original=False, **answer.body)

    app.action(action_id)(listener)


def _action_answer(request: Request, callback: ActionCallback) -> Replace | Reply | None:
    """What a click shows: the callback's answer, a modal opened (nothing more to show), or an error explained."""
    try:
        answer = callback(request)
        if isinstance(answer, Modal):
            _open(request, answer.view)
            return None
        if isinstance(answer, UpdateView):
            _update(request, answer.view)
            return None
        return answer
    except RapportError as error:
        if not _can_respond(request):
            log.info("click changed nothing (%s) on %s", type(error).__name__, _described(request_ids(request.body)))
        return Reply(build_error(error))
    except SlackApiError as error:
        code = _refused(request.body, error, answered=_can_respond(request))
        return Reply(build_slack_error(code, _needed(error)))


# --- modal submissions ----------------------------------------------------------------------------------------


def on_submission(app: App, callback_id: Constraint, callback: SubmissionCallback) -> None:
    """Register a modal's submission: the view it returns replaces the modal; errors appear under their inputs."""

    def listener(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack(**_submission_answer(_read(body, client, context), callback))

    app.view(callback_id)(listener)


def _submission_answer(request: Request, callback: SubmissionCallback) -> dict[str, Any]:
    """The acknowledgement of a submission: `update` to the result view, `errors` by input, or {} to close."""
    try:
        view = callback(request)
    except RapportError as error:
        return _in_modal(request.view, field_problems(error), build_error(error))
    except SlackApiError as error:
        code = _refused(request.body, error, answered=True)
        needed = _needed(error)
        return _in_modal(request.view, {None: slack_error_sentence(code, needed)}, build_slack_error(code, needed))
    return {} if view is None else {"response_action": "update", "view": view}


def _in_modal(view: dict[str, Any], problems: Mapping[str | None, str], body: dict[str, Any]) -> dict[str, Any]:
    """Errors under the modal's inputs; a modal without inputs is replaced by the explanation."""
    errors = build_field_errors(view, problems)
    if errors:
        return {"response_action": "errors", "errors": errors}
    title = view.get("title")
    shown = title.get("text") if isinstance(title, dict) else None
    result = build_result_view(shown if isinstance(shown, str) and shown else "Rapport", body)
    return {"response_action": "update", "view": result}


# --- shortcuts ------------------------------------------------------------------------------------------------


def on_shortcut(app: App, callback_id: Constraint, callback: ShortcutCallback, *, title: str) -> None:
    """Register a shortcut: the modal it returns is opened; an error is explained in a result view titled `title`."""

    def listener(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond) -> None:
        ack()
        request = _read(body, client, context)
        try:
            _open(request, _shortcut_view(request, callback, title=title))
        except SlackApiError as error:
            code = _refused(request.body, error, answered=bool(request.response_url))
            if request.response_url:
                respond(response_type="ephemeral", replace_original=False, **build_slack_error(code, _needed(error)))

    app.shortcut(callback_id)(listener)


def _shortcut_view(request: Request, callback: ShortcutCallback, *, title: str) -> dict[str, Any]:
    """The modal a shortcut opens: the callback's, or a result view explaining why it could not be made."""
    try:
        return callback(request)
    except RapportError as error:
        return build_result_view(title, build_error(error))


# --- events ---------------------------------------------------------------------------------------------------


def on_event(app: App, event_type: Constraint, callback: EventCallback) -> None:
    """Register an Events API listener; Bolt acknowledges once it has run (store first, then acknowledge)."""

    def listener(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> BoltResponse | None:
        try:
            callback(body, event, context)
        except RapportError as error:
            log.info("event changed nothing (%s) on %s", type(error).__name__, _described(request_ids(body)))
        except SlackApiError as error:
            _refused(body, error, answered=False)
            if slack_was_busy(error):
                return BoltResponse(status=503)  # Slack resends the event later; its event id keeps it once
        return None

    app.event(event_type)(listener)


# --- everything else ------------------------------------------------------------------------------------------


def answer_unexpected_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
    """Bolt's error handler: log the traceback once with the request's kind and IDs, answer the person politely.

    With process_before_response, Bolt answers HTTP 500 for an exception in a listener (even one raised after
    `ack()`: the acknowledgement is dropped) unless this handler returns a response. Slack retries only events, up
    to three times: an event keeps its 5xx, so what was not stored is delivered again (its event id keeps it once).
    Commands, clicks, shortcuts and submissions are never retried; they get a 200 with a polite answer, so the
    person sees that instead of Slack's own failure message.
    """
    ids = request_ids(body)
    log.error("listener failed on %s", _described(ids), exc_info=error)
    kind = kind_of(body)
    if kind == "event_callback":
        return BoltResponse(status=500)
    if kind == "command":
        return BoltResponse(status=200, body={"response_type": "ephemeral", **build_unexpected_error()})
    if kind == "view_submission":
        view = body.get("view")
        errors = build_field_errors(view if isinstance(view, dict) else {}, {None: UNEXPECTED_ERROR})
        return BoltResponse(status=200, body={"response_action": "errors", "errors": errors} if errors else "")
    url = response_url_of(body)
    if url:
        _tell(url, build_unexpected_error())
    return BoltResponse(status=200)


def _tell(response_url: str, body: dict[str, Any]) -> None:
    """An ephemeral message through a response_url; a link that expired or does not work is only logged."""
    try:
        Respond(response_url=response_url)(response_type="ephemeral", replace_original=False, **body)
    except (SlackClientError, OSError) as failure:
        log.warning("could not answer through response_url: %s", type(failure).__name__)
