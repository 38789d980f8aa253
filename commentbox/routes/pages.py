"""Plain pages: the demo at ``/``, health, generated avatars."""

from __future__ import annotations

import re

import orjson
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from commentbox import threads
from commentbox.avatars import identicon_svg
from commentbox.errors import NotFound
from commentbox.sites import get_site
from commentbox.web import blocking, context

DEMO_SITE = "demo"
DEMO_PATH = "/"
_AVATAR_KEY = re.compile(r"^[0-9a-f]{1,64}$")


async def demo(request: Request) -> Response:
    """A sample article on this server's own origin, to try commentbox right after install."""
    ctx = context(request)
    if not ctx.settings.demo_page:
        raise NotFound("There is nothing here.")
    page_url = ctx.settings.base_url + DEMO_PATH

    def load() -> dict[str, object]:
        with ctx.db.read() as session:
            site = get_site(session, DEMO_SITE)
        read = threads.ReadRequest(site=site, ref=threads.resolve_ref(site, page_url, None))
        return orjson.loads(threads.read_thread(ctx, read).body)  # type: ignore[no-any-return]

    thread = await blocking(load)
    return request.app.state.templates.TemplateResponse(
        request,
        "demo.html",
        {
            "base_url": ctx.settings.base_url,
            "page_url": page_url,
            "site": DEMO_SITE,
            "thread": thread,
        },
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
