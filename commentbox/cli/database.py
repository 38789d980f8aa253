"""Which database a command works on, and refusing to invent one."""

from __future__ import annotations

import sys

from sqlalchemy.engine import make_url

from commentbox.config import Settings, SettingsError
from commentbox.store import migrate
from commentbox.store.db import Database


def require_database(settings: Settings) -> None:
    """Refuse, before anything is written, where there is no database: a command in a
    folder without one would otherwise start an empty instance nobody serves. Only the
    commands that set an instance up (``serve``, ``migrate``, ``site add``) make one."""
    path = settings.sqlite_file
    if path is not None:
        if not path.exists():
            raise SettingsError(_no_database(settings))
        return
    db = Database(settings.database_url)
    try:
        if not migrate.is_created(db.engine):
            raise SettingsError(_no_database(settings))
    finally:
        db.dispose()


def open_database(settings: Settings) -> Database:
    """The database, migrated; a new SQLite file (and its folder) is made and announced."""
    path = settings.sqlite_file
    new = path is not None and not path.exists()
    if path is not None and new:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    migrate.upgrade(db.engine)
    if new:
        print(f"commentbox: created a new database in {path}", file=sys.stderr)
    return db


def shown_url(settings: Settings) -> str:
    """The database URL as it may be printed: without its password."""
    return make_url(settings.database_url).render_as_string(hide_password=True)


def _no_database(settings: Settings) -> str:
    where = settings.sqlite_file or shown_url(settings)
    return (
        f"There is no commentbox database at {where}. Run this where the server runs (its data "
        "folder is commentbox-data/ there), set COMMENTBOX_DATA_DIR or COMMENTBOX_DATABASE_URL to "
        "the server's, or create one with `commentbox migrate`."
    )
