"""Is what this process keeps in memory still current? Asked on every thread read and count.

A cached thread response may be served only if the thread's version (and its site's) is
the one just read from the database, so a write on any instance is visible on the next
read from every instance. That check must cost far less than the request itself, so it
bypasses the ORM and the thread pool and uses each engine's cheapest strict signal:

- SQLite: one held read-only ``sqlite3`` connection per process, used straight from the
  event loop (in WAL mode readers never wait for writers). ``PRAGMA data_version`` on it
  changes whenever any other connection, in any process, commits; while it stays the same
  the last answers stand, and when it moves they are asked again (two unique index
  probes). Both cost microseconds — less than a thread-pool hop.
- PostgreSQL: one held ``asyncpg`` connection per process, and *batched*: requests
  that arrive while a check is on the wire wait for the next one, which answers all of
  them in a single query. Under load one round trip serves dozens of requests; every
  answer still comes from a query sent after the request arrived (never a stale one).

Why not LISTEN/NOTIFY: notifications arrive asynchronously, so a read that follows a
write by microseconds on another instance could miss it; the batched query costs about
the same under load and is never late.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy.engine import URL

from commentbox.errors import ServiceUnavailable
from commentbox.store import versions
from commentbox.store.versions import SiteStates

log = logging.getLogger(__name__)
NO_KEY = ""  # never a thread key (keys are URLs or ``id:…``): asks for the site alone


class Freshness(Protocol):
    async def check(self, site_id: str, keys: Sequence[str]) -> SiteStates:
        """The site's current version and the current state of each of its threads ``keys``."""

    async def aclose(self) -> None: ...


READ_BUSY_TIMEOUT_SECONDS = 1.0  # WAL readers wait only in rare cases (recovery after a crash)
MAX_REMEMBERED = 8192  # answers kept per data version before starting over


