"""recurring: repeating follow-ups ("every 2 weeks", "every month on the 1st"), each occurrence a follow-up

A `recurrences` row holds the rhythm, the owner's zone and the current and next occurrence; each occurrence is a
follow-up with `recurrence_id` set. Existing follow-ups are one-offs (NULL); no data is rewritten.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "recurrences",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("owner_user_id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", Id, nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=True),
        sa.Column("month_day", sa.SmallInteger(), nullable=True),
        sa.Column("month", sa.SmallInteger(), nullable=True),
        sa.Column("at_minute", sa.Integer(), nullable=False),
        sa.Column("start_day", sa.Date(), nullable=False),
        sa.Column("rule_text", sa.String(length=200), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("occurrence_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_by", sa.String(length=32), nullable=True),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_recurrences_next", "recurrences", ["stopped_at", "next_due"], unique=False)
    op.create_index("ix_recurrences_customer", "recurrences", ["team_id", "customer_id"], unique=False)
    with op.batch_alter_table("followups") as batch:
        batch.add_column(sa.Column("recurrence_id", Id, nullable=True))
        batch.create_foreign_key(
            "fk_followups_recurrence_id_recurrences", "recurrences", ["recurrence_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("followups") as batch:
        batch.drop_constraint("fk_followups_recurrence_id_recurrences", type_="foreignkey")
        batch.drop_column("recurrence_id")
    op.drop_index("ix_recurrences_customer", table_name="recurrences")
    op.drop_index("ix_recurrences_next", table_name="recurrences")
    op.drop_table("recurrences")
