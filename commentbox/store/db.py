"""Engine and sessions. SQLite gets WAL, a busy timeout and foreign keys; writes lock up front.

Why ``BEGIN IMMEDIATE`` for writes: with SQLite's default deferred transactions, two
writers that both read first deadlock on lock upgrade and one fails at once with
"database is locked" (the busy timeout does not apply to upgrades). Taking the write
lock at BEGIN makes concurrent writers queue behind the busy timeout instead.

Why a lock file on top: SQLite's busy handler *polls* (sleeps of 1, 2, 5 … 100 ms), so
writers from several workers and threads that collide wait far longer than the write
takes (measured: 160 posts/s with a p99 of seconds at 2 workers). Writers first queue on
an exclusive ``flock`` of ``<database>.write-lock``, which the kernel hands over the
moment it is released; BEGIN IMMEDIATE then finds the database free.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 10_000
IDLE_PING_SECONDS = 10.0

# What the open write transaction runs once it committed (``on_commit``); one list per write
# block, in the thread (or task) that runs it.
_committed: ContextVar[list[Callable[[], None]] | None] = ContextVar("committed", default=None)


def on_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` after the enclosing ``write()``/``write_connection()`` commits, and not
    at all if it rolls back. For work that must not see (or wait for) an uncommitted row —
    waking a sender for the outbox row this transaction wrote. Outside a write: at once."""
    pending = _committed.get()
    if pending is None:
        callback()
    else:
        pending.append(callback)


@contextmanager
def _collecting_commit_callbacks() -> Iterator[None]:
    pending: list[Callable[[], None]] = []
    token = _committed.set(pending)
    try:
        yield
    finally:
        _committed.reset(token)
    for callback in pending:  # reached only when the block (and so its commit) succeeded
        callback()


class Database:
    """One engine; ``read()`` and ``write()`` hand out sessions with the right transaction mode."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.engine = _make_engine(url, self.is_sqlite)
        self._write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._write_lock = WriteLock(f"{self.url.database}.write-lock") if self.is_sqlite else None

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits when the block ends, or rolls back on error."""
        with (
            _collecting_commit_callbacks(),
            self._write_lock or nullcontext(),
            Session(self._write_engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """``write()`` without the ORM, for the one write that must be cheap: a new comment."""
        with (
            _collecting_commit_callbacks(),
            self._write_lock or nullcontext(),
            self._write_engine.begin() as connection,
        ):
            yield connection

    def ping(self) -> None:
        """Raise unless the database answers a trivial query (``/readyz``)."""
        with self.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        self.engine.dispose()


class WriteLock:
    """One writer at a time across this file's processes and threads, handed over in order.

    Re-entrant within a thread; the file is opened once per process and never deleted.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._fd: int | None = None
        self._pid = 0
        self._threads = threading.RLock()
        self._depth = 0

    def __enter__(self) -> None:
        self._threads.acquire()
        if self._depth == 0:
            if self._fd is None or self._pid != os.getpid():  # a forked child needs its own
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                self._pid = os.getpid()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        self._depth += 1

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()


def _make_engine(url: str, is_sqlite: bool) -> Engine:
    if not is_sqlite:
        pooled = create_engine(url, pool_size=10, max_overflow=20, pool_use_lifo=True)
        _ping_when_idle(pooled)
        return pooled
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_use_lifo=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We emit BEGIN ourselves (below), so pysqlite must not open transactions implicitly.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use only if it sat idle for a while.

    ``pool_pre_ping`` asks the server on every checkout: one more round trip on every
    request. A connection returned to the pool moments ago is alive; one that sat idle may
    have been cut (the server restarted, a proxy's idle timeout) and is replaced unseen.
    """

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned")
        if returned is None or time.monotonic() - returned < IDLE_PING_SECONDS:
            return
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            dbapi_connection.rollback()
        except Exception as exc:  # any failure means: not usable, the pool connects anew
            raise DisconnectionError("the pooled connection was closed while idle") from exc
