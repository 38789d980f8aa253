"""The two hottest routes, answered without walking the router.

Every page view of every article asks for its thread (``GET /api/v1/threads`` from the API,
``GET /embed/thread`` from the widget), and those answers come from memory; what is left
of their cost is mostly the framework around them (route matching through the mounts, the
request wrapper, the exception middleware: about a fifth of a cached read). This innermost
middleware hands such a request straight to its endpoint — the very handler the router
would call, inside the same security and CORS middleware. Anything that goes wrong falls
through to the full stack, which answers it again with the app's error handlers (reads
change nothing, so answering twice is harmless).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

Endpoint = Callable[[Request], Awaitable[Response]]


class HotReads:
    def __init__(self, app: ASGIApp, endpoints: Mapping[str, Endpoint]) -> None:
        self.app = app
        self.endpoints = endpoints

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = self.endpoints.get(scope["path"]) if scope["type"] == "http" else None
        if endpoint is not None and scope["method"] == "GET":
            scope["endpoint"] = endpoint  # as the router would: /metrics labels by it
            response = await _answer(endpoint, Request(scope, receive))
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _answer(endpoint: Endpoint, request: Request) -> Response | None:
    """The endpoint's response; None when it raised (the full stack then answers the error)."""
    try:
        return await endpoint(request)
    except Exception:
        return None
