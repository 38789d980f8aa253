"""The demo providers' consent page and token-request checks, shared by all three.

The page checks an authorization request the way a provider does — known client, the exact
registered redirect URI, a code response, PKCE S256 where the provider requires it — and
never redirects anywhere on a request that fails them. The visitor's yes is a form posted
to this server; its answer redirects to ``/auth/{provider}/callback`` on this same server.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from commentbox.http.demo_providers.grants import Authorization, DemoGrants, DemoIdentity
from commentbox.http.forms import NO_STORE, Form, continue_to, first, read_form, sent_from_here
from commentbox.http.request import context

_TOKENISH = re.compile(r"^[A-Za-z0-9._~\-]{1,512}$")
_CHALLENGE = re.compile(r"^[A-Za-z0-9._~\-]{43,128}$")


@dataclass(frozen=True)
class DemoProvider:
    """One demo provider: what it is called, whom it signs in, and whether PKCE is required."""

    name: str  # as in /auth/{name}/callback
    label: str
    identity: DemoIdentity
    pkce: bool


def grants(request: Request) -> DemoGrants:
    found: DemoGrants = request.app.state.demo_grants
    return found


def redirect_uri(request: Request, provider: DemoProvider) -> str:
    return f"{context(request).settings.base_url}/auth/{provider.name}/callback"


def _one(params: QueryParams, name: str) -> str | None:
    values = params.getlist(name)
    return values[0] if len(values) == 1 else None


def _refusal(request: Request, provider: DemoProvider, sentence: str, status: int = 400) -> Response:
    values = {"label": provider.label, "sentence": sentence}
    return request.app.state.templates.TemplateResponse(
        request, "demo_providers/refused.html", values, status_code=status, headers=NO_STORE
    )


def _check(request: Request, provider: DemoProvider) -> Authorization | str:
    """The request's authorization, or the sentence saying what is wrong with it."""
    params = request.query_params
    if _one(params, "client_id") != grants(request).client(provider.name).client_id:
        return "This application is not registered with the demo provider."
    if _one(params, "redirect_uri") != redirect_uri(request, provider):
        return "The redirect URI is not the one registered for this application."
    if _one(params, "response_type") != "code":
        return "Only the authorization code flow is offered."
    state, nonce = _one(params, "state"), _one(params, "nonce")
    if state is None or not _TOKENISH.match(state) or (nonce is not None and not _TOKENISH.match(nonce)):
        return "The request's state or nonce is missing or malformed."
    challenge = _one(params, "code_challenge")
    if provider.pkce and (
        challenge is None
        or not _CHALLENGE.match(challenge)
        or _one(params, "code_challenge_method") != "S256"
    ):
        return "This provider requires PKCE with S256."
    if not provider.pkce and "code_challenge" in params:
        return "This provider does not take a code challenge."
    return Authorization(provider.name, redirect_uri(request, provider), state, challenge, nonce)


async def authorize_page(request: Request, provider: DemoProvider) -> Response:
    checked = _check(request, provider)
    if isinstance(checked, str):
        return _refusal(request, provider, checked)
    consent = grants(request).consents.add(checked)
    if consent is None:
        return _refusal(request, provider, "Too many sign-ins are waiting; try again in a few minutes.", 503)
    values = {"provider": provider, "consent": consent, "action": request.url.path}
    return request.app.state.templates.TemplateResponse(
        request, "demo_providers/consent.html", values, headers=NO_STORE
    )


async def authorize_answer(request: Request, provider: DemoProvider) -> Response:
    """The consent form's POST: a code for the waiting request, sent to its redirect URI."""
    if not sent_from_here(request):
        return _refusal(request, provider, "Answer from the demo provider's own page.", 403)
    form: Form = await read_form(request)
    store = grants(request)
    waiting = store.consents.get(first(form, "consent"))
    if waiting is None or waiting.provider != provider.name:
        return _refusal(request, provider, "This sign-in has expired; start again from the comments.")
    store.consents.pop(first(form, "consent"))
    if first(form, "answer") != "allow":
        return _back(request, waiting, {"error": "access_denied", "state": waiting.state})
    code = store.codes.add(waiting)
    if code is None:
        return _refusal(request, provider, "Too many sign-ins are waiting; try again in a few minutes.", 503)
    return _back(request, waiting, {"code": code, "state": waiting.state})


def _back(request: Request, waiting: Authorization, query: dict[str, str]) -> Response:
    """To the callback as a page that moves on by itself, not a 303: the callback's own
    redirect to the article leaves this server, at the end of a chain begun by a form post."""
    return continue_to(request, waiting.redirect_uri + "?" + urlencode(query))


def basic_client(request: Request) -> tuple[str, str] | None:
    """The client id and secret of HTTP Basic authentication (RFC 6749 §2.3.1)."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, colon, secret = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (client_id, secret) if colon else None


def client_ok(store: DemoGrants, provider: DemoProvider, credentials: tuple[str, str] | None) -> bool:
    if credentials is None:
        return False
    client = store.client(provider.name)
    return secrets.compare_digest(
        credentials[0].encode(), client.client_id.encode()
    ) and secrets.compare_digest(credentials[1].encode(), client.client_secret.encode())


def redeem_code(store: DemoGrants, provider: DemoProvider, form: Form) -> Authorization | None:
    """The authorization a token request's code stands for, if the request keeps every rule."""
    if first(form, "grant_type") != "authorization_code":
        return None
    verifier = form["code_verifier"][0] if len(form.get("code_verifier", [])) == 1 else None
    return store.redeem(
        provider.name,
        first(form, "code"),
        store.client(provider.name).client_id,
        first(form, "redirect_uri"),
        verifier,
    )


def bearer(request: Request, store: DemoGrants, provider: DemoProvider) -> bool:
    """Whether the request carries a live access token this provider issued."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    grant = store.tokens.get(token)
    return grant is not None and grant.provider == provider.name


def issue_token(store: DemoGrants, grant: Authorization) -> str | None:
    return store.tokens.add(grant)


def avatar_url(request: Request, identity: DemoIdentity) -> str:
    return f"{context(request).settings.base_url}/avatars/{identity.avatar_key}.svg"
