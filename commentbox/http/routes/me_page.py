"""``/me``: the "Your comments and data" page, server-rendered, for a signed-in visitor.

The widget opens ``/me?site=S&ticket=T`` (``page_tickets.py``); the ticket is spent once
and the session's token moves into a first-party cookie scoped to ``/me`` (HttpOnly,
SameSite=Lax), so the page works with third-party cookies blocked. The cookie names the
same session row as the widget's bearer: signing out either ends both. Every POST passes
the same-origin check (``http/forms.py``) and carries a token derived from the session,
so a forged form from another site, or one replayed after sign-out, does nothing.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from commentbox.domain import erasure, my_data, page_tickets, user_sessions
from commentbox.domain.erasure import Identity
from commentbox.errors import CommentboxError, Forbidden, InvalidInput, Unauthorized
from commentbox.http.forms import Form, first, read_form, refuse_cross_site
from commentbox.http.openapi.operation import Operation
from commentbox.http.request import context
from commentbox.http.routes.api import site_param
from commentbox.runtime.offload import blocking

COOKIE = "commentbox_me"
CSRF_PURPOSE = "commentbox.me-csrf"
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' https: data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SIGNED_OUT = (
    "To see what this site's comments hold about you, open “Your comments and data” "
    "from the comments under one of its pages while signed in."
)


def _harden(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _render(request: Request, values: dict[str, Any], status: int = 200) -> Response:
    values = {"data": None, "sentence": "", "csrf": "", **values}  # the template's every name
    response = request.app.state.templates.TemplateResponse(
        request, "me/page.html", values, status_code=status
    )
    return _harden(response)


def _csrf(request: Request, session_id: str) -> str:
    key = context(request).keys.purpose_key(CSRF_PURPOSE).encode()
    return hmac.new(key, session_id.encode(), "sha256").hexdigest()


def _signed_in(request: Request, site_id: str) -> user_sessions.SignedIn:
    token = request.cookies.get(COOKIE)
    if not token:
        raise Unauthorized(SIGNED_OUT)
    return user_sessions.resolve(context(request).user_sessions, token, site_id)


def _forget(response: Response) -> Response:
    response.delete_cookie(COOKIE, path="/me")
    return response


def _problem(request: Request, exc: CommentboxError) -> Response:
    response = _render(request, {"title": exc.title, "sentence": exc.detail}, exc.status)
    return _forget(response) if isinstance(exc, Unauthorized) else response


async def page(request: Request) -> Response:
    """The page itself; with ``ticket``, first spend it and come back here without it."""
    ctx = context(request)
    try:
        site_id = site_param(request)
        ticket = request.query_params.get("ticket")
        if ticket is not None:
            token = await blocking(page_tickets.redeem, ctx.user_sessions, ticket, site_id)
            response = _harden(RedirectResponse(f"/me?{urlencode({'site': site_id})}", status_code=303))
            response.set_cookie(
                COOKIE,
                token,
                path="/me",
                httponly=True,
                samesite="lax",
                secure=ctx.settings.base_url.startswith("https://"),
            )
            return response

        def load() -> tuple[user_sessions.SignedIn, my_data.MyData]:
            signed_in = _signed_in(request, site_id)
            identity = Identity.user(site_id, signed_in.user.id)  # type: ignore[arg-type]
            return signed_in, my_data.my_data(ctx.db, identity, signed_in.session_id)

        signed_in, data = await blocking(load)
    except CommentboxError as exc:
        return _problem(request, exc)
    values = {"title": f"Your comments and data on {data.site_name}", "data": data}
    return _render(request, {**values, "csrf": _csrf(request, signed_in.session_id)})


async def download(request: Request) -> Response:
    """``/me/data.json``: the same document as ``GET /api/v1/me/data``, as a file."""
    ctx = context(request)
    try:
        site_id = site_param(request)

        def load() -> my_data.MyData:
            signed_in = _signed_in(request, site_id)
            identity = Identity.user(site_id, signed_in.user.id)  # type: ignore[arg-type]
            return my_data.my_data(ctx.db, identity, signed_in.session_id)

        data = await blocking(load)
    except CommentboxError as exc:
        return _problem(request, exc)
    name = f"commentbox-{data.site}-my-data.json"
    return _harden(
        Response(
            data.model_dump_json(indent=2),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    )


async def _posted(request: Request) -> tuple[user_sessions.SignedIn, Form]:
    """The session behind the cookie and the form, after the same-origin and token checks."""
    refuse_cross_site(request)
    form = await read_form(request)
    site_id = first(form, "site")
    if not site_id:
        raise InvalidInput("“site” is required.", field="site")
    signed_in = await blocking(_signed_in, request, site_id)
    if not hmac.compare_digest(first(form, "csrf"), _csrf(request, signed_in.session_id)):
        raise Forbidden("This form has expired. Go back, reload the page and try again.")
    return signed_in, form


def _back(site_id: str, done: str) -> Response:
    return _harden(RedirectResponse(f"/me?{urlencode({'site': site_id, 'done': done})}", status_code=303))


async def erase(request: Request) -> Response:
    ctx = context(request)
    try:
        signed_in, form = await _posted(request)
        if first(form, "confirm") != "erase":
            raise InvalidInput("Tick the box to confirm that everything should be erased.", field="confirm")
        identity = Identity.user(signed_in.site_id, signed_in.user.id)  # type: ignore[arg-type]
        erased = await blocking(erasure.erase, ctx.erasing, identity)
    except CommentboxError as exc:
        return _problem(request, exc)
    sentence = (
        f"Erased: {erased.comments} comment(s), {erased.votes} vote(s), "
        f"{erased.subscriptions} subscription(s). You are signed out on this site."
    )
    return _forget(_render(request, {"title": "Your data was erased", "sentence": sentence}))


async def unsubscribe(request: Request) -> Response:
    ctx = context(request)
    try:
        signed_in, _ = await _posted(request)
        identity = Identity.user(signed_in.site_id, signed_in.user.id)  # type: ignore[arg-type]
        await blocking(my_data.unsubscribe_all, ctx.db, identity)
    except CommentboxError as exc:
        return _problem(request, exc)
    return _back(signed_in.site_id, "unsubscribed")


async def sign_out(request: Request) -> Response:
    """Sign out one session (by its handle); signing out this page's own session ends the page."""
    ctx = context(request)
    try:
        signed_in, form = await _posted(request)
        identity = Identity.user(signed_in.site_id, signed_in.user.id)  # type: ignore[arg-type]
        handle = first(form, "session")
        await blocking(my_data.sign_out_session, ctx.db, identity, handle)
    except CommentboxError as exc:
        return _problem(request, exc)
    if handle == my_data.session_handle(signed_in.session_id):
        sentence = "You are signed out. Sign in again from the comments to come back here."
        return _forget(_render(request, {"title": "Signed out", "sentence": sentence}))
    return _back(signed_in.site_id, "signed-out")


