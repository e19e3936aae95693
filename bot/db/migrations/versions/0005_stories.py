"""stories: good service moments, who is credited, who recognised them

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("via", sa.String(length=12), nullable=False),
        sa.Column("reaction_key", sa.String(length=80), nullable=True),
        sa.Column("source_channel_id", sa.String(length=32), nullable=True),
        sa.Column("source_ts", sa.String(length=32), nullable=True),
        sa.Column("source_thread_ts", sa.String(length=32), nullable=True),
        sa.Column("source_user_id", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("customer_id", Id, nullable=True),
        sa.Column("principle", sa.String(length=40), nullable=True),
        sa.Column("principle_by", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shoutout_channel_id", sa.String(length=32), nullable=True),
        sa.Column("shoutout_thread_ts", sa.String(length=32), nullable=True),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_stories_reaction_key", "stories", ["team_id", "reaction_key"], unique=True)
    op.create_index("ix_stories_team_time", "stories", ["team_id", "created_at"], unique=False)
    op.create_table(
        "story_credits",
        sa.Column("story_id", Id, nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("story_id", "user_id"),
    )
    op.create_index("ix_story_credits_user", "story_credits", ["team_id", "user_id"], unique=False)
    op.create_table(
        "story_recognitions",
        sa.Column("story_id", Id, nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("emoji", sa.String(length=100), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("story_id", "user_id", "emoji"),
    )


def downgrade() -> None:
    op.drop_table("story_recognitions")
    op.drop_index("ix_story_credits_user", table_name="story_credits")
    op.drop_table("story_credits")
    op.drop_index("ix_stories_team_time", table_name="stories")
    op.drop_index("uq_stories_reaction_key", table_name="stories")
    op.drop_table("stories")
