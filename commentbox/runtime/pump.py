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
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class _Run:
    """One running loop of a pump: its event loop, what wakes it, whether it should end."""

    loop: asyncio.AbstractEventLoop
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    stopping: bool = False


class Pump:
    """``step()`` does one batch and says how many items it handled (0: nothing was due).

    One app may run several loops at once, each in its own event loop (two test clients
    of one app, each with its lifespan): each keeps its own event, and ``wake`` wakes all.
    """

    def __init__(self, name: str, step: Callable[[], Awaitable[int]], *, poll: float, grace: float) -> None:
        self._name = name
        self._step = step
        self._poll = poll
        self._grace = grace
        self._runs: dict[asyncio.Task[None], _Run] = {}

    def wake(self) -> None:
        """Tell the running loops there is new work (a no-op before one starts or once they
        ended: the work waits in its table for the next start)."""
        for run in list(self._runs.values()):
            with suppress(RuntimeError):  # that event loop closed
                run.loop.call_soon_threadsafe(run.wake.set)

    async def run(self) -> None:
        """Work through what is due until stopped; a failing batch is logged and retried."""
        task = asyncio.current_task()
        assert task is not None
        run = self._runs[task] = _Run(asyncio.get_running_loop())
        try:
            while not run.stopping:
                try:
                    while not run.stopping and await self._step():
                        pass
                except Exception:
                    log.exception("the %s could not be worked through; retrying", self._name)
                with suppress(TimeoutError):
                    await asyncio.wait_for(run.wake.wait(), timeout=self._poll)
                run.wake.clear()
        finally:
            self._runs.pop(task, None)

    async def stop(self, task: asyncio.Task[None]) -> None:
        """Let the batch in hand finish (at most ``grace`` seconds), then end that loop."""
        run = self._runs.get(task)
        if run is None:  # not started yet: nothing in hand to finish
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            return
        run.stopping = True
        run.wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=self._grace)
        except TimeoutError:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
