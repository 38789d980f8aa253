"""Writes that arrive together commit together: one transaction for a group of new comments.

Every commit costs the database a log flush (and PostgreSQL an fsync), and every new
comment updates its thread's row, whose lock is held until the commit: one post at a time
per thread, each waiting for the previous flush. Under load, posts queue here while a
group commits, and the next group takes them all in one transaction — one flush, one lock
hold — so the cost per post falls as the load rises, and at low load nothing waits.

A unit of work must raise its refusals (``CommentboxError``) *before* it writes anything:
such a refusal fails that unit alone while the rest of the group commits. Any other error
rolls the group back, and each unit is then retried in a transaction of its own, so one
bad write never fails its neighbours. The caller gets its answer only after the commit.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection

from commentbox.db import Database
from commentbox.errors import CommentboxError

T = TypeVar("T")
MAX_GROUP = 32


@dataclass
class _Unit(Generic[T]):
    work: Callable[[Connection], T]
    answer: Future[T] = field(default_factory=Future)


class GroupCommit:
    """``run(work)`` runs ``work(connection)`` in a shared write transaction and returns its
    result once that transaction committed. ``writers`` threads commit groups in parallel
    (one on SQLite, which admits one writer at a time anyway); ``before_commit`` finishes
    each group's transaction (the thread bumps its posts deferred)."""

    def __init__(
        self, db: Database, writers: int, before_commit: Callable[[Connection], None] | None = None
    ) -> None:
        self._db = db
        self._writers = writers
        self._before_commit = before_commit
        self._queue: queue.SimpleQueue[_Unit[Any] | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def run(self, work: Callable[[Connection], T]) -> T:
        unit: _Unit[T] = _Unit(work)
        self._start()
        self._queue.put(unit)
        return unit.answer.result()

    def _start(self) -> None:
        if len(self._threads) == self._writers:
            return
        with self._lock:
            while len(self._threads) < self._writers:
                thread = threading.Thread(target=self._serve, name="commentbox-writer", daemon=True)
                thread.start()
                self._threads.append(thread)

    def close(self) -> None:
        """Finish the queued work and stop the threads (they start again on next use)."""
        with self._lock:
            threads, self._threads = self._threads, []
            for _ in threads:
                self._queue.put(None)
        for thread in threads:
            thread.join()

    def _serve(self) -> None:
        while (first := self._queue.get()) is not None:
            group: list[_Unit[Any]] = [first]
            while len(group) < MAX_GROUP:
                try:
                    unit = self._queue.get_nowait()
                except queue.Empty:
                    break
                if unit is None:  # close(): let this thread finish after its group
                    self._queue.put(None)
                    break
                group.append(unit)
            self._commit(group)

    def _commit(self, group: list[_Unit[Any]]) -> None:
        outcomes: list[tuple[_Unit[Any], Any, BaseException | None]] = []
        try:
            with self._db.write_connection() as connection:
                for unit in group:
                    try:
                        outcomes.append((unit, unit.work(connection), None))
                    except CommentboxError as refused:  # raised before it wrote anything
                        outcomes.append((unit, None, refused))
                if self._before_commit is not None:
                    self._before_commit(connection)
        except Exception as failed:
            if len(group) == 1:
                group[0].answer.set_exception(failed)
            else:
                for unit in group:  # alone, so that only the bad one fails
                    self._commit([unit])
            return
        for unit, result, error in outcomes:
            if error is None:
                unit.answer.set_result(result)
            else:
                unit.answer.set_exception(error)
