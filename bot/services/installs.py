"""OAuth installs: the bot token of each installed workspace (rotated when due), and forgetting a workspace that
uninstalled the app or whose bot token Slack revoked.

slack_sdk's SQLAlchemyInstallationStore keeps the installations in Rapport's own database (tables of migration
0012); Bolt's OAuth flow saves them there and Bolt's authorize reads them for each request from Slack. The jobs and
the outbox sender look the tokens up here, through runtime.clients.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError, SlackTokenRotationError
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine

from bot.config import ConfigError, Settings
from bot.db.queries import installations as installation_rows
from bot.runtime.clients import TokenLookup
from bot.runtime.deps import Deps

log = logging.getLogger(__name__)

# A one-off command refreshes a rotating token that expires within this many minutes before using it.
CLI_TOKEN_ROTATION_MINUTES = 10
NOTHING_INSTALLED = (
    "no workspace has installed Rapport yet: start `rapport run` (HTTP mode) and open /slack/install in a browser"
)


def token_lookup(
    store: SQLAlchemyInstallationStore,
    *,
    client_secret: str,
    api_client: WebClient,
    enterprises: dict[str, str],
    rotate_minutes: int,
) -> TokenLookup:
    """A workspace's current bot token from the store: its own install, or its organisation's org-wide one (the
    organisation as Slack's events named it); refreshed first when the token rotates and expires within
    `rotate_minutes` (less than Bolt's window: a busy workspace's requests refresh it first, and the jobs only
    refresh a quiet one's, so that they seldom race Bolt for the single-use refresh token)."""
    rotator = TokenRotator(client_id=store.client_id, client_secret=client_secret, client=api_client)

    def latest(team_id: str) -> Bot | None:
        with store.engine.connect() as connection:
            row = installation_rows.latest_bot(
                connection, client_id=store.client_id, team_id=team_id, enterprise_id=enterprises.get(team_id)
            )
        return SQLAlchemyInstallationStore.build_bot_entity(row) if row is not None else None

    def token_for(team_id: str) -> str | None:
        bot = latest(team_id)
        if bot is None:
            return None
        return _fresh_token(
            store, rotator, bot, rotate_minutes=rotate_minutes, again=lambda: latest(team_id), where=team_id
        )

    return token_for


def _fresh_token(
    store: SQLAlchemyInstallationStore,
    rotator: TokenRotator,
    bot: Bot,
    *,
    rotate_minutes: int,
    again: Callable[[], Bot | None],
    where: str,
) -> str | None:
    """The bot's token, refreshed first (and the fresh one saved) when it rotates and expires within
    `rotate_minutes`."""
    if not bot.bot_refresh_token:
        return bot.bot_token
    try:
        refreshed = rotator.perform_bot_token_rotation(bot=bot, minutes_before_expiration=rotate_minutes)
    except (SlackTokenRotationError, SlackClientError, OSError) as error:
        # A refresh token is good once: another instance (or Bolt, for a request) may have just used it, and
        # saved the new token. Else the token in hand may work until it expires; the next look-up tries again.
        log.warning("could not refresh the bot token of workspace %s (%s)", where, type(error).__name__)
        return (again() or bot).bot_token
    if refreshed is not None:
        store.save_bot(refreshed)
        bot = refreshed
    return bot.bot_token


@dataclass(frozen=True)
class Installation:
    """One OAuth install as the command line names it: a workspace, or an organisation installed org-wide."""

    team_id: str | None
    enterprise_id: str | None
    name: str
    org_wide: bool

    @property
    def label(self) -> str:
        """`T012AB3CD (Acme Support)`, or `E012AB3CD (Acme, org-wide: --team any of its workspaces)`."""
        if self.org_wide:
            return (
                f"{self.enterprise_id} ({self.name + ', ' if self.name else ''}org-wide: --team any of its workspaces)"
            )
        return f"{self.team_id} ({self.name})" if self.name else str(self.team_id)


@dataclass(frozen=True)
class WorkspaceToken:
    """The bot token to act on one installation with."""

    installation: Installation
    team_id: str  # the workspace acted on (for an org-wide install without --team, its organisation's id)
    token: str


def installed_workspaces(engine: Engine, *, client_id: str) -> list[Installation]:
    """Every installation in the store (OAuth mode), oldest first."""
    return [installation for installation, _ in _installed(engine, client_id=client_id)]


def _installed(engine: Engine, *, client_id: str) -> list[tuple[Installation, Bot]]:
    with engine.connect() as connection:
        rows = installation_rows.installed(connection, client_id=client_id)
    return [
        (
            Installation(
                team_id=row["team_id"],
                enterprise_id=row["enterprise_id"],
                name=str((row["enterprise_name"] if row["is_enterprise_install"] else row["team_name"]) or ""),
                org_wide=bool(row["is_enterprise_install"]),
            ),
            SQLAlchemyInstallationStore.build_bot_entity(row),
        )
        for row in rows
    ]


def workspace_tokens(
    engine: Engine, *, settings: Settings, api_client: WebClient, team: str | None, every: bool = False
) -> list[WorkspaceToken]:
    """OAuth mode: the installation a command acts on, with its current bot token: the one `team` names (a workspace
    installed into, or one of an organisation installed org-wide); with no `team`, the only one, or with `every`
    all of them (none when nothing is installed). ConfigError, listing the installations, when `team` is not
    installed or is needed to choose."""
    assert settings.client_id is not None and settings.client_secret is not None
    store = SQLAlchemyInstallationStore(client_id=settings.client_id, engine=engine, logger=log)
    rotator = TokenRotator(client_id=settings.client_id, client_secret=settings.client_secret, client=api_client)
    found = _installed(engine, client_id=settings.client_id)
    installations = [installation for installation, _ in found]
    listed = "; ".join(i.label for i in installations)

    def bot_of(team_id: str) -> Bot | None:
        with engine.connect() as connection:
            row = installation_rows.latest_bot(
                connection, client_id=settings.client_id or "", team_id=team_id, enterprise_id=None
            )
        return SQLAlchemyInstallationStore.build_bot_entity(row) if row is not None else None

    def fresh(bot: Bot, team_id: str) -> str:
        token = _fresh_token(
            store, rotator, bot, rotate_minutes=CLI_TOKEN_ROTATION_MINUTES, again=lambda: bot_of(team_id), where=team_id
        )
        return token or ""

    if team is not None:
        bot = bot_of(team)
        if bot is None:
            if not installations:
                raise ConfigError(f"Rapport is not installed in workspace {team}: {NOTHING_INSTALLED}")
            raise ConfigError(
                f"Rapport is not installed in workspace {team}. Installed: {listed}. Choose one with --team."
            )
        installation = next(
            (i for i in installations if i.team_id == team or (i.org_wide and i.enterprise_id == bot.enterprise_id)),
            Installation(team_id=team, enterprise_id=bot.enterprise_id, name=bot.team_name or "", org_wide=False),
        )
        return [WorkspaceToken(installation=installation, team_id=team, token=fresh(bot, team))]
    if not every and not installations:
        raise ConfigError(NOTHING_INSTALLED[0].upper() + NOTHING_INSTALLED[1:])
    if not every and (len(installations) > 1 or installations[0].org_wide):
        several = "Several workspaces have" if len(installations) > 1 else "An organisation has"
        raise ConfigError(f"{several} installed Rapport: choose one with --team. Installed: {listed}.")
    chosen = []
    for installation, bot in found:
        team_id = str(installation.enterprise_id if installation.org_wide else installation.team_id)
        chosen.append(WorkspaceToken(installation=installation, team_id=team_id, token=fresh(bot, team_id)))
    return chosen


def forget_installation(deps: Deps, *, team_id: str, enterprise_id: str | None, org_wide: bool) -> int:
    """OAuth mode: delete the workspace's installation (or its organisation's org-wide one) from the store, and its
    cached client; the workspace's data stays until retention or `rapport purge --team`. 0 in single-token mode."""
    client_id = deps.settings.client_id
    if deps.settings.bot_token or not client_id:
        return 0
    engine: Engine = deps.engine
    with engine.begin() as connection:
        removed = installation_rows.forget_team(connection, client_id=client_id, team_id=team_id)
        if org_wide and enterprise_id:
            removed += installation_rows.forget_enterprise(connection, client_id=client_id, enterprise_id=enterprise_id)
    if deps.clients is not None:
        deps.clients.forget(team_id)
    log.warning("deleted the installation of workspace %s (%d row(s))", team_id, removed)
    return removed
