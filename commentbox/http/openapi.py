"""The OpenAPI 3.1 document at ``/api/v1/openapi.json``.

Operations are declared here in one table; schemas come from the pydantic shapes the
handlers really use. ``tests/test_openapi.py`` walks the app's routes and fails when a
route is missing here or an entry here has no route — so the document stays true.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.applications import Starlette

from commentbox import __version__
from commentbox.domain.guest_schemas import ClaimableList, Claimed, GuestClaim, GuestVerify, LinkSent
from commentbox.domain.schemas import (
    CommentCreate,
    CommentCreated,
    CommentEdit,
    CommentPublic,
    Counts,
    LoginCreate,
    LoginIssued,
    LoginRedeemed,
    Me,
    OwnComments,
    Preview,
    PreviewRendered,
    SiteConfig,
    ThreadPage,
    VoteCast,
)
from commentbox.linkbacks.receiving import LinkbackStatus, WebmentionSent


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    params: tuple[tuple[str, str, bool, str], ...] = ()  # (name, in, required, description)
    body: type[BaseModel] | None = None
    responses: dict[int, type[BaseModel] | str] = field(default_factory=dict)
    tag: str = "api"
    body_media: str = "application/json"


_SITE = ("site", "query", True, "the site id")
_COMMENT = ("comment_id", "path", True, "the comment id")
_HTML = "text/html"
_FRAGMENT = (
    "fragment",
    "query",
    False,
    "a language (en, de, fr, es, pt, ar): the answer also carries `fragment`, the comment's "
    "<li> rendered exactly as /embed/thread renders it",
)
_THREAD = (
    ("url", "query", False, "page URL"),
    ("page_id", "query", False, "explicit page id"),
    ("lang", "query", False, "en, de, fr, es, pt or ar (default en)"),
)
_ASSET: dict[int, type[BaseModel] | str] = {
    200: "the file (gzip when accepted); ETag, 304",
    304: "not modified",
}

OPERATIONS: list[Operation] = [
    Operation(
        "get",
        "/api/v1/threads",
        "A thread and one page of its comments (ETag, 304)",
        (
            _SITE,
            ("url", "query", False, "page URL"),
            ("page_id", "query", False, "explicit page id"),
            ("sort", "query", False, "oldest|newest|top"),
            ("limit", "query", False, "top-level comments per page"),
            ("cursor", "query", False, "from `next`"),
        ),
        responses={200: ThreadPage, 304: "not modified"},
    ),
    Operation(
        "get",
        "/api/v1/threads/events",
        "A thread's changes as Server-Sent Events: published, edited, deleted (each with the "
        "comment, its rendered <li> and the count), reload; Last-Event-ID resumes",
        (_SITE, *_THREAD),
        responses={200: "text/event-stream"},
    ),
    Operation(
        "post",
        "/api/v1/comments",
        "Post a comment or reply",
        (_FRAGMENT,),
        body=CommentCreate,
        responses={201: CommentCreated, 202: CommentCreated},
    ),
    Operation(
        "get",
        "/api/v1/comments/{comment_id}",
        "One's own comment, also while held (bearer, or X-Edit-Token: it keeps reading for 30 "
        "days after the edit window closed); 404 once gone",
        (_COMMENT, _FRAGMENT),
        responses={200: CommentPublic},
    ),
    Operation(
        "patch",
        "/api/v1/comments/{comment_id}",
        "Edit one's own comment (bearer or X-Edit-Token)",
        (_COMMENT, _FRAGMENT),
        CommentEdit,
        {200: CommentPublic},
    ),
    Operation(
        "delete",
        "/api/v1/comments/{comment_id}",
        "Delete one's own comment (tombstone if it has replies)",
        (_COMMENT,),
        responses={204: "deleted"},
    ),
    Operation(
        "post",
        "/api/v1/comments/{comment_id}/vote",
        "Vote +1, 0 or -1: one vote per person (the signed-in user, or a guest's address), never "
        "on one's own comment (403); votes have their own budget (429)",
        (_COMMENT,),
        VoteCast,
        {200: 'the new score: {"score": n, "value": v}'},
    ),
    Operation(
        "get",
        "/api/v1/counts",
        "Comment counts for up to 100 pages",
        (_SITE, ("url", "query", False, "repeatable"), ("page_id", "query", False, "repeatable")),
        responses={200: Counts},
    ),
    Operation(
        "post",
        "/api/v1/preview",
        "Render Markdown as it would be stored",
        body=Preview,
        responses={200: PreviewRendered},
    ),
    Operation(
        "get",
        "/api/v1/me",
        "The signed-in identity (bearer); `site` also checks the token's site",
        (("site", "query", False, "the site id"),),
        responses={200: Me, 401: "not signed in"},
    ),
    Operation(
        "get",
        "/api/v1/me/comments",
        "The bearer's own comments in one thread, with their edit deadlines (for Edit and Delete)",
        (_SITE, ("url", "query", False, "page URL"), ("page_id", "query", False, "explicit page id")),
        responses={200: OwnComments, 401: "not signed in, or the token is another site's"},
    ),
    Operation(
        "get",
        "/api/v1/sites/{site}/config",
        "What the widget needs to know about a site",
        (("site", "path", True, "the site id"),),
        responses={200: SiteConfig},
    ),
    Operation("get", "/api/v1/openapi.json", "This document", responses={200: "OpenAPI 3.1"}),
    Operation("get", "/", "The demo page", responses={200: _HTML}, tag="pages"),
    Operation("get", "/embed.js", "The widget loader", responses=_ASSET, tag="widget"),
    Operation("get", "/count.js", "Comment counts for index pages", responses=_ASSET, tag="widget"),
    Operation(
        "get", "/embed.css", "The widget's stylesheet (for /threads pages)", responses=_ASSET, tag="widget"
    ),
    Operation(
        "get",
        "/embed/thread",
        "The thread as a sanitized HTML fragment for the widget (ETag, 304)",
        (
            _SITE,
            *_THREAD,
            ("sort", "query", False, "oldest|newest|top"),
            ("limit", "query", False, "top-level comments per page"),
            ("cursor", "query", False, "from the fragment's load-more button"),
        ),
        responses={200: _HTML, 304: "not modified"},
        tag="widget",
    ),
    Operation(
        "get",
        "/threads/{site}",
        "The thread as a plain HTML page, for readers without JavaScript",
        (("site", "path", True, "the site id"), *_THREAD, ("cursor", "query", False, "next page")),
        responses={200: _HTML, 304: "not modified"},
        tag="widget",
    ),
    Operation(
        "get",
        "/feeds/{site}.atom",
        "The site's 50 newest published comments as an Atom feed; with url or page_id, one "
        "thread's (ETag, 304; 404 for an unknown site or thread, or when the site's feeds are off)",
        (
            ("site", "path", True, "the site id"),
            ("url", "query", False, "a page URL: that page's thread only"),
            ("page_id", "query", False, "an explicit page id: that page's thread only"),
        ),
        responses={200: "application/atom+xml", 304: "not modified", 404: "no such site, thread or feed"},
        tag="feeds",
    ),
    Operation("get", "/healthz", "The process is up", responses={200: "ok"}, tag="pages"),
    Operation(
        "get",
        "/readyz",
        "The instance can serve: its database answers (503 otherwise)",
        responses={200: "ready", 503: "the database does not answer"},
        tag="ops",
    ),
    Operation(
        "get",
        "/metrics",
        "Prometheus metrics (off by default; bearer token when COMMENTBOX_METRICS_TOKEN is set)",
        responses={
            200: "Prometheus text exposition format",
            401: "wrong or missing token",
            404: "metrics are off",
        },
        tag="ops",
    ),
    Operation(
        "get",
        "/avatars/{key}.svg",
        "A generated avatar for a guest",
        (("key", "path", True, "avatar key"),),
        responses={200: "image/svg+xml"},
        tag="pages",
    ),
    Operation(
        "get",
        "/avatars/{key}",
        "A signed-in author's picture, fetched from the provider by this server and cached "
        "(the identicon, image/svg+xml, when it cannot be fetched)",
        (("key", "path", True, "user id and picture key, as the thread gives it"),),
        responses={200: "image/png, image/jpeg, image/gif or image/webp", 404: "not an avatar key"},
        tag="pages",
    ),
]

_PROVIDER = ("provider", "path", True, "google, twitter or facebook")
_LOGIN_QUERY = (
    _SITE,
    ("login", "query", True, "the login id from POST /auth/logins"),
    ("return_to", "query", False, "full-page flow: the page to return to (its origin must be the login's)"),
)
OPERATIONS += [
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
        responses={303: "to the provider", 403: _HTML},
        tag="auth",
    ),
    Operation(
        "get",
        "/auth/{provider}/callback",
        "The provider's answer: hands the token to the page's registered origin, or opens a "
        "moderator's /admin session",
        (_PROVIDER, ("code", "query", False, "from the provider"), ("state", "query", False, "")),
        responses={200: _HTML, 303: "back to return_to", 400: _HTML, 403: "not a moderator (HTML)"},
        tag="auth",
    ),
    Operation(
        "post",
        "/auth/{provider}/admin",
        "Sign in to /admin with a provider (a form on /admin/login; same origin only)",
        (_PROVIDER,),
        responses={303: "to the provider", 403: _HTML},
        tag="auth",
    ),
]


_LINK_TOKEN = ("token", "path", True, "the token of the mailed link")
OPERATIONS += [
    Operation(
        "post",
        "/api/v1/guests/verify",
        "Mail a one-time sign-in link (30 minutes) for the page holding `login`; the same 202 "
        "for every address",
        body=GuestVerify,
        responses={202: LinkSent, 403: "another page's login id", 404: "unknown login id, or no mail here"},
        tag="guests",
    ),
    Operation(
        "get",
        "/api/v1/guests/claim",
        "A verified guest's older guest comments on the site (same address, nobody's yet)",
        (_SITE,),
        responses={200: ClaimableList, 401: "not signed in", 403: "not a verified guest"},
        tag="guests",
    ),
    Operation(
        "post",
        "/api/v1/guests/claim",
        "Make exactly the chosen comments the verified guest's (all or none)",
        body=GuestClaim,
        responses={200: Claimed, 401: "not signed in", 403: "an id that is not theirs to claim"},
        tag="guests",
    ),
    Operation(
        "get",
        "/auth/email/{token}",
        "The mailed link's page: a button (a GET signs nobody in, as mail scanners fetch links)",
        (_LINK_TOKEN,),
        responses={
            200: _HTML,
            404: "not valid (HTML)",
            410: "used, replaced or older than 30 minutes (HTML)",
        },
        tag="guests",
    ),
    Operation(
        "post",
        "/auth/email/{token}",
        "The button (same-origin form): signs in the page that asked, which collects the session "
        "with POST /auth/logins/{login}/redeem",
        (_LINK_TOKEN,),
        responses={200: _HTML, 403: _HTML, 404: _HTML, 410: _HTML},
        tag="guests",
    ),
]


def _admin(method: str, path: str, summary: str, *params: tuple[str, str, bool, str]) -> Operation:
    """An ``/admin`` page (HTML, cookie session) or form post (CSRF token, answers 303)."""
    responses: dict[int, type[BaseModel] | str] = (
        {200: _HTML, 303: "to the sign-in page"} if method == "get" else {303: "back to the page", 403: _HTML}
    )
    return Operation(method, path, summary, params, responses=responses, tag="admin")


_ID = ("comment_id", "path", True, "the comment id")
_THREAD_ID = ("thread_id", "path", True, "the thread id")
_SITE_PATH = ("site", "path", True, "the site id")
OPERATIONS += [
    _admin("get", "/admin", "The moderation queue: pending first, newest first, searchable"),
    Operation(
        "get", "/admin/admin.css", "The admin pages' stylesheet", responses={200: "text/css"}, tag="admin"
    ),
    Operation(
        "get",
        "/admin/admin.js",
        "The queue's keyboard shortcuts (run by the page's CSP nonce)",
        responses={200: "text/javascript"},
        tag="admin",
    ),
    _admin("get", "/admin/login", "Sign-in form"),
    _admin("post", "/admin/login", "Sign in (name, password); sets the session cookie"),
    _admin("post", "/admin/logout", "Sign out"),
    _admin(
        "post",
        "/admin/comments",
        "Approve, mark as spam, trash, restore or delete (after a confirmation page) one comment "
        "(act=approve:ID) or the selected ones",
    ),
    _admin("get", "/admin/comments/{comment_id}", "One comment: edit, pin, ban", _ID),
    _admin("post", "/admin/comments/{comment_id}/edit", "Edit a comment's Markdown", _ID),
    _admin("post", "/admin/comments/{comment_id}/pin", "Pin or unpin a comment", _ID),
    _admin(
        "post",
        "/admin/comments/{comment_id}/ban",
        "Ban the sender by sign-in, browser, email or address",
        _ID,
    ),
    _admin(
        "get", "/admin/threads/{thread_id}", "A thread's comments, lock, link to the public view", _THREAD_ID
    ),
    _admin("post", "/admin/threads/{thread_id}/lock", "Lock or unlock a thread", _THREAD_ID),
    _admin("get", "/admin/bans", "Bans in force"),
    _admin("post", "/admin/bans", "Ban an email address on a site"),
    _admin("post", "/admin/bans/{ban_id}/delete", "Lift a ban", ("ban_id", "path", True, "the ban id")),
    _admin("get", "/admin/sites/{site}", "A site's moderation settings and moderators (owners)", _SITE_PATH),
    _admin("post", "/admin/sites/{site}", "Save a site's moderation settings", _SITE_PATH),
    _admin("post", "/admin/sites/{site}/moderators", "Name an account or provider identity", _SITE_PATH),
    _admin(
        "post",
        "/admin/sites/{site}/moderators/{role_id}/delete",
        "Remove a moderator",
        _SITE_PATH,
        ("role_id", "path", True, "the role id"),
    ),
    _admin("post", "/admin/sites/{site}/webhooks", "Register a webhook endpoint (owners)", _SITE_PATH),
    *(
        _admin(
            "post",
            f"/admin/sites/{{site}}/webhooks/{{endpoint_id}}/{action}",
            summary,
            _SITE_PATH,
            ("endpoint_id", "path", True, "the endpoint's id"),
        )
        for action, summary in (
            ("test", "Send a signed test event to an endpoint now"),
            ("enabled", "Turn an endpoint's deliveries off or back on"),
            ("delete", "Remove an endpoint and its delivery log"),
        )
    ),
    _admin(
        "get",
        "/admin/sites/{site}/erase",
        "Erase a person's data: the form and the site's erasures",
        _SITE_PATH,
    ),
    _admin(
        "post",
        "/admin/sites/{site}/erase",
        "Count what an erasure (field `email` or `user`) would remove; with `confirm=yes`, erase",
        _SITE_PATH,
    ),
]
_TOKEN = ("token", "path", True, "the signed token from the email")
OPERATIONS += [
    _admin("get", "/admin/act/{token}", "A moderator's email link: a page to confirm the action", _TOKEN),
    Operation(
        "post",
        "/admin/act/{token}",
        "Take the link's action (form field `action` must match), once",
        (_TOKEN,),
        responses={200: _HTML, 410: "expired or used", 422: "another action"},
        tag="notifications",
    ),
    Operation(
        "get",
        "/notifications/confirm/{token}",
        "Reply notifications: a page to confirm the address",
        (_TOKEN,),
        responses={200: _HTML},
        tag="notifications",
    ),
    Operation(
        "post",
        "/notifications/confirm/{token}",
        "Confirm the address (double opt-in)",
        (_TOKEN,),
        responses={200: _HTML},
        tag="notifications",
    ),
    Operation(
        "get",
        "/notifications/unsubscribe/{token}",
        "A page to unsubscribe",
        (_TOKEN,),
        responses={200: _HTML},
        tag="notifications",
    ),
    Operation(
        "post",
        "/notifications/unsubscribe/{token}",
        "Unsubscribe; also RFC 8058 one-click (`List-Unsubscribe=One-Click`)",
        (_TOKEN,),
        responses={200: _HTML},
        tag="notifications",
    ),
]

OPERATIONS += [
    Operation(
        "post",
        "/webmention/{site}",
        "Receive a Webmention (W3C): checked at once, the source verified in the background",
        (_SITE_PATH,),
        body=WebmentionSent,
        body_media="application/x-www-form-urlencoded",
        responses={202: LinkbackStatus, 400: "refused (problem details)", 429: "the host's budget is spent"},
        tag="linkbacks",
    ),
    Operation(
        "get",
        "/webmention/{site}/{token}",
        "Where verifying a Webmention stands (the 202's Location)",
        (_SITE_PATH, ("token", "path", True, "from the Location header")),
        responses={200: LinkbackStatus, 404: "no such Webmention"},
        tag="linkbacks",
    ),
    Operation(
        "post",
        "/pingback/{site}",
        "Receive a pingback: an XML-RPC `pingback.ping(source, target)` call (text/xml), verified at once",
        (_SITE_PATH,),
        responses={200: "an XML-RPC response: a string, or a fault with the Pingback 1.0 codes"},
        tag="linkbacks",
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
        responses={200: _HTML},
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
            ("get", "/google/authorize", "demo Google's consent page", _HTML),
            ("post", "/google/authorize", "the answer to demo Google's consent page", _HTML),
            ("post", "/google/token", "demo Google's token endpoint (with id_token)", "JSON"),
            ("get", "/twitter/authorize", "demo X's consent page", _HTML),
            ("post", "/twitter/authorize", "the answer to demo X's consent page", _HTML),
            ("post", "/twitter/2/oauth2/token", "demo X's token endpoint", "JSON"),
            ("get", "/twitter/2/users/me", "demo X's profile", "JSON"),
            ("get", "/facebook/{version}/dialog/oauth", "demo Facebook's login dialog", _HTML),
            ("post", "/facebook/{version}/dialog/oauth", "the answer to demo Facebook's dialog", _HTML),
            ("post", "/facebook/{version}/oauth/access_token", "demo Facebook's token endpoint", "JSON"),
            ("get", "/facebook/{version}/me", "demo Facebook's Graph profile", "JSON"),
        )
    ),
]

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}


def _response(target: type[BaseModel] | str) -> dict[str, Any]:
    if isinstance(target, str):
        return {"description": target}
    ref = {"$ref": f"#/components/schemas/{target.__name__}"}
    return {"description": target.__name__, "content": {"application/json": {"schema": ref}}}


def build_document(operations: list[Operation]) -> dict[str, Any]:
    models = {op.body for op in operations if op.body} | {
        r for op in operations for r in op.responses.values() if not isinstance(r, str)
    }
    _, schemas = models_json_schema(
        [(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
        ref_template="#/components/schemas/{model}",
    )
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        entry: dict[str, Any] = {
            "summary": op.summary,
            "tags": [op.tag],
            "parameters": [
                {
                    "name": n,
                    "in": where,
                    "required": req,
                    "description": d,
                    "schema": {"type": "string"},
                }
                for n, where, req, d in op.params
            ],
            "responses": {str(s): _response(t) for s, t in op.responses.items()}
            | {
                "default": {
                    "description": "problem details",
                    "content": {
                        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                    },
                }
            },
        }
        if op.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {op.body_media: {"schema": {"$ref": f"#/components/schemas/{op.body.__name__}"}}},
            }
        paths.setdefault(op.path, {})[op.method] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "commentbox", "version": __version__},
        "paths": paths,
        "components": {"schemas": {**schemas.get("$defs", {}), "Problem": PROBLEM_SCHEMA}},
    }


def openapi_document(app: Starlette) -> dict[str, Any]:
    """Built once per app; extensions append to ``app.state.operations`` while wiring routes."""
    if getattr(app.state, "openapi", None) is None:
        app.state.openapi = build_document(app.state.operations)
    return app.state.openapi  # type: ignore[no-any-return]
