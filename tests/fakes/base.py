"""What the three fake providers share: clients, users, consent page, codes, tokens, knobs.

A fake is a plain object holding its state and knobs, plus a Starlette `app`
built from it. Tests flip knobs (plain attributes) between requests; `reset()`
puts every knob back, so a session-scoped server can serve function-scoped
tests. Subclasses supply routes and each provider's wire shapes (errors,
token JSON, profile JSON); the flow rules (exact redirect URI, one-use
short-lived codes bound to client and redirect URI, PKCE) live here once.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import enum
import hashlib
import html
import re
import secrets
import struct
import time
import zlib
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

import httpx2
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from .server import ServerThread

Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class FakeUser:
    """The identity the fake signs in. `picture` may be a path on the fake (served as PNG)."""

    id: str
    name: str
    email: str | None
    picture: str
    username: str = ""
    given_name: str = ""
    family_name: str = ""


@dataclass
class FakeClient:
    """An app registered with the provider (what a site owner creates in its console)."""

    client_id: str
    client_secret: str
    name: str = "commentbox (tests)"


@dataclass
class Grant:
    """One authorization request, from the consent page to the token it buys."""

    client_id: str
    redirect_uri: str
    scope: str
    state: str | None
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    user: FakeUser
    expires_at: float = 0.0
    used: bool = False
    access_tokens: list[str] = field(default_factory=list)


@dataclass
class IssuedToken:
    """An access token and what it grants."""

    user: FakeUser
    client_id: str
    scope: str
    expires_at: float


class CodeProblem(enum.Enum):
    """Why a code cannot be exchanged; each fake words these in its own error shape."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    WRONG_CLIENT = "wrong_client"
    REDIRECT_MISMATCH = "redirect_mismatch"
    PKCE_MISSING = "pkce_missing"
    PKCE_MISMATCH = "pkce_mismatch"


@dataclass
class ClientAuth:
    """How the token request authenticated: `method` is basic, post or none."""

    method: str
    client_id: str | None
    client_secret: str | None
    also_post: bool = False


