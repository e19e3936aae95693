"""OAuth installs: the bot token of each installed workspace (rotated when due), and forgetting a workspace that
uninstalled the app or whose bot token Slack revoked.

slack_sdk's SQLAlchemyInstallationStore keeps the installations in Rapport's own database (tables of migration
0012); Bolt's OAuth flow saves them there and Bolt's authorize reads them for each request from Slack. The jobs and
the outbox sender look the tokens up here, through runtime.clients.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError, SlackTokenRotationError
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine

from bot.db.queries import installations as installation_rows
from bot.runtime.clients import TokenLookup
from bot.runtime.deps import Deps

log = logging.getLogger(__name__)


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
        if bot is None or not bot.bot_refresh_token:
            return bot.bot_token if bot is not None else None
        try:
            refreshed = rotator.perform_bot_token_rotation(bot=bot, minutes_before_expiration=rotate_minutes)
        except (SlackTokenRotationError, SlackClientError, OSError) as error:
            # A refresh token is good once: another instance (or Bolt, for a request) may have just used it, and
            # saved the new token. Else the token in hand may work until it expires; the next look-up tries again.
            log.warning("could not refresh the bot token of workspace %s (%s)", team_id, type(error).__name__)
            again = latest(team_id)
            return (again or bot).bot_token
        if refreshed is not None:
            store.save_bot(refreshed)
            bot = refreshed
        return bot.bot_token

    return token_for


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
