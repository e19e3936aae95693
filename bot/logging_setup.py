"""Logging as text or JSON, with Slack tokens, secrets and the data database errors quote scrubbed from every record."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping

_TOKEN = re.compile(r"\b(xox[abposr]|xapp)-[A-Za-z0-9-]+")
# What a database error quotes of the values it was given, which may be anyone's words: PostgreSQL's DETAIL line
# ("Key (name_key)=(acme corp) already exists.") and the statement parameters SQLAlchemy appends to an error from an
# engine that does not hide them (Rapport's engines do: bot.db.session).
_DATABASE_DATA = re.compile(r"^DETAIL: .*$|\[parameters: .*\]$", re.MULTILINE)


def _without_database_data(match: re.Match[str]) -> str:
    return "DETAIL: [redacted]" if match.group().startswith("DETAIL") else "[parameters redacted]"


class RedactSecrets(logging.Filter):
    """Replace Slack tokens, the configured secrets and the data a database error quotes with placeholders, in the
    rendered message and in the traceback."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s and len(s) >= 6]

    def scrub(self, text: str) -> str:
        """The text with every token and secret replaced."""
        text = _TOKEN.sub(lambda m: m.group(1) + "-[redacted]", text)
        text = _DATABASE_DATA.sub(_without_database_data, text)
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = self.scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        return True


# The fields a record may carry about the request it belongs to (set by WithContext).
CONTEXT_FIELDS = ("request_id", "team_id")


class WithContext(logging.Filter):
    """Put the request id and workspace of the request being handled (as `context()` gives them) on each record."""

    def __init__(self, context: Callable[[], Mapping[str, str]]) -> None:
        super().__init__()
        self._context = context

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in self._context().items():
            if key in CONTEXT_FIELDS and not hasattr(record, key):
                setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a record of a request names it (request_id) and its workspace (team_id)."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in CONTEXT_FIELDS:
            value = getattr(record, key, None)
            if value:
                data[key] = str(value)
        if record.exc_text:
            data["exception"] = record.exc_text
        return json.dumps(data)


def configure_logging(
    *,
    level: str,
    fmt: str,
    secrets: Iterable[str | None] = (),
    context: Callable[[], Mapping[str, str]] | None = None,
) -> None:
    """Configure the root logger once, at the edge; `context` names the request a record belongs to."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets(secrets))
    if context is not None:
        handler.addFilter(WithContext(context))
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # APScheduler logs every run at INFO; once a second is noise.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("apscheduler.scheduler").addFilter(_skip_overlapping_runs)


def _skip_overlapping_runs(record: logging.LogRecord) -> bool:
    """The sender is woken on demand while it may be running; skipping that extra run is intended, not a warning."""
    return "maximum number of running instances reached" not in record.getMessage()
