"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, select, update

from bot.blocks.text import readable
from bot.db import migrate
from bot.db.models import Base, Customer, Mention
from bot.domain.customer_commands import AddCustomer
from bot.runtime.deps import Deps
from bot.services import directory
from tests.conftest import TEAM, FakeClock


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    assert migrate.current_revision(engine) == migrate.head_revision(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_excerpts_stored_as_words_become_slack_text_and_back(engine: Engine, deps: Deps, clock: FakeClock) -> None:
    """0007: an excerpt was the plain words a reader saw; it is now Slack text (entities, people as `<@U…>`)."""
    directory.add_customer(deps, team_id=TEAM, command=AddCustomer(name="Acme"), created_by="U0DANA")
    before = {
        "1.000001": "plain words stay",
        "1.000002": "AT&T <3 said @someone > <https://x|y>",
        "1.000003": "<" * 200,  # four times longer as entities: cut again to 280 characters
        "1.000004": None,
    }
    command.downgrade(migrate.alembic_config(engine), "0006")
    try:
        with deps.session_factory.begin() as session:
            [customer] = session.scalars(select(Customer.id)).all()
            for ts, excerpt in before.items():
                session.add(
                    Mention(
                        team_id=TEAM,
                        customer_id=customer,
                        channel_id="C0SUPPORT",
                        message_ts=ts,
                        user_id="U0LEE",
                        mentioned_at=clock(),
                        excerpt=excerpt,
                    )
                )
    finally:
        migrate.upgrade(engine)
    after = _excerpts(deps)
    assert after["1.000001"] == "plain words stay"
    assert after["1.000002"] == "AT&amp;T &lt;3 said @someone &gt; &lt;https://x|y&gt;"
    assert after["1.000003"] == "&lt;" * 69 + "…" and after["1.000004"] is None
    # What a reader sees is unchanged: the same words, now read from Slack text.
    assert readable(after["1.000002"] or "", limit=280) == "AT&amp;T &lt;3 said @someone &gt; &lt;https://x|y&gt;"

    with deps.session_factory.begin() as session:
        session.execute(
            update(Mention).where(Mention.message_ts == "1.000001").values(excerpt="thanks <@U0STEPH> &amp; co")
        )
    command.downgrade(migrate.alembic_config(engine), "0006")
    try:
        back = _excerpts(deps)
    finally:
        migrate.upgrade(engine)
    assert back["1.000001"] == "thanks @someone & co" and back["1.000002"] == before["1.000002"]


def _excerpts(deps: Deps) -> dict[str, str | None]:
    with deps.session_factory.begin() as session:
        return {ts: excerpt for ts, excerpt in session.execute(select(Mention.message_ts, Mention.excerpt)).all()}
