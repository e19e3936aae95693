"""installations: OAuth installs of many workspaces, kept by slack_sdk's SQLAlchemy stores in Rapport's database

The tables are exactly the ones slack_sdk's SQLAlchemyInstallationStore (slack_installations, slack_bots) and
SQLAlchemyOAuthStateStore (slack_oauth_states) read and write: built here by their own table builders, so the store
and the schema cannot drift apart. Single-token installs leave them empty.

A workspace's Enterprise Grid organisation (workspaces.enterprise_id) is kept too: an org-wide install serves every
workspace of the organisation with one bot token, and the jobs must find it for a workspace.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tables() -> sa.MetaData:
    metadata = sa.MetaData()
    SQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "slack_oauth_states")
    return metadata


def upgrade() -> None:
    _tables().create_all(op.get_bind())
    # Plain ALTER TABLE, also on SQLite (3.35+ drops columns): a batch copy of `workspaces` would cascade-delete
    # every workspace's rows when it drops the old table.
    op.add_column("workspaces", sa.Column("enterprise_id", sa.String(32), nullable=True))


def downgrade() -> None:
    op.drop_column("workspaces", "enterprise_id")
    _tables().drop_all(op.get_bind())
