"""relationships: customers' quiet-snooze, and customer messages waiting for an answer

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("quiet_snoozed_until", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "customer_waits",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=False),
        sa.Column("customer_id", Id, nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("answered_by", sa.String(length=32), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_id", "channel_id", "message_ts"),
    )
    op.create_index("ix_customer_waits_state", "customer_waits", ["state", "posted_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_customer_waits_state", table_name="customer_waits")
    op.drop_table("customer_waits")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("quiet_snoozed_until")
