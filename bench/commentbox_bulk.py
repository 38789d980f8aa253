"""Bulk-load threads and comments straight into commentbox's tables.

Two loads use it: the site's archive (`seed_data.corpus()`, some 16,000
comments the counts workload runs against) and, for target 4, 100,000 threads
with 1,000,000 comments. Going through the HTTP API would take minutes for the
first and hours for the second; both are about how reads behave on a database
of that size, not about how it got there. The load must still look like
commentbox wrote it, so instead of hard-coding a column list (which would rot
as `commentbox/store/models/` evolves) it:

- reflects the `thread` and `comment` tables from the migrated database itself;
- copies a thread row and the comment rows that the API seeded as templates
  (Markdown source and sanitized HTML exactly as commentbox rendered them);
- overrides only ids, the thread key/url/title, counters, timestamps, and any
  column that must be unique (the comment nonce); every comment is top-level;
- inserts with the fastest path per engine: one `executemany` transaction for
  SQLite, `COPY` for PostgreSQL (followed by ANALYZE, which autovacuum would
  run shortly after such a load anyway).

The benchmark's own 100-comment thread stays as it was, so the "large DB" read
measures exactly the same request as the "small DB" one. Whether the server
sees the loaded threads as they are is checked by the caller (the counts probe
compares every answer with the corpus).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from seed_data import SITE_ID, THREAD_PATH, CorpusThread
from sqlalchemy import MetaData, Table, UniqueConstraint, create_engine, select
from sqlalchemy.engine import make_url


@dataclass
class Templates:
    """Rows copied from what the API wrote, and the facts needed to extend them."""

    thread_cols: list[str]
    comment_cols: list[str]
    thread_row: dict[str, Any]
    comment_rows: list[dict[str, Any]]
    next_thread_id: int
    next_comment_id: int
    unique_comment_cols: set[str]


THREAD_STEM = THREAD_PATH.rstrip("/")


def _unique_columns(table: Table) -> set[str]:
    """Single columns that a unique constraint or unique index covers (besides the key)."""
    out: set[str] = set()
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint) and len(constraint.columns) == 1:
            out.add(next(iter(constraint.columns)).name)
    for index in table.indexes:
        if index.unique and len(index.columns) == 1:
            out.add(next(iter(index.columns)).name)
    return out


def read_templates(database_url: str) -> Templates:
    """Reflect the schema and fetch the template rows through SQLAlchemy."""
    engine = create_engine(database_url)
    try:
        meta = MetaData()
        meta.reflect(engine, only=["thread", "comment"])
        thread, comment = meta.tables["thread"], meta.tables["comment"]
        with engine.connect() as conn:
            rows = conn.execute(select(thread).where(thread.c.site_id == SITE_ID)).mappings()
            # The server normalizes URLs (e.g. drops the trailing slash): match loosely.
            thread_row = next(
                (dict(r) for r in rows if str(r["url"]).rstrip("/").endswith(THREAD_STEM)),
                None,
            )
            if thread_row is None:
                raise RuntimeError("the seeded benchmark thread is missing; seed it first")
            comment_rows = [
                dict(r)
                for r in conn.execute(
                    select(comment).where(comment.c.thread_id == thread_row["id"]).order_by(comment.c.id)
                ).mappings()
            ]
            max_thread = conn.execute(select(thread.c.id).order_by(thread.c.id.desc())).first()
            max_comment = conn.execute(select(comment.c.id).order_by(comment.c.id.desc())).first()
    finally:
        engine.dispose()
    return Templates(
        thread_cols=[c.name for c in thread.columns],
        comment_cols=[c.name for c in comment.columns],
        thread_row=thread_row,
        comment_rows=comment_rows,
        next_thread_id=(max_thread[0] if max_thread else 0) + 1,
        next_comment_id=(max_comment[0] if max_comment else 0) + 1,
        unique_comment_cols=_unique_columns(comment) | {"nonce"},
    )


def uniform(n_threads: int, n_comments: int) -> list[CorpusThread]:
    """`n_threads` archive posts sharing `n_comments` evenly (the large database)."""
    per_thread, extra = divmod(n_comments, n_threads)
    return [
        CorpusThread(f"/posts/large-{i}/", f"Archive post {i}", per_thread + (1 if i < extra else 0))
        for i in range(n_threads)
    ]


def _rows(
    tpl: Templates, threads: Sequence[CorpusThread], sqlite: bool
) -> tuple[Iterator[Sequence[Any]], Iterator[Sequence[Any]]]:
    """Generators of thread and comment tuples in column order."""
    base = dt.datetime(2020, 1, 1)

    def stamp(seconds: int) -> Any:
        value = base + dt.timedelta(seconds=seconds)
        # SQLAlchemy stores SQLite datetimes as this text ("%Y-%m-%d %H:%M:%S.%f",
        # which isoformat writes several times faster); PostgreSQL takes objects.
        return value.isoformat(sep=" ", timespec="microseconds") if sqlite else value

    def cell(value: Any) -> Any:
        if not sqlite and isinstance(value, dict | list):
            return json.dumps(value)
        return value

    def thread_rows() -> Iterator[Sequence[Any]]:
        for i, spec in enumerate(threads):
            stem = spec.path.rstrip("/")
            row = dict(tpl.thread_row)
            row.update(
                id=tpl.next_thread_id + i,
                # Same normalized shape as the server wrote for the seeded thread.
                key=str(row["key"]).replace(THREAD_STEM, stem),
                url=str(row["url"]).replace(THREAD_STEM, stem),
                title=spec.title,
                created=stamp(i * 300),
            )
            for name in ("comment_count", "count"):
                if name in row:
                    row[name] = spec.comments
            if "version" in row:
                row["version"] = spec.comments + 1
            yield tuple(cell(row[c]) for c in tpl.thread_cols)

    def comment_rows() -> Iterator[Sequence[Any]]:
        # A million rows: build each template's cells once, then patch a copy per row.
        at = {name: k for k, name in enumerate(tpl.comment_cols)}
        fixed = {"parent_id": None, "edited": None}
        bases = [[cell(fixed[c] if c in fixed else r[c]) for c in tpl.comment_cols] for r in tpl.comment_rows]
        unique = [
            (at[name], max(8, len(tpl.comment_rows[0][name])))
            for name in sorted(tpl.unique_comment_cols)
            if name in at and isinstance(tpl.comment_rows[0][name], str)
        ]
        i_id, i_thread, i_created = at["id"], at["thread_id"], at["created"]
        cid = tpl.next_comment_id
        for i, spec in enumerate(threads):
            for j in range(spec.comments):
                row = bases[(i + j) % len(bases)].copy()
                row[i_id] = cid
                row[i_thread] = tpl.next_thread_id + i
                row[i_created] = stamp(i * 300 + j * 7)
                for k, width in unique:
                    row[k] = secrets.token_hex(16)[:width]
                cid += 1
                yield row

    return thread_rows(), comment_rows()


def _seed_sqlite(path: str, tpl: Templates, specs: Sequence[CorpusThread]) -> None:
    threads, comments = _rows(tpl, specs, sqlite=True)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("BEGIN IMMEDIATE")
        for table, cols, rows in (
            ("thread", tpl.thread_cols, threads),
            ("comment", tpl.comment_cols, comments),
        ):
            quoted = ", ".join(f'"{c}"' for c in cols)
            marks = ", ".join("?" for _ in cols)
            conn.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', rows)  # noqa: S608
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _seed_postgres(conninfo: str, tpl: Templates, specs: Sequence[CorpusThread]) -> None:
    import psycopg  # the `postgres` extra

    threads, comments = _rows(tpl, specs, sqlite=False)
    with psycopg.connect(conninfo) as conn:
        with conn.cursor() as cur:
            for table, cols, rows in (
                ("thread", tpl.thread_cols, threads),
                ("comment", tpl.comment_cols, comments),
            ):
                quoted = ", ".join(f'"{c}"' for c in cols)
                with cur.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                # Explicit ids were given: move the sequence past them.
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                    f'(SELECT max(id) FROM "{table}"))'
                )
        conn.commit()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("ANALYZE")


def seed(database_url: str, threads: Sequence[CorpusThread]) -> None:
    """Add `threads`, each with its number of comments, to the benchmark site."""
    tpl = read_templates(database_url)
    if not tpl.comment_rows:
        raise RuntimeError("the benchmark thread has no comments to use as templates")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database:
            raise RuntimeError("the large-database scenario needs a SQLite file")
        _seed_sqlite(url.database, tpl, threads)
    else:
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        _seed_postgres(conninfo, tpl, threads)