class SqliteFreshness:
    """A read-only connection this process holds; safe to share because calls never overlap
    (they run to completion on the event loop; the lock covers test clients on other loops)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._data_version: int | None = None
        self._answers: dict[tuple[str, tuple[str, ...]], SiteStates] = {}

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self._path,
            check_same_thread=False,
            isolation_level=None,  # autocommit: every check sees the latest commit
            timeout=READ_BUSY_TIMEOUT_SECONDS,  # on the event loop: fail fast (503), never stall it
        )
        connection.execute("PRAGMA query_only=ON")
        return connection

    async def check(self, site_id: str, keys: Sequence[str]) -> SiteStates:
        try:
            return self._check(site_id, tuple(keys) or (NO_KEY,))
        except sqlite3.Error as exc:
            log.warning("freshness check failed: %s", exc)
            self._close()
            raise ServiceUnavailable("The service cannot read its database. Try again shortly.") from None

    def _check(self, site_id: str, keys: tuple[str, ...]) -> SiteStates:
        question = (site_id, keys)
        with self._lock:
            if self._connection is None:
                self._connection = self._connect()
            # Read before the answers it vouches for: a commit in between only makes the
            # next check ask again, never lets an old answer stand.
            data_version = versions.data_version(self._connection)
            if data_version != self._data_version or len(self._answers) >= MAX_REMEMBERED:
                self._answers.clear()
                self._data_version = data_version
            answer = self._answers.get(question)
            if answer is None:
                answer = versions.thread_states_sqlite(self._connection, site_id, question[1])
                self._answers[question] = answer
            return answer

    def _close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
                self._data_version = None

    async def aclose(self) -> None:
        self._close()


UNREACHABLE = "The service cannot reach its database. Try again shortly."
QUERY_TIMEOUT_SECONDS = 5.0  # a database that stops answering fails the readers, never holds them


class _Batch:
    """The checks waiting for the next query: what each asks, and one future per request
    (a request that is cancelled — its client gone — cancels only its own)."""

    def __init__(self) -> None:
        self.pairs: set[tuple[str, str]] = set()
        self.waiters: list[tuple[asyncio.Future[dict[str, SiteStates]], list[tuple[str, str]]]] = []

    def answer(self, found: dict[str, SiteStates]) -> None:
        for waiter, _ in self.waiters:
            if not waiter.done():
                waiter.set_result(found)


class PostgresFreshness:
    """One asyncpg connection per process (per event loop), one query in flight at a time.

    Why asyncpg here while the ORM uses psycopg 3: this query runs on the event loop for
    every read, and asyncpg spends about a quarter of the client CPU per round trip that
    psycopg's async connection does (measured: ~20-29 µs vs ~70-120 µs; see docs/operations.md).
    The ORM stays synchronous (psycopg 3 through SQLAlchemy's pool, in the thread pool).
    """

    def __init__(self, connect_args: dict[str, Any]) -> None:
        self._connect_args = connect_args
        self._connection: Any = None  # asyncpg.Connection, imported only for PostgreSQL
        self._loop: asyncio.AbstractEventLoop | None = None
        self._next: _Batch | None = None
        self._runner: asyncio.Task[None] | None = None

    async def check(self, site_id: str, keys: Sequence[str]) -> SiteStates:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (tests): nothing from the old one is usable
            self._forget()
            self._loop = loop
        if self._next is None:
            self._next = _Batch()
        batch = self._next
        pairs = [(site_id, key) for key in (keys or [NO_KEY])]
        batch.pairs.update(pairs)
        waiter: asyncio.Future[dict[str, SiteStates]] = loop.create_future()
        batch.waiters.append((waiter, pairs))
        if self._runner is None or self._runner.done():
            self._runner = loop.create_task(self._run())
        found = await waiter
        return found.get(site_id) or SiteStates(None)

    async def _run(self) -> None:
        while self._next is not None:
            batch, self._next = self._next, None  # checks arriving now gather for the next query
            try:
                found = await self._query(sorted(batch.pairs))
            except Exception as exc:
                log.warning("freshness check failed: %s", type(exc).__name__)
                self._drop_connection()  # reconnect on the next query (the database may have restarted)
                await self._one_by_one(batch)
            else:
                batch.answer(found)

    async def _query(self, pairs: list[tuple[str, str]]) -> dict[str, SiteStates]:
        if self._connection is None or self._connection.is_closed():
            self._connection = await self._connect()
        return await asyncio.wait_for(
            versions.thread_states_postgres(self._connection, pairs), QUERY_TIMEOUT_SECONDS
        )

    async def _one_by_one(self, batch: _Batch) -> None:
        """After a failed batch, each waiter's own question once: whatever made the batch fail
        fails only the request that brought it. A lone waiter's question is the one that
        failed, and once the database cannot be reached at all the rest fail at once, rather
        than each waiting out its own connection attempt."""
        retry = len(batch.waiters) > 1
        for waiter, pairs in batch.waiters:
            found = None
            if retry and not waiter.done():
                try:
                    found = await self._query(pairs)
                except Exception:
                    retry = self._connection is not None  # None: the connection itself failed
                    self._drop_connection()
            if waiter.done():
                continue
            if found is None:
                waiter.set_exception(ServiceUnavailable(UNREACHABLE))
            else:
                waiter.set_result(found)

    async def _connect(self) -> Any:
        import asyncpg

        return await asyncpg.connect(**self._connect_args)

    def _drop_connection(self) -> None:
        """Drop the connection without awaiting (it may be broken, or belong to a gone loop)."""
        if self._connection is not None and not self._connection.is_closed():
            self._connection.terminate()
        self._connection = None

    def _forget(self) -> None:
        """A new event loop (tests): nothing from the old one is usable."""
        self._drop_connection()
        self._next = None
        self._runner = None

    async def aclose(self) -> None:
        if self._connection is not None and not self._connection.is_closed():
            if asyncio.get_running_loop() is self._loop:
                await self._connection.close(timeout=5)
            else:
                self._connection.terminate()
        self._connection = None


def asyncpg_args(url: URL) -> dict[str, Any]:
    """asyncpg's ``connect()`` arguments for a SQLAlchemy PostgreSQL URL (same server, user,
    database and TLS mode as the ORM's psycopg connections)."""
    query = dict(url.query)
    args: dict[str, Any] = {
        "host": url.host or "localhost",
        "port": url.port or 5432,
        "user": url.username,
        "password": url.password,
        "database": url.database,
        "timeout": float(str(query.get("connect_timeout", 10))),
    }
    if "sslmode" in query:
        args["ssl"] = str(query["sslmode"])
    if "host" in query:  # a Unix socket folder: postgresql+psycopg:///db?host=/run/postgresql
        args["host"] = str(query["host"])
    return args


def open_freshness(url: URL) -> Freshness:
    """The strict, cheap signal for this database (see the module docstring)."""
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ValueError("commentbox needs a SQLite file, not an in-memory database")
        return SqliteFreshness(url.database)
    return PostgresFreshness(asyncpg_args(url))
