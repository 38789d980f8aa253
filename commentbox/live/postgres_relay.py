"""Live events between processes through PostgreSQL's ``LISTEN/NOTIFY``: no new service."""

from __future__ import annotations

from collections.abc import AsyncIterator

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from commentbox.live.hub import Hub, LiveEvent
from commentbox.live.relay import CHANNEL, ListeningRelay
from commentbox.store.db import Database

NOTIFY = text("SELECT pg_notify(:channel, :payload)")


class PostgresRelay(ListeningRelay):
    def __init__(self, hub: Hub, db: Database, url: str) -> None:
        super().__init__(hub)
        self._db = db
        self._conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

    def publish(self, event: LiveEvent) -> None:
        with self._db.engine.begin() as connection:
            connection.execute(NOTIFY, {"channel": CHANNEL, "payload": event.to_json()})

    async def _messages(self) -> AsyncIterator[str | bytes | None]:
        async with await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True) as connection:
            await connection.execute(f"LISTEN {CHANNEL}")
            yield None
            async for notification in connection.notifies():
                yield notification.payload
