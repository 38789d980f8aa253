"""Live events between processes through Redis pub/sub (``COMMENTBOX_REDIS_URL``)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import redis
import redis.asyncio

from commentbox.live.hub import Hub, LiveEvent
from commentbox.live.relay import CHANNEL, ListeningRelay

log = logging.getLogger(__name__)


class RedisRelay(ListeningRelay):
    def __init__(self, hub: Hub, url: str) -> None:
        super().__init__(hub)
        self._url = url
        self._client = redis.Redis.from_url(url)

    def publish(self, event: LiveEvent) -> None:
        try:
            self._client.publish(CHANNEL, event.to_json())
        except redis.RedisError as exc:  # readers reload when they reconnect; posting goes on
            log.warning("live update not published: %s", type(exc).__name__)

    async def _messages(self) -> AsyncIterator[str | bytes | None]:
        client = redis.asyncio.Redis.from_url(self._url)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(CHANNEL)
                yield None
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        yield message["data"]
        finally:
            await client.aclose()
