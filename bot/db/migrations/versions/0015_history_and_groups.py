"""history and groups: find a shout-out's story from a reaction on it, and the workspace's list of principles

A reaction on a shout-out is looked up by the message it names (outbox.result_channel, result_ts): an index makes
that one read. The service principles become a workspace list (`workspace_settings.principles`, JSON text; empty
means the six shipped ones), so admins can add, rename and retire them.

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_result", "outbox", ["team_id", "result_channel", "result_ts"])
    with op.batch_alter_table("workspace_settings") as batch:
        batch.add_column(sa.Column("principles", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("workspace_settings") as batch:
        batch.drop_column("principles")
    op.drop_index("ix_outbox_result", table_name="outbox")
