"""``/admin``: server-rendered moderation pages behind a first-party cookie session.

Every form carries the session's CSRF token (the login form a double-submit cookie), every
POST also refuses a foreign ``Origin`` / ``Sec-Fetch-Site``, and every page is sent with
``frame-ancestors 'none'`` and ``no-store``. Handlers parse the form and call ``moderator``,
``admins`` or ``sites``; errors become an HTML page with the domain's sentence.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from commentbox import STATIC
from commentbox.admin import actions, moderators
from commentbox.domain import sites
from commentbox.errors import CommentboxError, Forbidden, InvalidInput, Unauthorized
from commentbox.http.forms import Form, first, read_form, refuse_cross_site
from commentbox.http.request import context
from commentbox.runtime.offload import blocking
from commentbox.store.models import BanKind, CommentStatus, ModerationMode, NotifyModerators, Role

COOKIE = "commentbox_admin"
LOGIN_COOKIE = "commentbox_admin_login"
ADMIN_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' https: data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
CSS = STATIC / "admin.css"
Handler = Callable[[Request], Awaitable[Response]]


# Plumbing ---------------------------------------------------------------------------------------


def _render(request: Request, name: str, values: dict[str, Any], status: int = 200) -> Response:
    response = request.app.state.templates.TemplateResponse(
        request, f"admin/{name}", values, status_code=status
    )
    _harden(response)
    return response


def _harden(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = ADMIN_CSP
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _redirect(url: str) -> Response:
    return _harden(RedirectResponse(url, status_code=303))


def page(handler: Handler) -> Handler:
    """Domain errors on admin pages become an HTML page with the sentence and the status."""

    @wraps(handler)
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except Unauthorized:
            return _redirect("/admin/login")
        except CommentboxError as exc:
            return _render(request, "error.html", {"detail": exc.detail, "title": exc.title}, exc.status)

    return wrapped


async def _signed_in(request: Request) -> moderators.AdminContext:
    """The moderator behind the session cookie, with the roles they hold now; without one,
    ``Unauthorized``, which ``page`` turns into a redirect to the sign-in page."""
    admin = await blocking(
        moderators.resolve_session, context(request).moderator_access, request.cookies.get(COOKIE)
    )
    if admin is None:
        raise Unauthorized("Your admin session has ended; sign in again.")
    return admin


async def _posted(request: Request) -> tuple[moderators.AdminContext, Form]:
    """The signed-in moderator and the form, after the same-origin and CSRF checks."""
    refuse_cross_site(request)
    admin = await _signed_in(request)
    form = await read_form(request)
    if not hmac.compare_digest(first(form, "csrf"), admin.csrf):
        raise Forbidden("This form has expired. Go back, reload the page and try again.")
    return admin, form


def _back(form: Form, default: str = "/admin") -> str:
    """Where to go after a form: only a path inside /admin (never another host)."""
    target = first(form, "next", default)
    if not target.startswith("/admin") or target.startswith("//") or "\\" in target:
        return default
    return target


def _int(value: str, field: str, *, optional: bool = False) -> int | None:
    value = value.strip()
    if optional and not value:
        return None
    if not value.isdigit() or len(value) > 9:
        raise InvalidInput(f"“{field}” must be a whole number.", field=field)
    return int(value)


def _ids(form: Form) -> list[int]:
    ids = [int(v) for v in form.get("ids", []) if v.isdigit() and len(v) < 10]
    if not ids:
        raise InvalidInput("Select at least one comment.", field="ids")
    return ids


# Sign-in ------------------------------------------------------------------------------------------


def _providers(request: Request) -> list[tuple[str, str]]:
    """``(name, label)`` of the configured providers a moderator may sign in with."""
    auth = context(request).auth
    return [(name, p.label) for name, p in auth.providers.items()] if auth else []


@page
async def login_form(request: Request) -> Response:
    token = secrets.token_urlsafe(24)
    values = {"csrf": token, "error": None, "providers": _providers(request)}
    response = _render(request, "login.html", values)
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
        response = _render(request, "login.html", values, 401)
        _login_cookie(request, response, token)
        return response
    signed = await blocking(moderators.open_session, context(request).moderator_access, account)
    response = _redirect("/admin")
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
    await _posted(request)
    await blocking(moderators.close_session, context(request).moderator_access, request.cookies.get(COOKIE))
    response = _redirect("/admin/login")
    response.delete_cookie(COOKIE, path="/admin")
    return response


# The queue -----------------------------------------------------------------------------------------


def _queue_query(request: Request) -> actions.QueueQuery:
    params = request.query_params
    status = params.get("status", "")
    offset = params.get("offset", "0")
    return actions.QueueQuery(
        status=CommentStatus(status) if status in {s.value for s in CommentStatus} else None,
        text=params.get("q", "")[:200],
        author=params.get("author", "")[:200],
        site=params.get("site", "")[:64],
        thread=params.get("thread", "")[:300],
        offset=int(offset) if offset.isdigit() and len(offset) < 7 else 0,
    )


@page
async def queue(request: Request) -> Response:
    admin = await _signed_in(request)
    query = _queue_query(request)
    ctx = context(request)
    rows = await blocking(actions.queue, ctx.moderation, admin.moderator, query)
    pending = await blocking(actions.pending_count, ctx.moderation, admin.moderator)
    more = None
    if len(rows) == query.limit:
        params = dict(request.query_params) | {"offset": str(query.offset + query.limit)}
        more = "/admin?" + urlencode(params)
    return _render(
        request,
        "queue.html",
        {
            "admin": admin,
            "rows": rows,
            "query": query,
            "pending": pending,
            "more": more,
            "here": _here(request),
        },
    )


def _here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


@page
async def bulk(request: Request) -> Response:
    admin, form = await _posted(request)
    try:
        action = actions.Action(first(form, "action"))
    except ValueError:
        raise InvalidInput("Choose approve, spam or delete.", field="action") from None
    await blocking(actions.apply, context(request).moderation, admin.moderator, _ids(form), action)
    return _redirect(_back(form))


# One comment ----------------------------------------------------------------------------------------


@page
async def comment_page(request: Request) -> Response:
    admin = await _signed_in(request)
    row = await blocking(
        actions.comment_row, context(request).moderation, admin.moderator, request.path_params["comment_id"]
    )
    return _render(
        request,
        "comment.html",
        {
            "admin": admin,
            "row": row,
            "here": _here(request),
            "kinds": list(BanKind),
        },
    )


@page
async def edit(request: Request) -> Response:
    admin, form = await _posted(request)
    comment_id = request.path_params["comment_id"]
    await blocking(
        actions.edit, context(request).moderation, admin.moderator, comment_id, first(form, "body")
    )
    return _redirect(_back(form, f"/admin/comments/{comment_id}"))


@page
async def pin(request: Request) -> Response:
    admin, form = await _posted(request)
    comment_id = request.path_params["comment_id"]
    await blocking(
        actions.pin,
        context(request).moderation,
        admin.moderator,
        comment_id,
        first(form, "pinned") == "1",
    )
    return _redirect(_back(form, f"/admin/comments/{comment_id}"))


@page
async def ban(request: Request) -> Response:
    admin, form = await _posted(request)
    comment_id = request.path_params["comment_id"]
    try:
        kinds = [BanKind(k) for k in form.get("kind", [])]
    except ValueError:
        raise InvalidInput("Choose what to ban.", field="kind") from None
    if not kinds:
        raise InvalidInput("Choose what to ban.", field="kind")
    days = _int(first(form, "days"), "days", optional=True)
    await blocking(
        actions.ban_from_comment,
        context(request).moderation,
        admin.moderator,
        comment_id,
        kinds,
        days,
        first(form, "reason")[:300],
    )
    return _redirect(_back(form, f"/admin/comments/{comment_id}"))


# Threads ---------------------------------------------------------------------------------------------


@page
async def thread_page(request: Request) -> Response:
    admin = await _signed_in(request)
    view = await blocking(
        actions.thread_view, context(request).moderation, admin.moderator, request.path_params["thread_id"]
    )
    values = {"admin": admin, "thread": view.info, "rows": view.rows, "depths": view.depths}
    return _render(request, "thread.html", values | {"here": _here(request)})


@page
async def lock(request: Request) -> Response:
    admin, form = await _posted(request)
    thread_id = request.path_params["thread_id"]
    await blocking(
        actions.lock,
        context(request).moderation,
        admin.moderator,
        thread_id,
        first(form, "locked") == "1",
    )
    return _redirect(_back(form, f"/admin/threads/{thread_id}"))


# Bans --------------------------------------------------------------------------------------------------


@page
async def bans_page(request: Request) -> Response:
    admin = await _signed_in(request)
    found = await blocking(actions.bans, context(request).moderation, admin.moderator)
    return _render(request, "bans.html", {"admin": admin, "bans": found, "here": _here(request)})


@page
async def add_ban(request: Request) -> Response:
    admin, form = await _posted(request)
    days = _int(first(form, "days"), "days", optional=True)
    await blocking(
        actions.ban_email,
        context(request).moderation,
        admin.moderator,
        first(form, "site"),
        first(form, "email"),
        days,
        first(form, "reason")[:300],
    )
    return _redirect("/admin/bans")


@page
async def lift_ban(request: Request) -> Response:
    admin, _ = await _posted(request)
    await blocking(actions.unban, context(request).moderation, admin.moderator, request.path_params["ban_id"])
    return _redirect("/admin/bans")


# Site settings (owners) ----------------------------------------------------------------------------------


def _site_values(request: Request, admin: moderators.AdminContext, site_id: str) -> dict[str, Any]:
    admin.moderator.require_owner(site_id)
    site, roles = moderators.site_with_roles(context(request).db, site_id)
    return {
        "admin": admin,
        "site": site,
        "roles": roles,
        "modes": [m.value for m in ModerationMode],
        "notify": [n.value for n in NotifyModerators],
        "role_names": [r.value for r in Role],
        "here": _here(request),
    }


@page
async def site_page(request: Request) -> Response:
    admin = await _signed_in(request)
    values = await blocking(_site_values, request, admin, request.path_params["site"])
    return _render(request, "site.html", values)


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


@page
async def update_site(request: Request) -> Response:
    admin, form = await _posted(request)
    site_id = request.path_params["site"]
    admin.moderator.require_owner(site_id)
    try:
        mode = ModerationMode(first(form, "moderation"))
        notify = NotifyModerators(first(form, "notify_moderators"))
    except ValueError:
        raise InvalidInput(
            "Choose a moderation mode and a notification setting.", field="moderation"
        ) from None

    await blocking(
        sites.update_site,
        context(request).db,
        site_id,
        moderation=mode,
        max_links=_int(first(form, "max_links"), "max_links"),
        min_post_seconds=_int(first(form, "min_post_seconds"), "min_post_seconds"),
        blocked_words=_lines(first(form, "blocked_words")),
        blocked_names=_lines(first(form, "blocked_names")),
        close_after_days=_int(first(form, "close_after_days") or "0", "close_after_days"),
        notify_moderators=notify,
        hold_link_only=first(form, "hold_link_only") == "on",  # a checkbox: absent when unticked
        thread_write_limits=first(form, "thread_write_limits") or None,
        site_write_limits=first(form, "site_write_limits") or None,
        new_thread_limits=first(form, "new_thread_limits") or None,
        same_text_limits=first(form, "same_text_limits") or None,
    )
    return _redirect(f"/admin/sites/{site_id}")


@page
async def add_moderator(request: Request) -> Response:
    admin, form = await _posted(request)
    site_id = request.path_params["site"]
    admin.moderator.require_owner(site_id)
    try:
        role = Role(first(form, "role", Role.MODERATOR))
    except ValueError:
        raise InvalidInput("Choose owner or moderator.", field="role") from None

    await blocking(
        moderators.grant,
        context(request).db,
        site_id,
        role,
        account_name=first(form, "account").strip() or None,
        provider=first(form, "provider").strip() or None,
        provider_user_id=first(form, "provider_user_id").strip() or None,
    )
    return _redirect(f"/admin/sites/{site_id}")


@page
async def remove_moderator(request: Request) -> Response:
    admin, _ = await _posted(request)
    site_id = request.path_params["site"]
    admin.moderator.require_owner(site_id)

    await blocking(moderators.revoke, context(request).db, site_id, request.path_params["role_id"])
    return _redirect(f"/admin/sites/{site_id}")


async def stylesheet(request: Request) -> Response:
    return Response(
        CSS.read_bytes(), media_type="text/css", headers={"Cache-Control": "public, max-age=3600"}
    )


routes = [
    Route("/admin", queue, methods=["GET"]),
    Route("/admin/admin.css", stylesheet, methods=["GET"]),
    Route("/admin/login", login_form, methods=["GET"]),
    Route("/admin/login", login, methods=["POST"]),
    Route("/admin/logout", logout, methods=["POST"]),
    Route("/admin/comments", bulk, methods=["POST"]),
    Route("/admin/comments/{comment_id:id}", comment_page, methods=["GET"]),
    Route("/admin/comments/{comment_id:id}/edit", edit, methods=["POST"]),
    Route("/admin/comments/{comment_id:id}/pin", pin, methods=["POST"]),
    Route("/admin/comments/{comment_id:id}/ban", ban, methods=["POST"]),
    Route("/admin/threads/{thread_id:id}", thread_page, methods=["GET"]),
    Route("/admin/threads/{thread_id:id}/lock", lock, methods=["POST"]),
    Route("/admin/bans", bans_page, methods=["GET"]),
    Route("/admin/bans", add_ban, methods=["POST"]),
    Route("/admin/bans/{ban_id:id}/delete", lift_ban, methods=["POST"]),
    Route("/admin/sites/{site}", site_page, methods=["GET"]),
    Route("/admin/sites/{site}", update_site, methods=["POST"]),
    Route("/admin/sites/{site}/moderators", add_moderator, methods=["POST"]),
    Route("/admin/sites/{site}/moderators/{role_id:id}/delete", remove_moderator, methods=["POST"]),
]
