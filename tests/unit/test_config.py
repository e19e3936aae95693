"""Settings: a missing or malformed variable stops start-up with one clear sentence naming it."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings

HTTP = {"SLACK_BOT_TOKEN": "xoxb-1-abc", "SLACK_SIGNING_SECRET": "s3cret"}


def test_defaults() -> None:
    settings = Settings.from_env(HTTP)
    assert settings.database_url == "sqlite:///rapport.db"
    assert settings.port == 3000 and not settings.socket_mode
    assert settings.slack_api_url == "https://slack.com/api/"
    assert (settings.log_level, settings.log_format) == ("INFO", "text")


def test_socket_mode_needs_no_signing_secret() -> None:
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1-A"})
    assert settings.socket_mode


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({**HTTP, "SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN"),
        ({**HTTP, "SLACK_CLIENT_ID": "123"}, "SLACK_CLIENT_SECRET"),
        ({**HTTP, "PORT": "eighty"}, "PORT"),
        ({**HTTP, "PORT": "70000"}, "PORT"),
        ({**HTTP, "DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({**HTTP, "SLACK_API_URL": "localhost:9000"}, "SLACK_API_URL"),
        ({**HTTP, "RAPPORT_ADMINS": "U123ABC,dana"}, "RAPPORT_ADMINS"),
        ({**HTTP, "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({**HTTP, "LOG_FORMAT": "xml"}, "LOG_FORMAT"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env(env)
    message = str(error.value)
    assert variable in message
    assert "\n" not in message and "Traceback" not in message


def test_values_are_normalised() -> None:
    settings = Settings.from_env(
        {
            **HTTP,
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "PORT": "8080",
            "DATABASE_URL": "postgresql://u@h/db",
            "RAPPORT_ADMINS": " U1AB, W2CD ,",
            "LOG_LEVEL": "debug",
            "LOG_FORMAT": "JSON",
        }
    )
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.admins == frozenset({"U1AB", "W2CD"})
    assert (settings.port, settings.log_level, settings.log_format) == (8080, "DEBUG", "json")


def test_blank_values_count_as_unset() -> None:
    assert Settings.from_env({**HTTP, "SLACK_APP_TOKEN": "  ", "PORT": ""}).port == 3000
