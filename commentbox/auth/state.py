"""Authlib's state cache in the database: redirect URI, nonce and PKCE verifier stay server-side.

Authlib then keeps only a marker in the popup's signed (readable, not secret) cookie, and
checks it at the callback, so the flow is bound to the browser that started it. Entries
live ``ttl`` seconds whatever Authlib asks for, and ``get`` deletes what it reads: a state
is usable once, even by two callbacks racing on two instances.
"""

from __future__ import annotations

from datetime import timedelta

from commentbox.runtime.offload import blocking
from commentbox.store import users
from commentbox.store.db import Database
from commentbox.store.models import utcnow


class DatabaseStateCache:
    """The async ``get``/``set``/``delete`` interface ``authlib…starlette_client.OAuth(cache=)`` uses."""

    def __init__(self, db: Database, ttl_seconds: int) -> None:
        self._db = db
        self._ttl = ttl_seconds

    @staticmethod
    def _storable(key: str) -> bool:
        """Keys embed the ``state`` a callback URL carries: anything odd cannot be ours."""
        return len(key) <= 255 and "\x00" not in key and key.isprintable()

    def _take(self, key: str) -> str | None:
        if not self._storable(key):
            return None
        with self._db.write() as session:
            return users.take_oauth_state(session, key, utcnow())

    def _put(self, key: str, value: str) -> None:
        with self._db.write() as session:
            users.put_oauth_state(session, key, value, utcnow() + timedelta(seconds=self._ttl))

    def _delete(self, key: str) -> None:
        if not self._storable(key):
            return
        with self._db.write() as session:
            users.delete_oauth_state(session, key)

    async def get(self, key: str) -> str | None:
        return await blocking(self._take, key)

    async def set(self, key: str, value: str, expires: int | None = None) -> None:
        await blocking(self._put, key, value)

    async def delete(self, key: str) -> None:
        await blocking(self._delete, key)
