"""``/admin/login`` and ``/admin/logout``: password sign-in with a double-submit login cookie,
and the first-party ``Strict`` session cookie provider sign-in shares."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from commentbox.admin import moderators
from commentbox.errors import Forbidden
from commentbox.http.forms import first, read_form, refuse_cross_site
from commentbox.http.request import context
from commentbox.http.routes.admin.plumbing import (
    COOKIE,
    page,
    posted,
    redirect,
    render,
)
from commentbox.runtime.offload import blocking

LOGIN_COOKIE = "commentbox_admin_login"


def _providers(request: Request) -> list[tuple[str, str]]:
    """``(name, label)`` of the configured providers a moderator may sign in with."""
    auth = context(request).auth
    return [(name, p.label) for name, p in auth.providers.items()] if auth else []


@page
async def login_form(request: Request) -> Response:
    token = secrets.token_urlsafe(24)
    values = {"csrf": token, "error": None, "providers": _providers(request)}
    response = render(request, "login.html", values)
    _login_cookie(request, response, token)
    return response


def _login_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=3600,
        path="/admin",
        httponly=True,
        samesite="strict",
        secure=context(request).settings.base_url.startswith("https://"),
    )


@page
async def login(request: Request) -> Response:
    refuse_cross_site(request)
    form = await read_form(request)
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(first(form, "csrf"), expected):
        raise Forbidden("The sign-in form has expired. Reload the page and try again.")
    account = await blocking(
        moderators.authenticate,
        context(request).moderator_access,
        first(form, "name"),
        first(form, "password"),
    )
    if account is None:
        token = secrets.token_urlsafe(24)
        values = {
            "csrf": token,
            "error": "Wrong name or password.",
            "name": first(form, "name"),
            "providers": _providers(request),
        }
        response = render(request, "login.html", values, 401)
        _login_cookie(request, response, token)
        return response
    signed = await blocking(moderators.open_session, context(request).moderator_access, account)
    response = redirect("/admin")
    set_session_cookie(request, response, signed)
    response.delete_cookie(LOGIN_COOKIE, path="/admin")
    return response


def set_session_cookie(request: Request, response: Response, signed: moderators.AdminSignIn) -> None:
    """The ``/admin`` session (password or provider sign-in): first-party, ``Strict``."""
    response.set_cookie(
        COOKIE,
        signed.token,
        max_age=signed.expires_seconds,
        path="/admin",
        httponly=True,
        samesite="strict",
        secure=context(request).settings.base_url.startswith("https://"),
    )


@page
async def logout(request: Request) -> Response:
    await posted(request)
    await blocking(moderators.close_session, context(request).moderator_access, request.cookies.get(COOKIE))
    response = redirect("/admin/login")
    response.delete_cookie(COOKIE, path="/admin")
    return response
