"""Alembic environment: runs online against the engine Rapport hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from bot.db.models import Base

# Any id works as long as every Rapport process uses the same one.
_MIGRATION_LOCK_ID = 727_277_001


def run_migrations_online() -> None:
    """Run migrations in one transaction; on PostgreSQL, one process at a time."""
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _MIGRATION_LOCK_ID})
                connection.commit()


run_migrations_online()
