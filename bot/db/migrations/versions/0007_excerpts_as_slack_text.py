"""excerpts as Slack text: a stored excerpt keeps the people it mentions as `<@U…>` (so a card can name them) and
so is written as Slack writes message text, `&`, `<`, `>` as entities. Excerpts stored before were the plain words
a reader saw: they are encoded here (and cut again to 280 characters where the entities made them longer).

Revision ID: 0007
Revises: 0006
"""

import re
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The limit and encoding of bot/domain/slack_text.py, written out so that this revision never changes with it.
EXCERPT_LIMIT = 280
_MENTION = re.compile(r"<@[UW][A-Z0-9]{1,30}>")

mentions = sa.table("mentions", sa.column("id", sa.Integer()), sa.column("excerpt", sa.String(300)))


def _encode(char: str) -> str:
    return {"&": "&amp;", "<": "&lt;", ">": "&gt;"}.get(char, char)


def as_slack_text(words: str) -> str:
    """Plain words as Slack text of at most EXCERPT_LIMIT characters, cut at the end with an ellipsis."""
    encoded = "".join(map(_encode, words))
    if len(encoded) <= EXCERPT_LIMIT:
        return encoded
    kept: list[str] = []
    used = 0
    for char in words:
        piece = _encode(char)
        if used + len(piece) > EXCERPT_LIMIT - 1:
            break
        kept.append(piece)
        used += len(piece)
    return "".join(kept).rstrip() + "…"


def as_words(slack_text: str) -> str:
    """Slack text back to the plain words a reader sees, each person as "@someone" (as excerpts were before)."""
    words = _MENTION.sub("@someone", slack_text)
    return words.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")[:EXCERPT_LIMIT]


def _rewrite(convert: Callable[[str], str]) -> None:
    bind = op.get_bind()
    special = sa.or_(*(mentions.c.excerpt.contains(c, autoescape=True) for c in ("&", "<", ">")))
    rows = bind.execute(sa.select(mentions.c.id, mentions.c.excerpt).where(special)).all()
    changes = [{"row_id": row_id, "new_excerpt": convert(excerpt)} for row_id, excerpt in rows]
    if changes:
        bind.execute(
            sa.update(mentions)
            .where(mentions.c.id == sa.bindparam("row_id"))
            .values(excerpt=sa.bindparam("new_excerpt")),
            changes,
        )


def upgrade() -> None:
    _rewrite(as_slack_text)


def downgrade() -> None:
    _rewrite(as_words)
