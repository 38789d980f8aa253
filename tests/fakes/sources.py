"""Other people's blogs for the linkback tests: pages a test writes, served by a real uvicorn
server on 127.0.0.1 (``ServerThread``), plus a 10 MB page. ``hits`` counts each request.

    sources.put("/post", "<a href='https://blog.example/posts/hello/'>…</a>")
    sources.put("/gone", "", status=410)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

TEN_MB = 10 * 1024 * 1024


class FakeSources:
    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, str, bytes]] = {}
        self.hits: Counter[str] = Counter()
        self.app = Starlette(routes=[Route("/huge", self.huge), Route("/{path:path}", self.page)])

    def put(self, path: str, html: str, *, status: int = 200, content_type: str = "text/html") -> None:
        self.pages[path] = (status, content_type, html.encode())

    async def page(self, request: Request) -> Response:
        self.hits[request.url.path] += 1
        status, content_type, body = self.pages.get(request.url.path, (404, "text/html", b"<p>Not here</p>"))
        return Response(body, status_code=status, media_type=content_type)

    async def huge(self, request: Request) -> Response:
        """A real article linking to anything, made 10 MB long by what follows the link."""
        self.hits["/huge"] += 1

        async def body() -> AsyncIterator[bytes]:
            yield b"<!doctype html><title>Huge</title><p><a href='https://blog.example/posts/hello/'>x</a></p>"
            block = b"<p>" + b"filler " * 9000 + b"</p>"
            for _ in range(TEN_MB // len(block)):
                if await request.is_disconnected():
                    return
                yield block

        return StreamingResponse(body(), media_type="text/html")
