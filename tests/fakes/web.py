"""A fake web site for the fetcher's tests: pages, images, lies, drips and endless bodies.

It runs as a real uvicorn server on 127.0.0.1 (``ServerThread``) and counts every request in
``hits``, so a test can prove that a refused fetch never reached it. Routes::

    /page            a small HTML page              /png        a real 1×1 PNG
    /html-as-png     HTML declared as image/png     /huge       1 GB, streamed
    /huge.png        1 GB declared image/png, starting as a PNG does
    /missing.png     404                            /slow.png   a PNG after half a second
    /drip            one byte a second              /echo       POST: what it received, as JSON
    /redirect/N      N redirects, then /page        /go?to=URL  one redirect to URL
"""

from __future__ import annotations

import asyncio
import base64
from collections import Counter
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

PAGE = "<!DOCTYPE html><html><head><title>Hello</title></head><body><p>Hello</p></body></html>"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
GIGABYTE = 1 << 30
CHUNK = 64 * 1024


class FakeWeb:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.huge_bytes_sent = 0
        self.seen: list[Request] = []
        self.app = Starlette(
            routes=[
                Route("/page", self.page),
                Route("/png", self.png),
                Route("/html-as-png", self.html_as_png),
                Route("/huge", self.huge),
                Route("/huge.png", self.huge_png),
                Route("/missing.png", self.missing),
                Route("/slow.png", self.slow_png),
                Route("/drip", self.drip),
                Route("/echo", self.echo, methods=["POST"]),
                Route("/redirect/{n:int}", self.redirect),
                Route("/go", self.go, methods=["GET", "POST"]),
            ]
        )

    def _count(self, request: Request) -> None:
        self.hits[request.url.path] += 1
        self.seen.append(request)

    async def page(self, request: Request) -> Response:
        self._count(request)
        return HTMLResponse(PAGE)

    async def png(self, request: Request) -> Response:
        self._count(request)
        return Response(PNG, media_type="image/png")

    async def html_as_png(self, request: Request) -> Response:
        self._count(request)
        return Response(PAGE.encode(), media_type="image/png")

    async def slow_png(self, request: Request) -> Response:
        self._count(request)
        await asyncio.sleep(0.5)
        return Response(PNG, media_type="image/png")

    async def missing(self, request: Request) -> Response:
        self._count(request)
        return Response(b"no such picture", status_code=404, media_type="text/plain")

    async def huge(self, request: Request) -> Response:
        return self._endless(request, b"a", "text/html")

    async def huge_png(self, request: Request) -> Response:
        return self._endless(request, PNG, "image/png")

    def _endless(self, request: Request, first: bytes, media_type: str) -> Response:
        """A gigabyte, sent 64 KiB at a time until the client hangs up."""
        self._count(request)

        async def body() -> AsyncIterator[bytes]:
            block = (first * CHUNK)[:CHUNK]
            for _ in range(GIGABYTE // CHUNK):
                if await request.is_disconnected():  # what a real server does: stop sending
                    return
                self.huge_bytes_sent += CHUNK
                yield block

        return StreamingResponse(body(), media_type=media_type)

    async def drip(self, request: Request) -> Response:
        self._count(request)

        async def body() -> AsyncIterator[bytes]:
            yield b"<p>"
            for _ in range(30):
                await asyncio.sleep(1)
                yield b"x"

        return StreamingResponse(body(), media_type="text/html")

    async def echo(self, request: Request) -> Response:
        self._count(request)
        return JSONResponse(
            {"body": (await request.body()).decode(), "content_type": request.headers.get("content-type")}
        )

    async def redirect(self, request: Request) -> Response:
        self._count(request)
        n = request.path_params["n"]
        return RedirectResponse(f"/redirect/{n - 1}" if n > 1 else "/page", status_code=302)

    async def go(self, request: Request) -> Response:
        self._count(request)
        return RedirectResponse(request.query_params["to"], status_code=307)
