"""Group commit: posts that queue behind a commit share the next one, and fail alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Connection, event, insert, text
from sqlalchemy.exc import DBAPIError

from commentbox.errors import Conflict
from commentbox.runtime.groupcommit import GroupCommit
from commentbox.store.models import Ban, utcnow
from tests.support import BLOG, comment_payload


@pytest.fixture
def group(ctx) -> Iterator[GroupCommit]:
    writer = GroupCommit(ctx.db)
    yield writer
    writer.close()


@pytest.fixture
def commits(ctx) -> Iterator[list[int]]:
    seen: list[int] = []

    def count(_connection: Any) -> None:
        seen.append(1)

    event.listen(ctx.db.engine, "commit", count)
    yield seen
    event.remove(ctx.db.engine, "commit", count)


def ban(value: str) -> Callable[[Connection], str]:
    def work(connection: Connection) -> str:
        row = {"site_id": "blog", "kind": "ip", "value": value, "reason": "", "created_by": "t"}
        connection.execute(insert(Ban).values(**row, created=utcnow()))
        return value

    return work


def stored_bans(ctx) -> set[str]:
    with ctx.db.engine.connect() as connection:
        return {row[0] for row in connection.execute(text("SELECT value FROM ban"))}


def behind_a_slow_commit(group: GroupCommit, works: list[Callable[[Connection], Any]]) -> list[Future[Any]]:
    """Run ``works`` so that all of them queue while a first unit holds the writer."""
    taken, release = threading.Event(), threading.Event()

    def slow(connection: Connection) -> str:
        taken.set()
        release.wait(10)
        return "slow"

    pool = ThreadPoolExecutor(len(works) + 1)
    first = pool.submit(group.run, slow)
    assert taken.wait(10)  # the writer holds the slow unit
    futures = [pool.submit(group.run, work) for work in works]
    deadline = time.monotonic() + 10
    while group._queue.qsize() < len(works) and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    assert first.result(10) == "slow"
    pool.shutdown(wait=True)
    return futures


def test_units_that_queue_behind_a_commit_share_the_next_one(ctx, blog, group, commits):
    futures = behind_a_slow_commit(group, [ban(f"v{i}") for i in range(12)])
    assert sorted(f.result() for f in futures) == sorted(f"v{i}" for i in range(12))
    assert len(commits) == 2  # the slow unit's, then one for all twelve
    assert stored_bans(ctx) == {f"v{i}" for i in range(12)}


def test_a_refusal_fails_only_its_own_unit(ctx, blog, group):
    def refused(connection: Connection) -> str:
        raise Conflict("You have already posted this comment.")

    futures = behind_a_slow_commit(group, [ban("a"), refused, ban("b")])
    assert futures[0].result() == "a" and futures[2].result() == "b"
    with pytest.raises(Conflict):
        futures[1].result()
    assert stored_bans(ctx) == {"a", "b"}


def test_a_database_error_fails_only_its_own_unit(ctx, blog, group, commits):
    def broken(connection: Connection) -> str:
        connection.execute(text("INSERT INTO no_such_table VALUES (1)"))
        return "never"

    futures = behind_a_slow_commit(group, [ban("a"), broken, ban("b")])
    assert futures[0].result() == "a" and futures[2].result() == "b"
    with pytest.raises(DBAPIError):
        futures[1].result()
    assert stored_bans(ctx) == {"a", "b"}
    assert len(commits) == 3  # the slow one, then "a" and "b" alone after the group failed


def test_posts_keep_working_after_the_writer_closes(client, ctx, blog):
    ctx.group.close()
    response = client.post("/api/v1/comments", json=comment_payload(), headers={"Origin": BLOG})
    assert response.status_code == 201, response.text
