"""Migrating an empty database gives exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from commentbox.store import migrate
from commentbox.store.db import Database


def test_migrated_schema_matches_the_models(database_url):
    db = Database(database_url)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    db.dispose()


def test_migrations_form_one_linear_chain_and_rerunning_is_a_no_op(database_url):
    db = Database(database_url)
    scripts = ScriptDirectory.from_config(migrate.alembic_config(db.engine))
    assert len(scripts.get_heads()) == 1
    migrate.upgrade(db.engine)  # already at head
    with db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() == tuple(scripts.get_heads())
    db.dispose()
