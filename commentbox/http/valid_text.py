"""One place that refuses invalid text in every path and query parameter.

A NUL or another control character has no business in an address, and PostgreSQL refuses
NUL in text outright: sent on, one such request failed the batched freshness query of every
reader waiting with it. Bytes that are not UTF-8 once percent-decoded are refused alike.
This runs before any route, so no handler, cache key or log line ever sees such a value.
The sign-in pages under ``/auth/`` are the exception: they check their own ids and states
and answer a person in a browser with a page, not with problem+json.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from commentbox.errors import MalformedRequest
from commentbox.http.problems import problem_response

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
OWN_PAGES = "/auth/"  # sign-in pages: they refuse odd values with a page of their own
REFUSED = "The address holds a character no address may hold (a control character or invalid UTF-8)."


def _valid_query(query: bytes) -> bool:
    for part in query.replace(b"+", b" ").split(b"&"):
        try:
            text = unquote_to_bytes(part).decode("utf-8")
        except UnicodeDecodeError:
            return False
        if _CONTROL.search(text):
            return False
    return True


def valid_address(path: str, query: bytes) -> bool:
    """Whether a request's (decoded) path and raw query string hold only valid text."""
    if _CONTROL.search(path):
        return False
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate the server decoded from the path
        return False
    return _valid_query(query)


class ValidText:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and not scope["path"].startswith(OWN_PAGES)
            and not valid_address(scope["path"], scope.get("query_string", b""))
        ):
            await problem_response(MalformedRequest(REFUSED))(scope, receive, send)
            return
        await self.app(scope, receive, send)
