"""``/auth``: login ids, the provider flows (popup or full-page), logout.

JSON endpoints (``/logins``, ``/logout``) answer problem+json like the API. The provider
pages are seen by people in a popup, so their failures are HTML pages with one sentence and
a way to retry — never a 500 or a stack trace. All of this is mounted under Starlette's
session middleware, whose short-lived SameSite=Lax cookie only ever holds Authlib's marker
(the state, nonce and PKCE verifier themselves stay in the database).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping
from functools import cache, partial
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from commentbox import STATIC
from commentbox.admin import moderators
from commentbox.auth.base import Profile, Provider
from commentbox.auth.failures import SIGN_IN_ERRORS, describe
from commentbox.auth.registry import DEMO_PROVIDER
from commentbox.domain import signins, user_sessions
from commentbox.domain.schemas import LoginCreate, LoginIssued, LoginRedeemed
from commentbox.errors import CommentboxError, Forbidden, NotFound
from commentbox.http.forms import NO_STORE, Form, continue_to, first, read_form, sent_from_here
from commentbox.http.request import ClientInfo, JSONResponse, context, read_json
from commentbox.http.routes.admin.signin import set_session_cookie
from commentbox.runtime.offload import blocking

POPUP_SCRIPT = STATIC / "auth-popup.js"
DEMO_PROFILE = Profile(provider=DEMO_PROVIDER, provider_user_id="local-demo", name="Demo Visitor")


# JSON endpoints ------------------------------------------------------------------------


async def create_login(request: Request) -> Response:
    ctx = context(request)
    data = await read_json(request, LoginCreate)
    client = ClientInfo(request)
    issued = await blocking(
        signins.issue, ctx.signins, data.site, data.origin, client.origin, ctx.keys.hash_ip(client.ip)
    )
    body = LoginIssued(login=issued.login, expires=issued.expires)
    return JSONResponse(body, status_code=201, headers=NO_STORE)


async def redeem_login(request: Request) -> Response:
    login_id = request.path_params["login"]
    ctx = context(request)
    redeemed = await blocking(signins.redeem, ctx.signins, login_id, ClientInfo(request).origin)
    if redeemed is None:
        return JSONResponse({"status": "pending"}, status_code=202, headers=NO_STORE)
    body = LoginRedeemed(token=redeemed.token, user=ctx.presentation.identity(redeemed.user))
    return JSONResponse(body, headers=NO_STORE)


async def logout(request: Request) -> Response:
    token = ClientInfo(request).required_bearer()
    everywhere = request.query_params.get("everywhere", "") in ("1", "true", "yes")
    await blocking(user_sessions.logout, context(request).user_sessions, token, everywhere=everywhere)
    return Response(status_code=204)


# Pages of the popup --------------------------------------------------------------------


def result_page(request: Request, status: int = 200, **values: Any) -> Response:
    """The popup's last page; what a caller leaves out is off (templates are strict)."""
    values = {"demo": False, "origin": None, "message": None, "close": False, "retry_url": None, **values}
    response: Response = request.app.state.templates.TemplateResponse(
        request, "auth/result.html", values, status_code=status, headers=NO_STORE
    )
    return response


def _failure_page(
    request: Request, sentence: str, *, login: signins.Pending | None = None, status: int = 400
) -> Response:
    retry_url = None
    message = None
    if login is not None:
        message = {"commentbox": {"type": "login-failed", "login": login.id, "detail": sentence}}
        if login.provider:
            query = {"site": login.site_id, "login": login.id}
            retry_url = f"/auth/{login.provider}/login?{urlencode(query)}"
    return result_page(
        request,
        status,
        title="Not signed in",
        sentence=sentence,
        origin=login.origin if login else None,
        message=message,
        retry_url=retry_url,
    )


def _refused(request: Request, exc: CommentboxError) -> Response:
    """A refusal as the popup's page, with the error's headers (a 429's ``Retry-After``)."""
    response = _failure_page(request, exc.detail, status=exc.status)
    response.headers.update(exc.headers)
    return response


def _back_to_page(login: signins.Pending) -> Response | None:
    """The full-page flow returns to its page, which redeems the id from the fragment."""
    if not login.return_to:
        return None
    target = f"{login.return_to}#{urlencode({signins.LOGIN_FRAGMENT: login.id})}"
    return RedirectResponse(target, status_code=303, headers=NO_STORE)


def _finished(request: Request, login: signins.Pending, redeemed: signins.Redeemed) -> Response:
    """Back to the page: by redirect (full-page flow) or by postMessage to the exact origin."""
    redirect = _back_to_page(login)
    if redirect is not None:
        return redirect
    message = {"commentbox": {"type": "login", "login": login.id, "token": redeemed.token}}
    return result_page(
        request,
        title="Signed in",
        sentence=f"You are signed in as {redeemed.user.name}. You can close this window.",
        origin=login.origin,
        message=message,
        close=True,
        demo=login.provider == DEMO_PROVIDER,
    )


