"""Isso's SQLite database (``comments.db``) → neutral entries, read row by row, read-only.

The file is opened with SQLite's read-only mode, so an import can never change the old
system's data, even by a stray journal. Before a row is read it must be an SQLite file whose
pages pass ``quick_check`` (a truncated copy does not) and hold Isso's ``threads`` and
``comments`` tables with the columns read here; columns are read by name, since real
databases differ from Isso's own schema (extra tables, a version number that lies).

Threads are keyed by their ``uri``: a path, on the site's first origin, or a custom
``data-isso-id``, which becomes a page id. ``mode`` 1 is published, 2 the moderation queue,
4 a tombstone (Isso keeps a deleted comment that has replies); anything else goes to the
queue, so nothing unclear is published. ``text`` is Markdown; ``created`` is UTC epoch;
likes minus dislikes is the score.
Facts: ``../shared/IMPORT-FORMATS.md`` §3.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from commentbox.store.models import CommentStatus
from commentbox.transfer import values
from commentbox.transfer.files import BadFile
from commentbox.transfer.model import BodyFormat, Entry, ImportedComment, ImportedThread, Skipped

SOURCE = "isso"
MAGIC = b"SQLite format 3\x00"
MODES = {1: CommentStatus.APPROVED, 2: CommentStatus.PENDING, 4: CommentStatus.DELETED}
REQUIRED = {"threads": {"id", "uri"}, "comments": {"tid", "id", "parent", "created", "mode", "text"}}
OPTIONAL = ("author", "email", "website", "remote_addr", "likes", "dislikes")
BAD_DATE = "an impossible date"
NO_THREAD = "its thread is not in the database"


def read(path: Path, *, max_bytes: int, name: str = "the file") -> Iterator[Entry]:
    """Every comment, in id order (parents may come after their replies: the loader copes)."""
    connection = _open(path, max_bytes, name)
    try:
        columns = _columns(connection, name)
        picked = ", ".join(f"c.{c}" if c in columns else f"NULL AS {c}" for c in OPTIONAL)
        title = "t.title" if "title" in _table_columns(connection, "threads") else "NULL AS title"
        rows = connection.execute(  # the names come from OPTIONAL, never from the file
            "SELECT c.id, c.parent, c.created, c.mode, c.text, t.uri, "  # noqa: S608
            f"{title}, {picked} FROM comments c LEFT JOIN threads t ON t.id = c.tid ORDER BY c.id"
        )
        for row in rows:
            yield _comment(row)
    except sqlite3.DatabaseError as exc:
        raise BadFile(f"{name} is a damaged SQLite database ({exc}).") from None
    finally:
        connection.close()


def is_sqlite(path: Path) -> bool:
    """Whether the file starts as an SQLite database does (False if it cannot be read)."""
    try:
        with path.open("rb") as raw:
            return raw.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def _open(path: Path, max_bytes: int, name: str) -> sqlite3.Connection:
    try:
        with path.open("rb") as raw:
            magic = raw.read(len(MAGIC))
        size = path.stat().st_size
    except OSError as exc:
        raise BadFile(f"Cannot read {path}: {exc.strerror}.") from None
    if magic != MAGIC:
        raise BadFile(f"{name} is not an SQLite database (Isso keeps its comments in one, comments.db).")
    if size > max_bytes:
        raise BadFile(f"{name} is larger than the limit of {max_bytes:,} bytes.")
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
        # Isso stores whatever it was sent; a byte sequence that is not UTF-8 costs the
        # character, not the import.
        connection.text_factory = lambda data: data.decode("utf-8", "replace")
        connection.row_factory = sqlite3.Row
        checked = connection.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BadFile(f"{name} is a damaged SQLite database ({exc}).") from None
    if checked is None or checked[0] != "ok":
        connection.close()
        raise BadFile(f"{name} is a damaged SQLite database (its integrity check fails).")
    return connection


def _table_columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}


def _columns(connection: sqlite3.Connection, name: str) -> set[str]:
    """The ``comments`` table's columns, once Isso's tables are known to be there."""
    found = {table: _table_columns(connection, table) for table in REQUIRED}
    for table, needed in REQUIRED.items():
        if not needed <= found[table]:
            raise BadFile(
                f"{name} is an SQLite database but not Isso's (no {table} table with "
                f"{', '.join(sorted(needed - found[table]))})."
            )
    return found["comments"]


def _comment(row: sqlite3.Row) -> Entry:
    source_id = values.text(row["id"])
    if row["uri"] is None:
        return Skipped(NO_THREAD, source_id)
    created = values.epoch(row["created"])
    if created is None:
        return Skipped(BAD_DATE, source_id)
    key = values.text(row["uri"])
    thread = (
        ImportedThread(url=key, title=values.text(row["title"]))
        if key.startswith(("/", "http://", "https://"))
        else ImportedThread(url="", title=values.text(row["title"]), page_id=key)  # a data-isso-id
    )
    return ImportedComment(
        source_id=source_id,
        thread=thread,
        parent_id=values.text(row["parent"]) or None,
        created=created,
        body=values.text(row["text"]),
        body_format=BodyFormat.MARKDOWN,
        status=MODES.get(row["mode"], CommentStatus.PENDING)
        if isinstance(row["mode"], int)
        else CommentStatus.PENDING,
        author_name=values.name(row["author"]),
        author_email=values.optional(row["email"]),
        author_website=values.optional(row["website"]),
        ip=values.optional(row["remote_addr"]),
        score=values.score(row["likes"], row["dislikes"]),
    )
