"""``commentbox backup``: a consistent copy of a SQLite database while the server writes to it.

Why SQLite's online backup API in one step (``pages=-1``) rather than copying the file: the
database is in WAL mode, so the file alone misses what the WAL holds, and a copy taken
mid-write is torn. One backup step copies every page inside one read transaction — a
snapshot as of its start — and in WAL mode a reader never blocks the writers, so the server
keeps posting throughout. (Stepping a few pages at a time would let every write restart
the backup, which never finishes on a busy site.)

The copy is written next to the target as ``FILE.partial``, checked with ``PRAGMA
integrity_check`` and only then renamed, so a stopped backup never leaves a file that looks
whole.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from commentbox.errors import InvalidInput
from commentbox.store.db import Database


class BackupRefused(InvalidInput):
    """The backup cannot be made; the message is the one sentence the owner sees."""


@dataclass(frozen=True)
class Made:
    path: Path
    size: int
    comments: int


def backup(db: Database, target: Path, *, force: bool = False) -> Made:
    """Copy ``db`` (SQLite) to ``target``; refuses PostgreSQL, and an existing ``target``
    unless ``force``."""
    if not db.is_sqlite:
        raise BackupRefused(
            "This instance runs on PostgreSQL: back it up with pg_dump (e.g. `pg_dump -Fc commentbox "
            "> commentbox.dump`); `commentbox backup` copies SQLite databases."
        )
    target = target.expanduser()
    if target.is_dir():
        raise BackupRefused(f"{target} is a folder: give the name of the backup file to write.")
    if target.exists() and not force:
        raise BackupRefused(f"{target} exists already: choose another name, or add --force to replace it.")
    source = Path(str(db.url.database)).resolve()
    if target.resolve() == source:
        raise BackupRefused(f"{target} is the database itself: choose another name.")
    partial = target.with_name(target.name + ".partial")
    if not target.parent.is_dir():
        raise BackupRefused(f"Cannot write {target}: the folder {target.parent} does not exist.")
    try:
        partial.open("wb").close()  # says "Permission denied" where sqlite3 would not say why
        copy = sqlite3.connect(partial)
    except (OSError, sqlite3.Error) as exc:
        raise BackupRefused(f"Cannot write {target}: {_reason(exc)}.") from None
    try:
        with db.engine.connect() as connection:
            live = connection.connection.driver_connection
            assert isinstance(live, sqlite3.Connection)
            live.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        checked = copy.execute("PRAGMA integrity_check").fetchone()[0]
        comments = int(copy.execute("SELECT count(*) FROM comment").fetchone()[0])
    except sqlite3.Error as exc:
        copy.close()
        partial.unlink(missing_ok=True)
        raise BackupRefused(f"Cannot write {target}: {_reason(exc)}.") from None
    copy.close()
    if checked != "ok":
        partial.unlink(missing_ok=True)
        raise BackupRefused(f"The copy failed its integrity check ({checked}); {target} was not written.")
    os.replace(partial, target)
    return Made(target, target.stat().st_size, comments)


def _reason(exc: OSError | sqlite3.Error) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)
