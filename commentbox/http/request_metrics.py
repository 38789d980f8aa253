"""Timing every HTTP request for the metrics registry, labelled by its route template.

Routes are labelled by their template (``/api/v1/comments/{comment_id}``), never by the
raw path, so label values stay few whatever clients send; unmatched paths are
``unmatched``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable

from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commentbox.runtime.metrics import Metrics

UNMATCHED = "unmatched"
_CONVERTER = re.compile(r"\{(\w+):\w+\}")  # "{comment_id:id}" is labelled "{comment_id}"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_templates(routes: Iterable[BaseRoute], prefix: str = "") -> dict[int, str]:
    """``id(endpoint) → path template`` for every route, mounts included (by identity: some
    endpoints, like routers, are not hashable; all live as long as the app)."""
    found: dict[int, str] = {}
    for route in routes:
        if isinstance(route, Route):
            found[id(route.endpoint)] = _CONVERTER.sub(r"{\1}", prefix + route.path)
        elif isinstance(route, Mount):
            found.update(route_templates(route.routes, prefix + route.path))
            found.setdefault(id(route.app), prefix + route.path)
    return found


class RequestMetrics:
    """ASGI middleware timing every HTTP request and labelling it by its route template.

    The router writes the matched ``endpoint`` into the scope it was given, so once the
    response is out the template is one dictionary lookup away.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics, templates: dict[int, str]) -> None:
        self.app = app
        self.metrics = metrics
        self.templates = templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = self.templates.get(id(scope.get("endpoint")), UNMATCHED)
            method = scope["method"] if scope["method"] in METHODS else "other"
            self.metrics.observe_request(method, route, status, time.perf_counter() - started)