routes = [
    Route("/me", page, methods=["GET"]),
    Route("/me/data.json", download, methods=["GET"]),
    Route("/me/erase", erase, methods=["POST"]),
    Route("/me/unsubscribe", unsubscribe, methods=["POST"]),
    Route("/me/sessions/sign-out", sign_out, methods=["POST"]),
]

_HTML = "text/html"
_FORM: dict[int, type[BaseModel] | str] = {
    303: "back to the page",
    200: _HTML,
    403: "sent from another site, or an expired form",
}
_SITE = ("site", "query", True, "the site id")
operations = [
    Operation(
        "get",
        "/me",
        "“Your comments and data”: with `ticket` (from `POST /api/v1/me/page`) spends it and "
        "sets the page's cookie; without, shows the page to that cookie's session",
        (_SITE, ("ticket", "query", False, "the one-time ticket")),
        responses={200: _HTML, 303: "to the page, without the ticket", 401: _HTML},
        tag="my-data",
    ),
    Operation(
        "get",
        "/me/data.json",
        "The same document as `GET /api/v1/me/data`, as a download",
        (_SITE,),
        responses={200: "JSON attachment", 401: _HTML},
        tag="my-data",
    ),
    Operation(
        "post", "/me/erase", "Erase everything (form field `confirm=erase`)", responses=_FORM, tag="my-data"
    ),
    Operation(
        "post", "/me/unsubscribe", "Stop every reply notification on the site", responses=_FORM, tag="my-data"
    ),
    Operation(
        "post",
        "/me/sessions/sign-out",
        "Sign out one session (field `session`: its handle from the page)",
        responses=_FORM,
        tag="my-data",
    ),
]
