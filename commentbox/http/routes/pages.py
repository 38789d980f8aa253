"""Plain pages: the demo at ``/``, health, generated avatars."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from commentbox.errors import NotFound
from commentbox.html.avatars import identicon_svg
from commentbox.http.request import context

DEMO_SITE = "demo"
DEMO_PATH = "/"
_AVATAR_KEY = re.compile(r"^[0-9a-f]{1,64}$")


async def demo(request: Request) -> Response:
    """A sample article on this server's own origin with the widget embedded, to try
    commentbox right after install. The page loads ``/embed.js`` from the address the
    browser used, so it works through ``localhost`` and ``127.0.0.1`` alike."""
    ctx = context(request)
    if not ctx.settings.demo_page:
        raise NotFound("There is nothing here.")
    base_url = str(request.base_url).rstrip("/")
    return request.app.state.templates.TemplateResponse(
        request,
        "demo.html",
        {"base_url": base_url, "page_url": base_url + DEMO_PATH, "site": DEMO_SITE},
    )


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def avatar(request: Request) -> Response:
    key = request.path_params["key"]
    if not _AVATAR_KEY.match(key):
        raise NotFound("No such avatar.")
    return Response(
        identicon_svg(key),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=604800, immutable"},
    )


routes = [
    Route("/", demo, methods=["GET"]),
    Route("/healthz", healthz, methods=["GET"]),
    Route("/avatars/{key}.svg", avatar, methods=["GET"]),
]