def _provider(request: Request) -> tuple[str, Provider]:
    name = request.path_params["provider"]
    auth = context(request).auth
    if auth is None or name not in auth.providers:
        raise NotFound("Signing in with this provider is not offered here.")
    return name, auth.providers[name]


def _single(form: Form) -> dict[str, str]:
    return {name: first(form, name) for name in form}


def _start_params(params: Mapping[str, Any]) -> tuple[str, str, str | None]:
    site, login_id = str(params.get("site") or ""), str(params.get("login") or "")
    if not site or not login_id:
        raise NotFound(signins.UNKNOWN)
    return_to = params.get("return_to")
    return site, login_id, str(return_to) if return_to else None


async def start(request: Request) -> Response:
    """``GET /auth/{provider}/login?site=S&login=L[&return_to=URL]``: off to the provider, or,
    when the popup was not opened from the login's own origin, a page asking to confirm."""
    ctx = context(request)
    try:
        name, provider = _provider(request)
        site, login_id, return_to = _start_params(request.query_params)
        await blocking(signins.charge_start, ctx.signins, ctx.keys.hash_ip(ClientInfo(request).ip), login_id)
        origin = await blocking(signins.check, ctx.signins, site, login_id, return_to)
    except CommentboxError as exc:
        return _refused(request, exc)
    if not signins.started_from(origin, request.headers.get("referer")):
        values = {
            "action": f"/auth/{name}/login",
            "label": provider.label,
            "origin": origin,
            "site": site,
            "login": login_id,
            "return_to": return_to,
        }
        return request.app.state.templates.TemplateResponse(
            request, "auth/confirm.html", values, headers=NO_STORE
        )
    return await _to_provider(request, name, site, login_id, return_to)


async def start_confirmed(request: Request) -> Response:
    """The confirmation page's POST: accepted only from that page (see ``http/forms``)."""
    ctx = context(request)
    if not sent_from_here(request):
        return _failure_page(request, signins.UNKNOWN, status=403)
    try:
        name, _ = _provider(request)
        site, login_id, return_to = _start_params(_single(await read_form(request)))
        await blocking(signins.charge_start, ctx.signins, ctx.keys.hash_ip(ClientInfo(request).ip), login_id)
        await blocking(signins.check, ctx.signins, site, login_id, return_to)
    except CommentboxError as exc:
        return _refused(request, exc)
    return _onwards(request, await _to_provider(request, name, site, login_id, return_to))


def _onwards(request: Request, answer: Response) -> Response:
    """A form's redirect off this server becomes a page that moves on (``forms.continue_to``)."""
    return continue_to(request, answer.headers["location"]) if answer.status_code == 303 else answer


async def _to_provider(
    request: Request, name: str, site: str, login_id: str, return_to: str | None
) -> Response:
    async def remember(state: str) -> None:
        await blocking(signins.begin, context(request).signins, site, login_id, name, return_to, state)

    def fail(sentence: str, status: int) -> Response:
        return _failure_page(request, sentence, status=status)

    return await _authorize(request, name, remember, fail)


Failure = Callable[[str, int], Response]


async def _authorize(
    request: Request, name: str, remember: Callable[[str], Awaitable[None]], fail: Failure
) -> Response:
    """Off to the provider: Authlib's state, nonce and PKCE verifier saved (server side, this
    browser's marker cookie), and ``remember(state)`` records what the flow is for."""
    ctx = context(request)
    assert ctx.auth is not None
    client = ctx.auth.client(name)
    redirect_uri = ctx.auth.redirect_uri(name)
    try:
        authorization = await client.create_authorization_url(redirect_uri)
    except SIGN_IN_ERRORS as exc:  # e.g. Google's discovery document unreachable
        return fail(describe(ctx.auth.providers[name].label, exc), 502)
    await client.save_authorize_data(request, redirect_uri=redirect_uri, **authorization)
    try:
        await remember(authorization["state"])
    except CommentboxError as exc:
        return fail(exc.detail, exc.status)
    return RedirectResponse(authorization["url"], status_code=303, headers=NO_STORE)


# Moderators signing in to /admin with a provider -------------------------------------------


async def admin_start(request: Request) -> Response:
    """``POST /auth/{provider}/admin`` from the ``/admin/login`` page (same origin only: no
    other site can start a sign-in in a moderator's browser)."""
    ctx = context(request)
    if not sent_from_here(request):
        return _admin_failure(request, "Start signing in from the sign-in page of this server.", 403)
    try:
        name, provider = _provider(request)
        await blocking(signins.charge_start, ctx.signins, ctx.keys.hash_ip(ClientInfo(request).ip))
    except CommentboxError as exc:
        failure = _admin_failure(request, exc.detail, exc.status)
        failure.headers.update(exc.headers)
        return failure

    async def remember(state: str) -> None:
        await blocking(moderators.begin_signin, ctx.moderator_access, name, state)

    answer = await _authorize(request, name, remember, partial(_admin_failure, request))
    if answer.status_code != 303:
        return answer
    # Onwards by a page, not a redirect: the login form's page allows forms to post to this
    # server only (CSP form-action 'self'), and browsers apply that to a post's redirects.
    values = {"title": f"Continuing to {provider.label}", "target": answer.headers["location"]}
    return _admin_page(request, "admin/continue.html", values, 200)


