"""HTML forms posted to this server's own pages: where they came from, and what they hold.

Every same-origin form (admin pages, links in emails, the sign-in confirmation and demo
pages) passes one check, the way browsers tell it. ``Sec-Fetch-Site`` comes first because
our pages send no referrer, so Chromium and Firefox post them with ``Origin: null``; only
browsers without ``Sec-Fetch-Site`` are judged by ``Origin``. A request that proves neither
is refused: a forged post from another site, a sandboxed frame, or a script.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response

from commentbox.domain.urls import origin_of
from commentbox.errors import Forbidden, InvalidInput
from commentbox.http.request import context, read_body

Form = dict[str, list[str]]
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
MAX_FIELDS = 2000


def sent_from_here(request: Request) -> bool:
    """True when the browser says this request comes from a page of this server."""
    own = origin_of(context(request).settings.base_url)
    origin = request.headers.get("origin")
    if origin not in (None, "null", own):
        return False
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    return origin == own


def refuse_cross_site(request: Request) -> None:
    if not sent_from_here(request):
        raise Forbidden("This form was sent from another site.")


async def read_form(request: Request) -> Form:
    """The urlencoded body, capped like every body; multipart is not what our pages send."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise InvalidInput("Send the form as the page does.")
    raw = await read_body(request, context(request).settings.max_body_bytes)
    try:
        return parse_qs(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("The form could not be read.") from None


def first(form: Form, name: str, default: str = "") -> str:
    """A field's value: our pages send each field once, so a repeated one is not read twice."""
    values = form.get(name)
    return values[0] if values else default


def continue_to(request: Request, target: str) -> Response:
    """A page that moves on to ``target`` by itself, to answer a form posted here with a way
    off this server: our pages allow forms to post to this server only (CSP ``form-action
    'self'``), and browsers apply that to the redirects that answer a post, so a 303 there
    would stop."""
    values = {"title": "Continuing", "target": target}
    response: Response = request.app.state.templates.TemplateResponse(
        request, "auth/continue.html", values, headers=NO_STORE
    )
    return response
