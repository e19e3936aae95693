"""Settings: read once from the environment, validated, then passed down."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

DEFAULT_DATABASE_URL = "sqlite:///rapport.db"
SLACK_API_URL = "https://slack.com/api/"

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable and the fix."""


@dataclass(frozen=True)
class Settings:
    """Everything Rapport reads from its environment."""

    bot_token: str | None = None
    app_token: str | None = None
    signing_secret: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    slack_api_url: str = SLACK_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    port: int = 3000
    admins: frozenset[str] = field(default_factory=frozenset)
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"

    @property
    def socket_mode(self) -> bool:
        """Socket Mode is chosen by the presence of an app-level token."""
        return self.app_token is not None

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is the embedded SQLite default (or another SQLite file)."""
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, require_slack: bool = True) -> Settings:
        """Build and validate settings from environment variables; raise ConfigError with a fix."""

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        bot_token = get("SLACK_BOT_TOKEN")
        app_token = get("SLACK_APP_TOKEN")
        signing_secret = get("SLACK_SIGNING_SECRET")
        client_id = get("SLACK_CLIENT_ID")
        client_secret = get("SLACK_CLIENT_SECRET")

        if bot_token is not None and not bot_token.startswith("xoxb-"):
            raise ConfigError(
                "SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-' "
                "(copy it from your app's OAuth & Permissions page)."
            )
        if app_token is not None and not app_token.startswith("xapp-"):
            raise ConfigError(
                "SLACK_APP_TOKEN must be an app-level token starting with 'xapp-' "
                "(create one with the connections:write scope under Basic Information), or unset it for HTTP mode."
            )
        if (client_id is None) != (client_secret is None):
            raise ConfigError(
                "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together: set both for OAuth installs, or neither."
            )
        if require_slack:
            if bot_token is None and client_id is None:
                raise ConfigError(
                    "SLACK_BOT_TOKEN is not set: set it to your app's bot token (xoxb-…), "
                    "or run `rapport demo` to try Rapport without a Slack workspace."
                )
            if app_token is None and signing_secret is None:
                raise ConfigError(
                    "SLACK_SIGNING_SECRET is not set: HTTP mode needs it to verify requests "
                    "(Basic Information → Signing Secret), or set SLACK_APP_TOKEN to use Socket Mode."
                )

        slack_api_url = get("SLACK_API_URL") or SLACK_API_URL
        if not re.match(r"^https?://[^/\s]+", slack_api_url):
            raise ConfigError(
                f"SLACK_API_URL must be an http(s) URL such as https://slack.com/api/, not {slack_api_url!r}."
            )
        if not slack_api_url.endswith("/"):
            slack_api_url += "/"

        database_url = get("DATABASE_URL") or DEFAULT_DATABASE_URL
        if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", database_url):
            raise ConfigError(
                "DATABASE_URL must be a SQLite or PostgreSQL SQLAlchemy URL, for example "
                "sqlite:///rapport.db or postgresql+psycopg://user@host/rapport."
            )
        if database_url.startswith(("postgresql://", "postgres://")):
            # The bare scheme would pick psycopg2, which Rapport does not install.
            database_url = "postgresql+psycopg://" + database_url.split("://", 1)[1]

        port_text = get("PORT") or "3000"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ConfigError(f"PORT must be a TCP port number between 1 and 65535, not {port_text!r}.")

        admins_text = get("RAPPORT_ADMINS") or ""
        admins = frozenset(a.strip() for a in admins_text.split(",") if a.strip())
        bad = sorted(a for a in admins if not _USER_ID.match(a))
        if bad:
            raise ConfigError(
                f"RAPPORT_ADMINS must be Slack user IDs separated by commas (like U012AB3CD,U045EF6GH); "
                f"{', '.join(bad)} is not one."
            )

        log_level = (get("LOG_LEVEL") or "INFO").upper()
        if log_level not in _LOG_LEVELS:
            raise ConfigError(f"LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}, not {log_level!r}.")
        log_format = (get("LOG_FORMAT") or "text").lower()
        if log_format not in ("text", "json"):
            raise ConfigError(f"LOG_FORMAT must be 'text' or 'json', not {log_format!r}.")

        return cls(
            bot_token=bot_token,
            app_token=app_token,
            signing_secret=signing_secret,
            client_id=client_id,
            client_secret=client_secret,
            slack_api_url=slack_api_url,
            database_url=database_url,
            port=int(port_text),
            admins=admins,
            log_level=log_level,
            log_format="json" if log_format == "json" else "text",
        )
