"""This process's open streams by thread, and the recent events each thread had.

Every event of every instance reaches every process's hub through the relay, so each hub
holds the same recent history: a reader who reconnects to any instance with
``Last-Event-ID`` gets what they missed, or ``RELOAD`` when that is older than the history.
A stream that falls too far behind (a stalled reader) is told to reload rather than
buffered without bound.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from typing import Final

HISTORY_PER_THREAD = 200
THREADS_REMEMBERED = 10_000
QUEUE_PER_STREAM = 100


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """What happened to one comment. ``id`` is made by the publisher, so it is the same on
    every instance; it starts with the time, so ids sort in publishing order."""

    id: str
    channel: str
    kind: str  # "published", "edited" or "deleted"
    thread_id: int
    comment_id: int

    @classmethod
    def new(cls, channel: str, kind: str, thread_id: int, comment_id: int) -> LiveEvent:
        made = f"{time.time_ns() // 1_000_000:x}-{secrets.token_hex(4)}"
        return cls(made, channel, kind, thread_id, comment_id)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> LiveEvent:
        data = json.loads(raw)
        return cls(
            str(data["id"]),
            str(data["channel"]),
            str(data["kind"]),
            int(data["thread_id"]),
            int(data["comment_id"]),
        )


class Reload:
    """Told to a stream that cannot be brought up to date event by event."""


RELOAD: Final = Reload()
Item = LiveEvent | Reload


def channel_of(site_id: str, thread_key: str) -> str:
    return f"{site_id}\n{thread_key}"


class Hub:
    def __init__(self) -> None:
        self._streams: dict[str, set[asyncio.Queue[Item]]] = {}
        self._history: OrderedDict[str, deque[LiveEvent]] = OrderedDict()
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The loop the streams run on; events from other threads are handed over to it."""
        self._loop = loop

    @property
    def open_streams(self) -> int:
        return sum(len(queues) for queues in self._streams.values())

    def deliver_threadsafe(self, event: LiveEvent) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.deliver, event)

    def deliver(self, event: LiveEvent) -> None:
        """On the loop: remember the event and hand it to every stream of its thread."""
        history = self._history.get(event.channel)
        if history is None:
            history = self._history[event.channel] = deque(maxlen=HISTORY_PER_THREAD)
            if len(self._history) > THREADS_REMEMBERED:
                self._history.popitem(last=False)
        else:
            self._history.move_to_end(event.channel)
        history.append(event)
        for queue in self._streams.get(event.channel, ()):
            _offer(queue, event)

    def reload_everyone(self) -> None:
        """After the relay lost events (its connection dropped), nobody's history is whole."""
        self._history.clear()
        for queues in self._streams.values():
            for queue in queues:
                _offer(queue, RELOAD)

    def _missed(self, channel: str, last_event_id: str | None) -> list[Item]:
        if last_event_id is None:
            return []
        history = list(self._history.get(channel, ()))
        for index, event in enumerate(history):
            if event.id == last_event_id:
                return list(history[index + 1 :])
        return [RELOAD]  # older than what we keep, from before a restart, or made up

    @asynccontextmanager
    async def subscribe(self, channel: str, last_event_id: str | None) -> AsyncIterator[asyncio.Queue[Item]]:
        queue: asyncio.Queue[Item] = asyncio.Queue(QUEUE_PER_STREAM)
        for item in self._missed(channel, last_event_id)[-QUEUE_PER_STREAM:]:
            queue.put_nowait(item)
        self._streams.setdefault(channel, set()).add(queue)
        try:
            yield queue
        finally:
            queues = self._streams.get(channel)
            if queues is not None:
                queues.discard(queue)
                if not queues:
                    del self._streams[channel]


def _offer(queue: asyncio.Queue[Item], item: Item) -> None:
    """Queue ``item``; a stream that is too far behind gets one ``RELOAD`` instead."""
    try:
        queue.put_nowait(item)
    except asyncio.QueueFull:
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(RELOAD)