async def _admin_callback(request: Request, name: str, provider: Provider) -> Response:
    ctx = context(request)
    assert ctx.auth is not None
    try:
        profile = await ctx.auth.profile(request, name)
        signed = await blocking(moderators.open_provider_session, ctx.moderator_access, profile)
    except SIGN_IN_ERRORS as exc:
        status = exc.status if isinstance(exc, CommentboxError) else 400
        return _admin_failure(request, describe(provider.label, exc), status)
    # A page, not a redirect: the session cookie is SameSite=Strict, and a redirect that
    # continues the provider's cross-site navigation would arrive at /admin without it.
    response = _admin_page(request, "admin/continue.html", {"title": "Signed in", "target": "/admin"}, 200)
    set_session_cookie(request, response, signed)
    return response


def _admin_page(request: Request, template: str, values: dict[str, Any], status: int) -> Response:
    response: Response = request.app.state.templates.TemplateResponse(
        request, template, {"admin": None, **values}, status_code=status, headers=NO_STORE
    )
    return response


def _admin_failure(request: Request, sentence: str, status: int) -> Response:
    values = {"title": "Not signed in", "detail": sentence, "back": "/admin/login"}
    return _admin_page(request, "admin/error.html", values, status)


async def callback(request: Request) -> Response:
    """``GET /auth/{provider}/callback``: one path per provider, so answers cannot be mixed up."""
    try:
        name, provider = _provider(request)
    except CommentboxError as exc:
        return _refused(request, exc)
    ctx = context(request)
    assert ctx.auth is not None
    state = request.query_params.get("state", "")
    signing_in_to_admin = (
        await blocking(moderators.is_signin, ctx.moderator_access, state, name) if state else False
    )
    if signing_in_to_admin:
        return await _admin_callback(request, name, provider)
    login = await blocking(signins.for_state, ctx.signins, state) if state else None
    try:
        if login is None or login.provider != name:
            raise Forbidden(signins.UNKNOWN)
        profile = await ctx.auth.profile(request, name)
        redeemed = await blocking(signins.complete, ctx.signins, login.id, profile)
    except SIGN_IN_ERRORS as exc:
        sentence = describe(provider.label, exc)
        if login is None or login.provider != name:
            return _failure_page(request, sentence)
        await blocking(signins.fail, ctx.signins, login.id, sentence)
        return _back_to_page(login) or _failure_page(request, sentence, login=login)
    return _finished(request, login, redeemed)


async def popup_script(request: Request) -> Response:
    return Response(
        _popup_script(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@cache
def _popup_script() -> bytes:
    return POPUP_SCRIPT.read_bytes()


# Demo identity (``commentbox serve --demo`` only) ----------------------------------------


async def demo_start(request: Request) -> Response:
    """A labelled stand-in for a provider's consent page, with one built-in identity."""
    ctx = context(request)
    try:
        site, login_id, return_to = _start_params(request.query_params)
        await blocking(signins.check, ctx.signins, site, login_id, return_to)
    except CommentboxError as exc:
        return _refused(request, exc)
    login = await blocking(signins.by_id, ctx.signins, login_id)
    values = {
        "site": site,
        "login": login_id,
        "return_to": return_to,
        "name": DEMO_PROFILE.name,
        "origin": login.origin if login else "",
    }
    return request.app.state.templates.TemplateResponse(request, "auth/demo.html", values, headers=NO_STORE)


async def demo_finish(request: Request) -> Response:
    """The demo consent form's POST: only from this server's own page (no cross-site forms)."""
    ctx = context(request)
    if not sent_from_here(request):
        return _failure_page(request, "Sign in from the demo page of this server.", status=403)
    try:
        site, login_id, return_to = _start_params(_single(await read_form(request)))
        state = secrets.token_urlsafe(16)
        await blocking(signins.begin, ctx.signins, site, login_id, DEMO_PROVIDER, return_to, state)
        redeemed = await blocking(signins.complete, ctx.signins, login_id, DEMO_PROFILE)
    except CommentboxError as exc:
        return _refused(request, exc)
    login = await blocking(signins.by_id, ctx.signins, login_id)
    assert login is not None
    return _onwards(request, _finished(request, login, redeemed))


routes = [
    Route("/logins", create_login, methods=["POST"]),
    Route("/logins/{login}/redeem", redeem_login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/popup.js", popup_script, methods=["GET"]),
    Route("/{provider}/login", start, methods=["GET"]),
    Route("/{provider}/login", start_confirmed, methods=["POST"]),
    Route("/{provider}/callback", callback, methods=["GET"]),
    Route("/{provider}/admin", admin_start, methods=["POST"]),
]
demo_routes = [
    Route("/demo/login", demo_start, methods=["GET"]),
    Route("/demo/login", demo_finish, methods=["POST"]),
]
