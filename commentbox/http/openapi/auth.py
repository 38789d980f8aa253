"""Signing in: the login handshake, the providers' pages, and the demo mode's stand-ins."""

from __future__ import annotations

from commentbox.domain.schemas import LoginCreate, LoginIssued, LoginRedeemed
from commentbox.http.openapi.operation import HTML, SITE, Operation

_PROVIDER = ("provider", "path", True, "google, twitter or facebook")
_LOGIN_QUERY = (
    SITE,
    ("login", "query", True, "the login id from POST /auth/logins"),
    ("return_to", "query", False, "full-page flow: the page to return to (its origin must be the login's)"),
)
AUTH_OPERATIONS: list[Operation] = [
    Operation(
        "post",
        "/auth/logins",
        "A one-time login id for a page on a registered origin",
        body=LoginCreate,
        responses={201: LoginIssued},
        tag="auth",
    ),
    Operation(
        "post",
        "/auth/logins/{login}/redeem",
        "Collect the token of a finished sign-in, once (202 while pending)",
        (("login", "path", True, "the login id"),),
        responses={200: LoginRedeemed, 202: "still signing in"},
        tag="auth",
    ),
    Operation(
        "post",
        "/auth/logout",
        "End the bearer's session; `everywhere=1` ends all of its user's sessions",
        (("everywhere", "query", False, "1 to sign out everywhere"),),
        responses={204: "signed out", 401: "not signed in"},
        tag="auth",
    ),
    Operation(
        "get", "/auth/popup.js", "Script of the popup's last page", responses={200: "JavaScript"}, tag="auth"
    ),
    Operation(
        "get",
        "/auth/{provider}/login",
        "Start signing in with a provider (popup, or full-page with return_to)",
        (_PROVIDER, *_LOGIN_QUERY),
        responses={
            200: "a confirmation page, when not opened from the login's origin",
            303: "to the provider",
        },
        tag="auth",
    ),
    Operation(
        "post",
        "/auth/{provider}/login",
        "The confirmation page's answer (same-origin form): off to the provider",
        (_PROVIDER,),
        responses={303: "to the provider", 403: HTML},
        tag="auth",
    ),
    Operation(
        "get",
        "/auth/{provider}/callback",
        "The provider's answer: hands the token to the page's registered origin, or opens a "
        "moderator's /admin session",
        (_PROVIDER, ("code", "query", False, "from the provider"), ("state", "query", False, "")),
        responses={200: HTML, 303: "back to return_to", 400: HTML, 403: "not a moderator (HTML)"},
        tag="auth",
    ),
    Operation(
        "post",
        "/auth/{provider}/admin",
        "Sign in to /admin with a provider (a form on /admin/login; same origin only)",
        (_PROVIDER,),
        responses={303: "to the provider", 403: HTML},
        tag="auth",
    ),
]

_GRAPH_VERSION = ("version", "path", True, "the Graph API version, as in COMMENTBOX_FACEBOOK_GRAPH_VERSION")

# Served only by ``commentbox serve --demo`` (``create_app(settings, demo=True)``).
DEMO_OPERATIONS: list[Operation] = [
    Operation(
        "get",
        "/auth/demo/login",
        "Demo mode: the built-in test identity's consent page",
        _LOGIN_QUERY,
        responses={200: HTML},
        tag="auth",
    ),
    Operation(
        "post",
        "/auth/demo/login",
        "Demo mode: sign in as the test identity",
        responses={303: "back"},
        tag="auth",
    ),
    *(
        Operation(
            method,
            "/demo-providers" + path,
            "Demo mode: " + summary,
            (_GRAPH_VERSION,) if "{version}" in path else (),
            responses={200: kind},
            tag="demo",
        )
        for method, path, summary, kind in (
            ("get", "/google/.well-known/openid-configuration", "demo Google's discovery", "JSON"),
            ("get", "/google/jwks", "demo Google's public signing key", "JSON"),
            ("get", "/google/authorize", "demo Google's consent page", HTML),
            ("post", "/google/authorize", "the answer to demo Google's consent page", HTML),
            ("post", "/google/token", "demo Google's token endpoint (with id_token)", "JSON"),
            ("get", "/twitter/authorize", "demo X's consent page", HTML),
            ("post", "/twitter/authorize", "the answer to demo X's consent page", HTML),
            ("post", "/twitter/2/oauth2/token", "demo X's token endpoint", "JSON"),
            ("get", "/twitter/2/users/me", "demo X's profile", "JSON"),
            ("get", "/facebook/{version}/dialog/oauth", "demo Facebook's login dialog", HTML),
            ("post", "/facebook/{version}/dialog/oauth", "the answer to demo Facebook's dialog", HTML),
            ("post", "/facebook/{version}/oauth/access_token", "demo Facebook's token endpoint", "JSON"),
            ("get", "/facebook/{version}/me", "demo Facebook's Graph profile", "JSON"),
        )
    ),
]
