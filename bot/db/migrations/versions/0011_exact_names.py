"""exact names: a customer name or alias that counts only as written ("Target", not "our target is 50")

NULL, the value every existing name gets, means "decided by the shipped word lists": an existing name that is an
everyday word or a tool's name is matched only as written from this upgrade on, with no data rewritten here (the
lists live in the code, bot.domain.everyday_names, and may grow). `/customer exact NAME on|off` stores a person's
choice, true or false, which then wins.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customer_names") as batch:
        batch.add_column(sa.Column("exact", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customer_names") as batch:
        batch.drop_column("exact")
