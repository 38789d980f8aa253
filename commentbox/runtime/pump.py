"""A background loop that works through what is due in a table: the mail outbox, linkbacks.

Each of them stores its work in the database (so a restart loses nothing) and has one task
per app instance that does a batch, then another, until a batch finds nothing; then it
sleeps until someone enqueues more (``wake``, callable from any thread: writers run in the
thread pool) or ``poll`` seconds pass (work another instance queued, retries come due).
``stop`` lets the batch in hand finish, since its database work must not outlive the engine.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress

log = logging.getLogger(__name__)


class Pump:
    """``step()`` does one batch and says how many items it handled (0: nothing was due)."""

    def __init__(self, name: str, step: Callable[[], Awaitable[int]], *, poll: float, grace: float) -> None:
        self._name = name
        self._step = step
        self._poll = poll
        self._grace = grace
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False

    def wake(self) -> None:
        """Tell the running loop there is new work (a no-op before it starts or once it ended:
        the work waits in its table for the next start)."""
        if self._loop is not None and self._wake is not None:
            with suppress(RuntimeError):  # the loop closed
                self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        """Work through what is due until stopped; a failing batch is logged and retried."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._stopping = False
        while not self._stopping:
            try:
                while not self._stopping and await self._step():
                    pass
            except Exception:
                log.exception("the %s could not be worked through; retrying", self._name)
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
            self._wake.clear()

    async def stop(self, task: asyncio.Task[None]) -> None:
        """Let the batch in hand finish (at most ``grace`` seconds), then end the loop."""
        self._stopping = True
        if self._wake is not None:
            self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=self._grace)
        except TimeoutError:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
