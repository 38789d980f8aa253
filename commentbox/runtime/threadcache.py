"""Rendered thread responses, kept per thread *version*.

A cached entry is only ever looked up under the version just read from the database, so
a write on any instance (which bumps the version) is visible on the next read from every
instance: the cache can be stale only in memory it no longer reaches. Entries are bytes
ready to send, so a hit costs no rendering and no serialization.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock

from commentbox.runtime.offload import blocking


class ThreadCache:
    """A small thread-safe LRU of ``key → bytes``; keys must contain the thread version."""

    def __init__(self, max_entries: int = 2048) -> None:
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self._max = max_entries
        self._lock = Lock()
        self.hits = 0
        self.misses = 0
        self.observe: Callable[[bool], None] | None = None  # hit or miss, for metrics
        self._building: dict[Hashable, asyncio.Task[bytes]] = {}

    def _lookup(self, key: Hashable) -> bytes | None:
        """The cached bytes for ``key`` (counted as a hit), or None."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            self.hits += 1
        if self.observe is not None:
            self.observe(True)
        return found

    def get_or_build(self, key: Hashable, build: Callable[[], bytes]) -> bytes:
        found = self._lookup(key)
        if found is not None:
            return found
        with self._lock:
            self.misses += 1
        if self.observe is not None:
            self.observe(False)
        value = build()
        with self._lock:
            self._entries[key] = value
            if len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return value

    async def fetch(self, key: Hashable, build: Callable[[], bytes]) -> bytes:
        """``get_or_build`` for the event loop: a hit never leaves it; on a miss ``build``
        runs once in the thread pool however many requests wait for the same key (and a
        waiter that goes away does not cancel it for the others)."""
        found = self._lookup(key)
        if found is not None:
            return found
        task = self._building.get(key)
        if task is None:
            task = asyncio.get_running_loop().create_task(blocking(self.get_or_build, key, build))
            self._building[key] = task
            task.add_done_callback(lambda _: self._building.pop(key, None))
        return await asyncio.shield(task)
