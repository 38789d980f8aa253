"""A minimal JSON HTTP client for seeding and probing (standard library only).

Seeding goes through each system's public HTTP API, the way real comments
arrive, so this stays dependency-free and refuses non-loopback targets.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reply:
    """Status, headers and raw body of one HTTP exchange."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body)


def request(
    method: str,
    url: str,
    payload: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> Reply:
    """Send one request; HTTP error statuses are returned, not raised."""
    if not url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        raise ValueError(f"refusing a non-loopback address: {url}")
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        req.add_header(key, value)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Reply(resp.status, dict(resp.headers.items()), resp.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, dict(exc.headers.items()), exc.read())


def expect(reply: Reply, ok: tuple[int, ...], what: str) -> Reply:
    """Raise with the server's own words when `reply` is not one of `ok`."""
    if reply.status not in ok:
        raise RuntimeError(f"{what}: HTTP {reply.status}: {reply.body[:500]!r}")
    return reply