def s256(verifier: str) -> str:
    """RFC 7636 S256 code challenge of a verifier."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def tiny_png(seed: str, size: int = 48) -> bytes:
    """A solid-colour PNG (colour from `seed`) so avatars really load in a browser."""
    r, g, b = hashlib.sha256(seed.encode()).digest()[:3]
    row = b"\x00" + bytes((r, g, b)) * size
    raw = zlib.compress(row * size)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


CONSENT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{provider} — sign in</title>
<style>body{{font:16px system-ui;max-width:32em;margin:3em auto}}
button{{font:inherit;padding:.5em 1.5em;margin-right:1em}}</style></head>
<body><main>
<h1>{provider}</h1>
<p id="client"><strong>{client_name}</strong> (<code>{client_id}</code>)
wants to sign you in as <strong id="user">{user_name}</strong>.</p>
<p>Access requested: <code id="scope">{scope}</code></p>
<p>You will be sent back to <code id="redirect-uri">{redirect_uri}</code></p>
<form method="post" action="{action}">
<input type="hidden" name="txn" value="{txn}">
<button id="approve" type="submit" name="decision" value="allow">Allow</button>
<button id="deny" type="submit" name="decision" value="deny">Deny</button>
</form></main></body></html>
"""

ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{provider} — error</title></head>
<body><main><h1>{provider}</h1><p id="error">{message}</p></main></body></html>
"""


class FakeProvider:
    """Base of the fakes: registered client, signed-in user, knobs, consent flow.

    Knobs (reset by `reset()`):
      user               the FakeUser that consents
      coop               send `Cross-Origin-Opener-Policy: same-origin` on the consent page
      auto_approve       skip the consent page (like a returning user)
      delay              seconds every back-channel request (token, profile, keys) waits
      down               back-channel requests answer 503
      code_ttl           lifetime of an authorization code, seconds
      allowed_redirect_uris  None = any absolute http(s) URI; else exact matches only
    """

    name: ClassVar[str] = "Provider"
    coop_default: ClassVar[bool] = False
    default_client_id: ClassVar[str] = "client-id"
    default_client_secret: ClassVar[str] = "client-secret"

    authorize_path: str = "/authorize"

    def __init__(self, client_id: str | None = None, client_secret: str | None = None) -> None:
        self.client = FakeClient(
            client_id or self.default_client_id, client_secret or self.default_client_secret
        )
        self.base_url = ""
        self.clients: dict[str, FakeClient] = {}
        self.reset()
        self.app = Starlette(routes=self.routes())

    # -- knobs -----------------------------------------------------------------

    def default_user(self) -> FakeUser:
        raise NotImplementedError

    def reset(self) -> None:
        """Every knob back to its default; forget codes, tokens and other clients."""
        self.user = self.default_user()
        self.coop = self.coop_default
        self.auto_approve = False
        self.delay = 0.0
        self.down = False
        self.code_ttl = 60.0
        self.token_ttl = 3600
        self.allowed_redirect_uris: set[str] | None = None
        self.clients = {self.client.client_id: self.client}
        self.pending: dict[str, Grant] = {}
        self.codes: dict[str, Grant] = {}
        self.tokens: dict[str, IssuedToken] = {}
        self.token_requests: list[ClientAuth] = []

    def register_client(self, client_id: str, client_secret: str) -> FakeClient:
        """Register another app (e.g. to prove a code is bound to its client)."""
        client = FakeClient(client_id, client_secret)
        self.clients[client_id] = client
        return client

    # -- serving ---------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL of the running fake, e.g. `http://127.0.0.1:41234`."""
        return self.base_url

    @property
    def authorize_url(self) -> str:
        """Where the app sends the browser (the consent page)."""
        return self.base_url + self.authorize_path

    @property
    def token_url(self) -> str:
        """Where the app exchanges the code."""
        raise NotImplementedError

    @property
    def client_id(self) -> str:
        return self.client.client_id

    @property
    def client_secret(self) -> str:
        return self.client.client_secret

    @contextmanager
    def serve(self) -> Iterator[FakeProvider]:
        """Run this fake on a random loopback port for the duration of the block."""
        server = ServerThread(self.app)
        self.base_url = server.url
        with server:
            yield self

    def routes(self) -> list[BaseRoute]:
        raise NotImplementedError

    def absolute(self, url: str) -> str:
        """A URL on this fake (for pictures given as paths)."""
        return urljoin(self.base_url + "/", url) if url.startswith("/") else url

    async def avatar(self, request: Request) -> Response:
        """Serve a deterministic PNG at any avatar path, so `<img>` tags load."""
        return Response(tiny_png(request.url.path), media_type="image/png")

    def backchannel(self, handler: Handler) -> Handler:
        """Wrap a server-to-server endpoint with the `delay` and `down` knobs."""

        async def wrapped(request: Request) -> Response:
            waited = 0.0
            # Sleep in slices so reset() (delay = 0) releases a stuck request.
            while waited < self.delay:
                await asyncio.sleep(0.02)
                waited += 0.02
            if self.down:
                return PlainTextResponse("Service Unavailable", status_code=503)
            return await handler(request)

        return wrapped

    # -- authorization endpoint -----------------------------------------------

    @property
    def consent_path(self) -> str:
        return self.authorize_path.rstrip("/") + "/consent"

    def error_page(self, message: str, status: int = 400) -> HTMLResponse:
        """Errors about client or redirect URI are shown, never redirected (RFC 6749 4.1.2.1)."""
        body = ERROR_PAGE.format(provider=html.escape(self.name), message=html.escape(message))
        return HTMLResponse(body, status_code=status, headers=self.page_headers())

    def page_headers(self) -> dict[str, str]:
        headers = {"Cache-Control": "no-store"}
        if self.coop:
            headers["Cross-Origin-Opener-Policy"] = "same-origin"
        return headers

    def redirect_uri_allowed(self, uri: str) -> bool:
        if self.allowed_redirect_uris is not None:
            return uri in self.allowed_redirect_uris
        parts = urlsplit(uri)
        return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.fragment

    def check_authorize(self, params: dict[str, str]) -> str | None:
        """Provider-specific request checks; a message here becomes an error page."""
        return None

    def denied_params(self) -> dict[str, str]:
        """Query parameters sent back when the user clicks Deny."""
        return {"error": "access_denied"}

    async def authorize(self, request: Request) -> Response:
        """GET: validate the request, then show the consent page (or auto-approve)."""
        params = dict(request.query_params)
        client = self.clients.get(params.get("client_id", ""))
        if client is None:
            return self.error_page("invalid_client: the OAuth client was not found.", 401)
        redirect_uri = params.get("redirect_uri", "")
        if not self.redirect_uri_allowed(redirect_uri):
            return self.error_page(f"redirect_uri_mismatch: {redirect_uri!r} is not registered.")
        if params.get("response_type") != "code":
            return self.redirect_back(
                redirect_uri, {"error": "unsupported_response_type"}, params.get("state")
            )
        problem = self.check_authorize(params)
        if problem:
            return self.error_page(problem)
        grant = Grant(
            client_id=client.client_id,
            redirect_uri=redirect_uri,
            scope=params.get("scope", ""),
            state=params.get("state"),
            nonce=params.get("nonce"),
            code_challenge=params.get("code_challenge"),
            code_challenge_method=params.get("code_challenge_method"),
            user=copy.deepcopy(self.user),
        )
        if self.auto_approve:
            return self.approve_grant(grant)
        txn = secrets.token_urlsafe(16)
        self.pending[txn] = grant
        body = CONSENT_PAGE.format(
            provider=html.escape(self.name),
            client_name=html.escape(client.name),
            client_id=html.escape(client.client_id),
            user_name=html.escape(grant.user.name),
            scope=html.escape(grant.scope),
            redirect_uri=html.escape(redirect_uri),
            action=html.escape(self.consent_path),
            txn=txn,
        )
        return HTMLResponse(body, headers=self.page_headers())

    async def consent(self, request: Request) -> Response:
        """POST from the consent form: Allow issues a code, Deny reports access_denied."""
        form: FormData = await request.form()
        grant = self.pending.pop(str(form.get("txn", "")), None)
        if grant is None:
            return self.error_page("This sign-in request has expired. Start again.")
        if form.get("decision") != "allow":
            return self.redirect_back(grant.redirect_uri, self.denied_params(), grant.state)
        return self.approve_grant(grant)

    def approve_grant(self, grant: Grant) -> Response:
        code = secrets.token_urlsafe(24)
        grant.expires_at = time.monotonic() + self.code_ttl
        self.codes[code] = grant
        return self.redirect_back(grant.redirect_uri, {"code": code}, grant.state)

    def redirect_back(self, redirect_uri: str, params: dict[str, str], state: str | None) -> Response:
        if state is not None:
            params = {**params, "state": state}
        parts = urlsplit(redirect_uri)
        query = urlencode([*parse_qsl(parts.query), *params.items()])
        target = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
        return RedirectResponse(target, status_code=302, headers=self.page_headers())

    # -- token endpoint ----------------------------------------------------------

    def client_auth(self, request: Request, form: FormData) -> ClientAuth:
        """Read the client credentials as sent: Basic header, body parameters, or none."""
        header = request.headers.get("authorization", "")
        post_id, post_secret = form.get("client_id"), form.get("client_secret")
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
                raw_id, _, raw_secret = decoded.partition(":")
            except ValueError:
                raw_id, raw_secret = "", ""
            auth = ClientAuth("basic", unquote(raw_id), unquote(raw_secret))
            auth.also_post = post_secret is not None
        elif post_secret is not None:
            auth = ClientAuth("post", str(post_id or ""), str(post_secret))
        else:
            auth = ClientAuth("none", str(post_id) if post_id else None, None)
        self.token_requests.append(auth)
        return auth

    def authenticate(self, auth: ClientAuth) -> FakeClient | None:
        client = self.clients.get(auth.client_id or "")
        if client is None or auth.client_secret is None:
            return None
        if not secrets.compare_digest(client.client_secret, auth.client_secret):
            return None
        return client

    def redeem(self, form: FormData, client: FakeClient) -> Grant | CodeProblem:
        """Apply the code rules; a replayed code also revokes what it bought (RFC 6749 4.1.2)."""
        grant = self.codes.get(str(form.get("code", "")))
        if grant is None:
            return CodeProblem.UNKNOWN
        if grant.used:
            for token in grant.access_tokens:
                self.tokens.pop(token, None)
            return CodeProblem.USED
        if time.monotonic() > grant.expires_at:
            return CodeProblem.EXPIRED
        if grant.client_id != client.client_id:
            return CodeProblem.WRONG_CLIENT
        if form.get("redirect_uri") != grant.redirect_uri:
            return CodeProblem.REDIRECT_MISMATCH
        if grant.code_challenge is not None:
            verifier = form.get("code_verifier")
            if not verifier:
                return CodeProblem.PKCE_MISSING
            method = grant.code_challenge_method or "plain"
            expected = s256(str(verifier)) if method == "S256" else str(verifier)
            if not secrets.compare_digest(expected, grant.code_challenge):
                return CodeProblem.PKCE_MISMATCH
        grant.used = True
        return grant

    def issue_access_token(self, grant: Grant) -> str:
        token = secrets.token_urlsafe(32)
        self.tokens[token] = IssuedToken(
            grant.user, grant.client_id, grant.scope, time.monotonic() + self.token_ttl
        )
        grant.access_tokens.append(token)
        return token

    def bearer(self, request: Request) -> IssuedToken | None:
        """The live token named by `Authorization: Bearer …` (any case of the scheme)."""
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        issued = self.tokens.get(value.strip())
        if issued is None or time.monotonic() > issued.expires_at:
            return None
        return issued

    # -- helpers for tests (over real HTTP) -----------------------------------

    def approve(self, authorize_url: str, *, allow: bool = True) -> str:
        """Load the consent page and click Allow (or Deny); return the redirect back.

        What a browser does, for HTTP-level tests: the returned URL is the app's
        callback with `code` (or `error`) and `state`.
        """
        with httpx2.Client(follow_redirects=False, timeout=10) as http:
            page = http.get(authorize_url)
            if page.status_code in (302, 303):
                return page.headers["location"]
            if page.status_code != 200:
                raise AssertionError(f"consent page: {page.status_code} {page.text}")
            txn = re.search(r'name="txn" value="([^"]+)"', page.text)
            action = re.search(r'<form method="post" action="([^"]+)"', page.text)
            assert txn and action, page.text
            answer = http.post(
                urljoin(str(page.url), html.unescape(action.group(1))),
                data={"txn": txn.group(1), "decision": "allow" if allow else "deny"},
            )
            if answer.status_code not in (302, 303):
                raise AssertionError(f"consent answer: {answer.status_code} {answer.text}")
            return answer.headers["location"]

    def deny(self, authorize_url: str) -> str:
        """Like `approve`, clicking Deny."""
        return self.approve(authorize_url, allow=False)

    def page_routes(self) -> list[BaseRoute]:
        """The consent page's GET and its form's POST."""
        return [
            Route(self.authorize_path, self.authorize, methods=["GET"]),
            Route(self.consent_path, self.consent, methods=["POST"]),
        ]
