"""Carries live events between the processes that serve one site: every worker of every
instance. On PostgreSQL ``LISTEN/NOTIFY`` (no new service); with ``COMMENTBOX_REDIS_URL``,
Redis pub/sub; on SQLite, nothing leaves the process (docs/live.md: one worker).

Publishing is synchronous (it runs in the thread that wrote the comment, after its commit);
listening is one task per process on the event loop, which reconnects after a failure and
then tells every stream to reload, since whatever was published meanwhile is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from typing import Protocol

from commentbox.live.hub import Hub, LiveEvent

log = logging.getLogger(__name__)

CHANNEL = "commentbox_live"
RETRY_SECONDS = 1.0


class Relay(Protocol):
    def publish(self, event: LiveEvent) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class LocalRelay:
    """One process: straight to this process's hub."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub

    def publish(self, event: LiveEvent) -> None:
        self._hub.deliver_threadsafe(event)

    async def start(self) -> None:
        self._hub.bind(asyncio.get_running_loop())

    async def stop(self) -> None:
        return None


class ListeningRelay(ABC):
    """The listening half shared by PostgreSQL and Redis: a task that delivers what arrives.
    ``_messages`` yields ``None`` once it listens, then each message's payload."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._task: asyncio.Task[None] | None = None

    @abstractmethod
    def publish(self, event: LiveEvent) -> None: ...

    @abstractmethod
    def _messages(self) -> AsyncIterator[str | bytes | None]: ...

    async def start(self) -> None:
        self._hub.bind(asyncio.get_running_loop())
        self._task = asyncio.create_task(self._listen_forever(), name="commentbox-live-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _listen_forever(self) -> None:
        reconnecting = False
        while True:
            try:
                async for raw in self._messages():
                    if raw is None:  # listening (again): what was sent meanwhile is lost
                        if reconnecting:
                            self._hub.reload_everyone()
                        continue
                    self._deliver(raw)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the server went away: listen again shortly
                log.warning("live updates relay lost its connection: %s", type(exc).__name__)
            reconnecting = True
            await asyncio.sleep(RETRY_SECONDS)

    def _deliver(self, raw: str | bytes) -> None:
        try:
            self._hub.deliver(LiveEvent.from_json(raw))
        except (ValueError, KeyError, TypeError):
            log.warning("live updates relay ignored a message it cannot read")
