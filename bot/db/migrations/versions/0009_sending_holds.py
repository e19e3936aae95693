"""sending holds and outbox lanes: a workspace's sending paused on Slack's auth and scope errors, and replies to
people sent before bulk messages

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        # 0: a reply to what a person just did (tip, confirmation, Home tab); 1: bulk (reminders, digests).
        batch.add_column(sa.Column("lane", sa.SmallInteger(), nullable=False, server_default="1"))
        batch.create_index("ix_outbox_lane_due", ["state", "lane", "not_before"])
    op.create_table(
        "sending_holds",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.Column("needed", sa.String(length=200), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("probes", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("team_id", "method"),
    )


def downgrade() -> None:
    op.drop_table("sending_holds")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_lane_due")
        batch.drop_column("lane")
