"""settings and nudges: settings version and audit, tone-rule settings, per-person settings, nudges, redaction

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("workspaces") as batch:
        batch.add_column(sa.Column("settings_version", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("workspace_settings") as batch:
        batch.add_column(sa.Column("nudge_excluded_channels", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("tone_rules_added", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("tone_rules_disabled", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("tone_rules_file", sa.String(length=500), nullable=False, server_default=""))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("redacted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "settings_changes",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("setting", sa.String(length=60), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=False),
        sa.Column("new_value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_settings_changes_team_time", "settings_changes", ["team_id", "changed_at"], unique=False)
    op.create_table(
        "user_settings",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("nudges_enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id"),
    )
    op.create_table(
        "nudge_cooldowns",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("last_nudged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", "category"),
    )
    op.create_table(
        "nudges",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("rule_id", sa.String(length=80), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("response", sa.String(length=12), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_nudges_team_time", "nudges", ["team_id", "created_at"], unique=False)
    op.create_index("ix_nudges_team_user", "nudges", ["team_id", "user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_nudges_team_user", table_name="nudges")
    op.drop_index("ix_nudges_team_time", table_name="nudges")
    op.drop_table("nudges")
    op.drop_table("nudge_cooldowns")
    op.drop_table("user_settings")
    op.drop_index("ix_settings_changes_team_time", table_name="settings_changes")
    op.drop_table("settings_changes")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("redacted_at")
    with op.batch_alter_table("workspace_settings") as batch:
        batch.drop_column("tone_rules_file")
        batch.drop_column("tone_rules_disabled")
        batch.drop_column("tone_rules_added")
        batch.drop_column("nudge_excluded_channels")
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_column("settings_version")
