"""Every query of the read path goes through an index, on SQLite and on PostgreSQL.

A timing would be noise; the plan is the fact that keeps a 1M-comment database as fast as
a small one. The queries are captured from the real store functions (or are the store's
own raw SQL) and explained on the suite's engine. On PostgreSQL sequential scans are
disabled for the check, so a plan without an index can only appear if no index fits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event

from commentbox.runtime import freshness
from commentbox.store import comments, posting, versions
from commentbox.store.models import BanKind
from tests.support import BLOG, comment_payload, in_own_loop


@pytest.fixture
def captured(ctx) -> Iterator[list[tuple[str, Any]]]:
    """SQL statements the engine runs while the test body runs."""
    statements: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(ctx.db.engine, "before_cursor_execute", remember)
    yield statements
    event.remove(ctx.db.engine, "before_cursor_execute", remember)


def _plan(ctx, statement: str, parameters: Any) -> str:
    with ctx.db.engine.connect() as connection:
        if ctx.db.is_sqlite:
            raw = connection.connection.driver_connection
            rows = raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
            return "\n".join(str(row[-1]) for row in rows)
        connection.exec_driver_sql("SET enable_seqscan = off")
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute(f"EXPLAIN {statement}", parameters)
        return "\n".join(row[0] for row in cursor.fetchall())


async def _asyncpg_plan(ctx, statement: str, *arguments: Any) -> str:
    """EXPLAIN through asyncpg, the driver that runs the freshness check."""
    import asyncpg

    connection = await asyncpg.connect(**freshness.asyncpg_args(ctx.db.url))
    try:
        await connection.execute("SET enable_seqscan = off")
        return "\n".join(row[0] for row in await connection.fetch(f"EXPLAIN {statement}", *arguments))
    finally:
        await connection.close()


def _assert_indexed(plan: str, table: str, index_hint: str) -> None:
    if "QUERY PLAN" in plan or "SCAN" in plan or "SEARCH" in plan:  # SQLite
        scans = [line for line in plan.splitlines() if line.startswith(f"SCAN {table}")]
        assert not scans, plan
    else:
        assert f"Seq Scan on {table}" not in plan, plan
    assert index_hint in plan, plan


@pytest.fixture
def populated(client, blog) -> None:
    for page in range(5):
        for n in range(3):
            response = client.post(
                "/api/v1/comments",
                json=comment_payload(url=f"{BLOG}/posts/{page}", body=f"comment {n} on page {page}"),
                headers={"Origin": BLOG},
            )
            assert response.status_code == 201


def test_the_freshness_check_probes_the_unique_thread_index(ctx, populated):
    keys = [f"{BLOG}/posts/1", f"{BLOG}/posts/2"]
    if ctx.db.is_sqlite:
        statement = versions._SQLITE_STATES.format(marks="?,?")
        parameters: Any = (*keys, "blog")
        index = "sqlite_autoindex_thread_1"
        plan = _plan(ctx, statement, parameters)
    else:
        index = "uq_thread_site_key"
        plan = in_own_loop(_asyncpg_plan, ctx, versions._POSTGRES_STATES, ["blog", "blog"], keys)
    _assert_indexed(plan, "thread", index)
    _assert_indexed(plan, "site", "site_pkey" if not ctx.db.is_sqlite else "sqlite_autoindex_site_1")


def test_loading_a_thread_uses_the_comment_thread_index(ctx, populated, captured):
    with ctx.db.read() as session:
        thread = versions.thread_version(session, "blog", f"{BLOG}/posts/1")
        assert thread is not None and thread.id is not None
        captured.clear()
        assert len(comments.visible_comments(session, thread.id)) == 3
    statement, parameters = next((s, p) for s, p in captured if "FROM comment" in s)
    _assert_indexed(_plan(ctx, statement, parameters), "comment", "ix_comment_thread_status")


@pytest.mark.parametrize("author", ["user", "guest"])
def test_a_post_reads_its_thread_parent_bans_and_duplicates_through_indexes(ctx, populated, author):
    """The one read of the write path (``store.standing``) on a reply in ``first-time`` mode,
    where every part of it runs: each part is a lookup, none walks the comments of the thread
    (``ix_comment_thread_status``) or of the site, whatever the statistics say."""
    with ctx.db.read() as session:
        thread = versions.thread_version(session, "blog", f"{BLOG}/posts/1")
        assert thread is not None and thread.id is not None
        parent = comments.visible_comments(session, thread.id)[0].id
    now = datetime.now(UTC)
    params = {
        "site_id": "blog",
        "key": f"{BLOG}/posts/1",
        "parent_id": parent,
        **{f"ban_{kind.value}": f"{kind.value}-value" for kind in BanKind},
        "text_hash": "0" * 64,
        "since": now,
        "now": now,
        "closed_before": now,
        "user_id": 1 if author == "user" else None,
        "email": None if author == "user" else "guest@example.com",
        "client_hash": "c" * 32,
    }
    plan = _plan(ctx, *posting._STANDINGS[author == "guest", True].bound(ctx.db.engine.dialect, params))
    unique = "sqlite_autoindex_thread_1" if ctx.db.is_sqlite else "uq_thread_site_key"
    _assert_indexed(plan, "thread", unique)
    _assert_indexed(plan, "ban", "ix_ban_site_kind_value")
    author_index = "ix_comment_user_id" if author == "user" else "ix_comment_client_author_email"
    _assert_indexed(plan, "comment", author_index)
    lookups = (
        "comment_pkey",
        "INTEGER PRIMARY KEY",
        "ix_comment_text_hash_thread",
        "ix_comment_user_id",
        "ix_comment_client_author_email",
    )
    reads = [line for line in plan.splitlines() if " on comment " in line or "SEARCH comment " in line]
    assert reads and all(any(index in line for index in lookups) for line in reads), plan
    assert "ix_comment_thread_status" not in plan, plan


def test_the_sqlite_check_needs_no_table_scan_even_for_many_pages(ctx, populated):
    if not ctx.db.is_sqlite:
        pytest.skip("SQLite's raw check only; PostgreSQL is covered by the batch test above")
    keys = [f"{BLOG}/posts/{n}" for n in range(100)]
    connection = sqlite3.connect(ctx.db.url.database)
    try:
        rows = connection.execute(
            f"EXPLAIN QUERY PLAN {versions._SQLITE_STATES.format(marks=','.join('?' * len(keys)))}",
            (*keys, "blog"),
        ).fetchall()
        assert versions.thread_states_sqlite(connection, "blog", keys).thread(keys[1]).count == 3
    finally:
        connection.close()
    _assert_indexed("\n".join(str(r[-1]) for r in rows), "thread", "sqlite_autoindex_thread_1")
