"""backup owners: a customer's backup owner, and the statuses that mean "away"

`customers.backup_user_id` is the person alerted too while the owner is away (NULL: none).
`workspace_settings.away_statuses` lists the status emojis and words that mean the owner is away
(bot.domain.away; the shipped list until an admin changes it).

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_AWAY_STATUSES = ":palm_tree:, :face_with_thermometer:, OOO, out of office, vacation, holiday, sick"


def upgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+ drops a column in place too): a batch copy of `customers` would, with foreign
    # keys on, cascade-delete every row that refers to a customer.
    op.add_column("customers", sa.Column("backup_user_id", sa.String(length=32), nullable=True))
    with op.batch_alter_table("workspace_settings") as batch:
        batch.add_column(sa.Column("away_statuses", sa.Text(), nullable=False, server_default=DEFAULT_AWAY_STATUSES))


def downgrade() -> None:
    with op.batch_alter_table("workspace_settings") as batch:
        batch.drop_column("away_statuses")
    op.drop_column("customers", "backup_user_id")
