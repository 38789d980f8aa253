"""The background loop of an outbox: work through what is due, then sleep until woken.

Shared by the mail outbox (``mail/outbox.py``) and the webhook outbox (``webhooks/sender.py``).
Both keep their work in a table, so the loop only has to decide *when* to look: at once
when a writer wakes it (from any thread, after its commit), otherwise every ``poll_seconds``
(retries fall due, another instance queued something). Stopping lets the item in hand
finish, since its database work must not outlive the engine.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress

log = logging.getLogger(__name__)


class Courier:
    """Runs ``send_due()`` (one batch; returns how many it attempted) until stopped."""

    def __init__(
        self, what: str, send_due: Callable[[], Awaitable[int]], poll_seconds: float, drain_seconds: float
    ) -> None:
        self._what = what
        self._send_due = send_due
        self._poll = poll_seconds
        self._drain = drain_seconds
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False

    def wake(self) -> None:
        """Look now (safe from any thread); before ``run`` started, the first pass finds the work."""
        if self._loop is not None and self._wake is not None:
            with suppress(RuntimeError):  # the loop closed: the next start finds the work
                self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._stopping = False
        while not self._stopping:
            try:
                while not self._stopping and await self._send_due():
                    pass
            except Exception:
                log.exception("the %s could not be read; retrying", self._what)
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
            self._wake.clear()

    async def stop(self, task: asyncio.Task[None]) -> None:
        """Let the batch in hand finish (at most ``drain_seconds``), then end the loop."""
        self._stopping = True
        if self._wake is not None:
            self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=self._drain)
        except TimeoutError:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
