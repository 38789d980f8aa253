"""What an app instance holds for live threads: its hub, the relay that joins it to the
other processes, and the renderings its streams share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from commentbox.live.announce import Announcer
from commentbox.live.hub import Hub
from commentbox.live.relay import LocalRelay, Relay
from commentbox.live.renderings import Renderings
from commentbox.runtime.events import Events
from commentbox.store.db import Database


@dataclass
class Live:
    hub: Hub
    relay: Relay
    renderings: Renderings[Any] = field(default_factory=Renderings)

    @classmethod
    def open(cls, db: Database, events: Events, database_url: str, redis_url: str | None) -> Live:
        hub = Hub()
        relay = _relay(hub, db, database_url, redis_url)
        Announcer(db, relay).listen_to(events)
        return cls(hub, relay)


def _relay(hub: Hub, db: Database, database_url: str, redis_url: str | None) -> Relay:
    """Redis when configured, else PostgreSQL's own pub/sub, else this process alone. The
    drivers are imported only when used: each comes with its optional extra."""
    if redis_url:
        from commentbox.live.redis_relay import RedisRelay

        return RedisRelay(hub, redis_url)
    if database_url.startswith("postgresql"):
        from commentbox.live.postgres_relay import PostgresRelay

        return PostgresRelay(hub, db, database_url)
    return LocalRelay(hub)
