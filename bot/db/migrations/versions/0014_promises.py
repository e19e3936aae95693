"""promises: a teammate's promise with a time offered as a follow-up (issue 14 point 1)

`promise_offers` keeps each offer (one per message at most), what the author did with it, and, until they answer,
the promise's own sentence (the note); the switches are a person's (`user_settings.promises_enabled`, `/rapport
promises off`) and the workspace's (`workspace_settings.promise_offers_enabled`), both on by default.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("user_settings") as batch:
        batch.add_column(sa.Column("promises_enabled", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("workspace_settings") as batch:
        batch.add_column(sa.Column("promise_offers_enabled", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "promise_offers",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column(
            "team_id", sa.String(length=32), sa.ForeignKey("workspaces.team_id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=False),
        sa.Column("customer_id", _ID, sa.ForeignKey("customers.id", ondelete="SET NULL"), nullable=True),
        sa.Column("rule_id", sa.String(length=80), nullable=False),
        sa.Column("when_text", sa.String(length=100), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("followup_id", _ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("team_id", "channel_id", "message_ts", name="uq_promise_offers_message"),
    )
    op.create_index("ix_promise_offers_user_time", "promise_offers", ["team_id", "user_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_promise_offers_user_time", table_name="promise_offers")
    op.drop_table("promise_offers")
    with op.batch_alter_table("workspace_settings") as batch:
        batch.drop_column("promise_offers_enabled")
    with op.batch_alter_table("user_settings") as batch:
        batch.drop_column("promises_enabled")
