"""Schema migrations through Alembic, driven from Python (``commentbox migrate``, ``serve``).

The migration scripts ship inside the package, so an installed commentbox can migrate
its database without a checkout or an ``alembic.ini``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision``; safe to run at every start (a no-op when current)."""
    command.upgrade(alembic_config(engine), revision)


def is_created(engine: Engine) -> bool:
    """Whether this database holds a commentbox schema at all (any revision)."""
    return inspect(engine).has_table("alembic_version")
