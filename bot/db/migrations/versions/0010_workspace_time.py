"""workspace time: where the workspace timezone came from (an admin, or read from the workspace's people)

Until an admin chooses one, the workspace timezone follows its primary owner's, else the most common among its
people (bot.domain.workspace_time); these columns keep what was read, when, and when to read again. A timezone an
admin already changed (anything but the old default UTC, or any recorded change) stays theirs.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace_settings") as batch:
        batch.add_column(sa.Column("timezone_set_by_admin", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("auto_timezone", sa.String(length=64), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("auto_timezone_source", sa.String(length=20), nullable=False, server_default="default")
        )
        batch.add_column(sa.Column("auto_timezone_name", sa.String(length=200), nullable=False, server_default=""))
        batch.add_column(sa.Column("timezone_read_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("timezone_next_read_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE workspace_settings SET timezone_set_by_admin = TRUE WHERE timezone <> 'UTC' OR EXISTS ("
        "SELECT 1 FROM settings_changes c WHERE c.team_id = workspace_settings.team_id AND c.setting = 'timezone')"
    )


def downgrade() -> None:
    with op.batch_alter_table("workspace_settings") as batch:
        for column in (
            "timezone_next_read_at",
            "timezone_read_at",
            "auto_timezone_name",
            "auto_timezone_source",
            "auto_timezone",
            "timezone_set_by_admin",
        ):
            batch.drop_column(column)
