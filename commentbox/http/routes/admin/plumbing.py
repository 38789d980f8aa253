"""What every admin page shares: the strict CSP and no-store headers, the error page, the
signed-in moderator, and ``posted`` — the same-origin and CSRF checks every admin POST passes."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from commentbox import STATIC
from commentbox.admin import moderators
from commentbox.errors import CommentboxError, Forbidden, InvalidInput, Unauthorized
from commentbox.http.forms import Form, first, read_form, refuse_cross_site
from commentbox.http.request import context
from commentbox.runtime.offload import blocking

COOKIE = "commentbox_admin"
ADMIN_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' https: data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
CSS = STATIC / "admin.css"
Handler = Callable[[Request], Awaitable[Response]]


def render(request: Request, name: str, values: dict[str, Any], status: int = 200) -> Response:
    """An admin page; signed out (``admin`` None) unless the values say who is signed in."""
    response = request.app.state.templates.TemplateResponse(
        request, f"admin/{name}", {"admin": None, "pending": 0, **values}, status_code=status
    )
    harden(response)
    return response


def harden(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = ADMIN_CSP
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def redirect(url: str) -> Response:
    return harden(RedirectResponse(url, status_code=303))


def page(handler: Handler) -> Handler:
    """Domain errors on admin pages become an HTML page with the sentence and the status."""

    @wraps(handler)
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except Unauthorized:
            return redirect("/admin/login")
        except CommentboxError as exc:
            return render(request, "error.html", {"detail": exc.detail, "title": exc.title}, exc.status)

    return wrapped


async def signed_in(request: Request) -> moderators.AdminContext:
    """The moderator behind the session cookie, with the roles they hold now; without one,
    ``Unauthorized``, which ``page`` turns into a redirect to the sign-in page."""
    admin = await blocking(
        moderators.resolve_session, context(request).moderator_access, request.cookies.get(COOKIE)
    )
    if admin is None:
        raise Unauthorized("Your admin session has ended; sign in again.")
    return admin


async def posted(request: Request) -> tuple[moderators.AdminContext, Form]:
    """The signed-in moderator and the form, after the same-origin and CSRF checks."""
    refuse_cross_site(request)
    admin = await signed_in(request)
    form = await read_form(request)
    if not hmac.compare_digest(first(form, "csrf"), admin.csrf):
        raise Forbidden("This form has expired. Go back, reload the page and try again.")
    return admin, form


def back(form: Form, default: str = "/admin") -> str:
    """Where to go after a form: only a path inside /admin (never another host)."""
    target = first(form, "next", default)
    if not target.startswith("/admin") or target.startswith("//") or "\\" in target:
        return default
    return target


def whole_number(value: str, field: str, *, optional: bool = False) -> int | None:
    value = value.strip()
    if optional and not value:
        return None
    if not value.isdigit() or len(value) > 9:
        raise InvalidInput(f"“{field}” must be a whole number.", field=field)
    return int(value)


def comment_ids(form: Form) -> list[int]:
    ids = [int(v) for v in form.get("ids", []) if v.isdigit() and len(v) < 10]
    if not ids:
        raise InvalidInput("Select at least one comment.", field="ids")
    return ids


def here(request: Request) -> str:
    """This page's path and query, sent as a form's ``next`` so the moderator comes back here."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


async def stylesheet(request: Request) -> Response:
    return Response(
        CSS.read_bytes(), media_type="text/css", headers={"Cache-Control": "public, max-age=3600"}
    )
