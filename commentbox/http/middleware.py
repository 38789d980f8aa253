"""ASGI middleware: security headers on every response, and CORS for registered origins only.

CORS here is dynamic because sites (and their origins) live in the database and may be
added from the CLI while the server runs; the allowed set is re-read every few seconds.
No credentials are ever allowed: nothing on the API is authenticated by cookie.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from sqlalchemy.exc import OperationalError
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commentbox.runtime.offload import blocking
from commentbox.store import rows
from commentbox.store.db import Database

log = logging.getLogger(__name__)

HTML_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)
CORS_METHODS = "GET, POST, PATCH, DELETE"
CORS_HEADERS = "Authorization, Content-Type, X-Edit-Token, X-Commentbox-Client, Idempotency-Key"
CORS_EXPOSE = "ETag, Retry-After"
ORIGINS_TTL_SECONDS = 5.0


ALWAYS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"strict-origin-when-cross-origin"))
FOR_HTML = ((b"content-security-policy", HTML_CSP.encode()), (b"x-frame-options", b"DENY"))


def with_defaults(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` (ASGI: lower-case names) plus each security header the response did not
    set itself; on raw pairs, because this runs on every response."""
    found = list(headers)
    names = {name for name, _ in found}
    html = any(name == b"content-type" and value.startswith(b"text/html") for name, value in found)
    wanted = (*ALWAYS, *FOR_HTML) if html else ALWAYS
    return found + [pair for pair in wanted if pair[0] not in names]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_defaults(message.get("headers", ()))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def vary_on_origin(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with ``Origin`` added to ``Vary`` (a cache must not hand one site's CORS
    answer to another)."""
    found = list(headers)
    for index, (name, value) in enumerate(found):
        if name == b"vary":
            if b"origin" not in {part.strip().lower() for part in value.split(b",")}:
                found[index] = (name, value + b", Origin")
            return found
    return [*found, (b"vary", b"Origin")]


class RegisteredOrigins:
    """The union of all sites' origins, cached briefly so CORS costs no query per request."""

    def __init__(self, db: Database, clock: Callable[[], float] = time.monotonic) -> None:
        self._db = db
        self._clock = clock
        self._origins: frozenset[str] = frozenset()
        self._loaded_at = float("-inf")

    def _load(self) -> frozenset[str]:
        with self._db.read() as session:
            return frozenset(o for site in rows.all_sites(session) for o in site.origins)

    async def contains(self, origin: str) -> bool:
        if self._clock() - self._loaded_at > ORIGINS_TTL_SECONDS:
            try:
                self._origins = await blocking(self._load)
            except OperationalError as exc:
                # The database is down: keep the origins last seen (the handler behind will
                # answer 503, readable by the page), and ask again after the next interval.
                log.warning("registered origins could not be read: %s", type(exc).__name__)
            self._loaded_at = self._clock()
        return origin in self._origins


class Cors:
    """CORS for the API, login ids and logout: any registered origin, never credentials."""

    def __init__(self, app: ASGIApp, origins: RegisteredOrigins, prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.origins = origins
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        allowed = origin is not None and await self.origins.contains(origin)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(send, origin if allowed else None)
            return

        extra = [(b"access-control-allow-origin", origin.encode())] if allowed and origin else []

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*vary_on_origin(message.get("headers", ())), *extra]
                if extra:
                    message["headers"].append((b"access-control-expose-headers", CORS_EXPOSE.encode()))
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, send: Send, origin: str | None) -> None:
        headers = [(b"vary", b"Origin")]
        if origin is not None:
            headers += [
                (b"access-control-allow-origin", origin.encode()),
                (b"access-control-allow-methods", CORS_METHODS.encode()),
                (b"access-control-allow-headers", CORS_HEADERS.encode()),
                (b"access-control-max-age", b"600"),
            ]
        await send({"type": "http.response.start", "status": 204 if origin else 403, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
