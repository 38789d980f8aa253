"""The public surface: the JSON API, the widget's assets and fragments, pages, feeds and ops."""

from __future__ import annotations

from pydantic import BaseModel

from commentbox.domain.schemas import (
    CommentCreate,
    CommentCreated,
    CommentEdit,
    CommentPublic,
    Counts,
    Me,
    OwnComments,
    Preview,
    PreviewRendered,
    SiteConfig,
    ThreadPage,
    VoteCast,
)
from commentbox.http.openapi.operation import HTML, SITE, Operation

_COMMENT = ("comment_id", "path", True, "the comment id")
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

PUBLIC_OPERATIONS: list[Operation] = [
    Operation(
        "get",
        "/api/v1/threads",
        "A thread and one page of its comments (ETag, 304)",
        (
            SITE,
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
        (SITE, *_THREAD),
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
        (SITE, ("url", "query", False, "repeatable"), ("page_id", "query", False, "repeatable")),
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
        (SITE, ("url", "query", False, "page URL"), ("page_id", "query", False, "explicit page id")),
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
    Operation("get", "/", "The demo page", responses={200: HTML}, tag="pages"),
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
            SITE,
            *_THREAD,
            ("sort", "query", False, "oldest|newest|top"),
            ("limit", "query", False, "top-level comments per page"),
            ("cursor", "query", False, "from the fragment's load-more button"),
        ),
        responses={200: HTML, 304: "not modified"},
        tag="widget",
    ),
    Operation(
        "get",
        "/threads/{site}",
        "The thread as a plain HTML page, for readers without JavaScript",
        (("site", "path", True, "the site id"), *_THREAD, ("cursor", "query", False, "next page")),
        responses={200: HTML, 304: "not modified"},
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
