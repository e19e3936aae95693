"""triage: one message per waiting customer in a triage channel, claims, escalation and response targets

`triage_messages` holds each customer's open triage message (one at most: `is_open` is NULL once closed, and a
unique constraint over it keeps a second process from opening another) and the outbox row that posted it, whose
ts later updates go to. A wait alerted with a triage channel names its message (`customer_waits.triage_id`).
The workspace gets a triage channel, a first-response target and an escalation delay; a customer may have its
own of each.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "triage_messages",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column(
            "team_id", sa.String(length=32), sa.ForeignKey("workspaces.team_id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("customer_id", _ID, sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=32), nullable=True),
        sa.Column("claimed_by", sa.String(length=32), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("post_outbox_id", _ID, sa.ForeignKey("outbox.id", ondelete="SET NULL"), nullable=True),
        sa.UniqueConstraint("team_id", "customer_id", "is_open", name="uq_triage_messages_open"),
    )
    op.create_index("ix_triage_messages_open", "triage_messages", ["is_open", "opened_at"])
    with op.batch_alter_table("customer_waits") as batch:
        batch.add_column(sa.Column("triage_id", _ID, nullable=True))
        batch.create_foreign_key(
            "fk_customer_waits_triage_id", "triage_messages", ["triage_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("workspace_settings") as batch:
        batch.add_column(sa.Column("triage_channel", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("first_response_target_minutes", sa.Integer(), nullable=False, server_default="60"))
        batch.add_column(sa.Column("escalation_minutes", sa.Integer(), nullable=False, server_default="120"))
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("triage_channel_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("first_response_target_minutes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("escalation_minutes", sa.Integer(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy of `customers` would cascade-delete its mentions and waits.
    for column in ("escalation_minutes", "first_response_target_minutes", "triage_channel_id"):
        op.drop_column("customers", column)
    with op.batch_alter_table("workspace_settings") as batch:
        batch.drop_column("escalation_minutes")
        batch.drop_column("first_response_target_minutes")
        batch.drop_column("triage_channel")
    with op.batch_alter_table("customer_waits") as batch:
        batch.drop_constraint("fk_customer_waits_triage_id", type_="foreignkey")
        batch.drop_column("triage_id")
    op.drop_index("ix_triage_messages_open", table_name="triage_messages")
    op.drop_table("triage_messages")
