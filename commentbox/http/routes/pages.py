"""Plain pages: the demo at ``/``, health, guests' generated avatars, and signed-in users'
pictures served by this server (``domain/avatars.py``)."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from commentbox.domain import avatars
from commentbox.errors import NotFound
from commentbox.html.avatars import identicon_svg
from commentbox.http.request import context
from commentbox.runtime.offload import blocking

DEMO_SITE = "demo"
DEMO_PATH = "/"
_AVATAR_KEY = re.compile(r"^[0-9a-f]{1,64}$")
_PICTURE_KEY = re.compile(r"^[0-9a-f-]{1,64}$")
# A picture's address changes with the picture, so browsers may keep it for long; the bytes
# came from elsewhere, so they are never sniffed as anything else and never run anything.
PICTURE_HEADERS = {
    "Cache-Control": "public, max-age=604800, immutable",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Resource-Policy": "cross-origin",
}
STAND_IN_CACHE = "public, max-age=3600"  # the identicon while a picture cannot be had: ask again later


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


async def picture(request: Request) -> Response:
    """A signed-in author's picture, fetched from the provider by this server (once, then
    cached); the identicon when there is none to show."""
    key = request.path_params["key"]
    if not _PICTURE_KEY.match(key):
        raise NotFound("No such avatar.")
    found = await blocking(avatars.picture, context(request).pictures, key)
    if found is None:
        headers = {**PICTURE_HEADERS, "Cache-Control": STAND_IN_CACHE}
        return Response(identicon_svg(key), media_type="image/svg+xml", headers=headers)
    return Response(found.body, media_type=found.media_type, headers=PICTURE_HEADERS)


routes = [
    Route("/", demo, methods=["GET"]),
    Route("/healthz", healthz, methods=["GET"]),
    Route("/avatars/{key}.svg", avatar, methods=["GET"]),
    Route("/avatars/{key}", picture, methods=["GET"]),  # after .svg: a guest's key has no dash
]
