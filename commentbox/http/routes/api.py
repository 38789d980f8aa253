"""``/api/v1``: the JSON API described in API.md and served as OpenAPI by the ``openapi`` package."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from commentbox.domain import comments, own_comments, reading, retries, threads, user_sessions
from commentbox.domain.schemas import (
    CommentCreate,
    CommentEdit,
    CommentPublic,
    Me,
    OwnComments,
    Preview,
    PreviewRendered,
    SiteConfig,
    VoteCast,
)
from commentbox.domain.sites import load_site
from commentbox.domain.spam import issue_form_token
from commentbox.domain.visitors import Visitor
from commentbox.errors import InvalidInput
from commentbox.html import render
from commentbox.html.i18n import pick_language
from commentbox.http.openapi.document import openapi_document
from commentbox.http.request import ClientInfo, JSONResponse, context, read_json
from commentbox.runtime.offload import blocking
from commentbox.store.models import CommentStatus

MAX_PAGE = 500


def _int_param(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise InvalidInput(f"“{name}” must be a whole number from {low} to {high}.", field=name)
    return int(raw)


def site_param(request: Request, name: str = "site") -> str:
    value = request.query_params.get(name) or request.path_params.get(name)
    if not value:
        raise InvalidInput(f"“{name}” is required.", field=name)
    return str(value)


def thread_query(request: Request) -> reading.ThreadQuery:
    """The thread a request names (``site``, ``url`` or ``page_id``, ``sort``, ``limit``, ``cursor``)."""
    return _parse_thread_query(
        request.scope["query_string"].decode("latin-1"),
        request.path_params.get("site"),
        context(request).settings.page_size,
    )


@lru_cache(maxsize=4096)
def _parse_thread_query(query_string: str, path_site: str | None, page_size: int) -> reading.ThreadQuery:
    """Parsed once per distinct query string (every reader of a page sends the same one)."""
    params = QueryParams(query_string)
    try:
        sort = threads.Sort(params.get("sort", "oldest"))
    except ValueError:
        raise InvalidInput("“sort” must be oldest, newest or top.", field="sort") from None
    site = path_site or params.get("site")
    if not site:
        raise InvalidInput("“site” is required.", field="site")
    return reading.ThreadQuery(
        site=site,
        url=params.get("url"),
        page_id=params.get("page_id"),
        sort=sort,
        limit=_int_param(params, "limit", page_size, 1, MAX_PAGE),
        cursor=params.get("cursor"),
    )


async def get_thread(request: Request) -> Response:
    """The hot path: no thread pool and no ORM unless the thread changed (``reading.py``)."""
    query = thread_query(request)
    rendered = await reading.read_thread(context(request).reader, query, request.headers.get("if-none-match"))
    headers = {"ETag": rendered.etag, "Cache-Control": "no-cache"}
    if rendered.body is None:
        return Response(status_code=304, headers=headers)
    return Response(rendered.body, media_type="application/json", headers=headers)


def _with_fragment(request: Request, comment: CommentPublic) -> CommentPublic | dict[str, object]:
    """``?fragment=LANG`` adds ``"fragment"``: the comment's ``<li>`` as ``/embed/thread`` renders it,
    so the widget inserts server-rendered HTML for new and edited comments too (one renderer)."""
    wanted = request.query_params.get("fragment")
    if wanted is None:
        return comment
    return {
        **comment.model_dump(mode="json"),
        "fragment": render.comment_fragment(comment, pick_language(wanted)),
    }


async def _comment_visitor(request: Request, client: ClientInfo) -> Visitor:
    """The visitor acting on an existing comment: a bearer must belong to that comment's site."""
    site_id = None
    if client.bearer is not None:
        site_id = await blocking(
            comments.site_of, context(request).commenting, request.path_params["comment_id"]
        )
    return await blocking(client.visitor, site_id)


async def post_comment(request: Request) -> Response:
    ctx = context(request)
    data = await read_json(request, CommentCreate)
    client = ClientInfo(request)

    key = retries.checked_key(request.headers.get("idempotency-key"))

    def post() -> tuple[bool, CommentPublic | dict[str, object]]:
        """One thread-pool hop for the whole post (each hop costs as much as a small query)."""
        visitor = client.visitor(data.site)
        posted = comments.post_comment(
            ctx.commenting, data, visitor, client.origin, client.facts(), idempotency_key=key
        )
        return posted.held, _with_fragment(request, posted.comment)

    held, body = await blocking(post)
    return JSONResponse(body, status_code=202 if held else 201)


async def get_comment(request: Request) -> Response:
    """One's own comment (bearer or ``X-Edit-Token``), also while it awaits moderation;
    ``?fragment=LANG`` as on ``PATCH``, so the widget can show it as it is now."""
    ctx = context(request)
    client = ClientInfo(request)
    visitor = await _comment_visitor(request, client)
    comment_id = request.path_params["comment_id"]

    def load() -> CommentPublic | dict[str, object]:
        return _with_fragment(
            request, own_comments.own_comment(ctx.commenting, comment_id, visitor, client.edit_token)
        )

    return JSONResponse(await blocking(load), headers={"Cache-Control": "no-store"})


async def patch_comment(request: Request) -> Response:
    ctx = context(request)
    data = await read_json(request, CommentEdit)
    client = ClientInfo(request)
    comment_id = request.path_params["comment_id"]
    visitor = await _comment_visitor(request, client)
    edited = await blocking(
        comments.edit_comment,
        ctx.commenting,
        comment_id,
        data,
        visitor,
        client.edit_token,
        client.origin,
        client.facts(),
    )
    held = edited.status == CommentStatus.PENDING
    return JSONResponse(await blocking(_with_fragment, request, edited), status_code=202 if held else 200)


async def delete_comment(request: Request) -> Response:
    ctx = context(request)
    client = ClientInfo(request)
    comment_id = request.path_params["comment_id"]
    visitor = await _comment_visitor(request, client)
    await blocking(
        comments.delete_comment, ctx.commenting, comment_id, visitor, client.edit_token, client.origin
    )
    return Response(status_code=204)


async def vote(request: Request) -> Response:
    ctx = context(request)
    data = await read_json(request, VoteCast)
    client = ClientInfo(request)
    comment_id = request.path_params["comment_id"]
    visitor = await _comment_visitor(request, client)
    score = await blocking(comments.vote, ctx.commenting, comment_id, data.value, visitor, client.origin)
    return JSONResponse({"score": score, "value": data.value})


@lru_cache(maxsize=4096)
def _count_query(query_string: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """``(site, urls, page ids)``, parsed once per distinct query string (an index page
    asks the same question for every visitor)."""
    params = QueryParams(query_string)
    site = params.get("site")
    if not site:
        raise InvalidInput("“site” is required.", field="site")
    return site, tuple(params.getlist("url")), tuple(params.getlist("page_id"))


async def counts(request: Request) -> Response:
    site, urls, page_ids = _count_query(request.scope["query_string"].decode("latin-1"))
    found = await reading.count_comments(context(request).reader, site, urls, page_ids)
    # The ``Counts`` shape, written directly: a dict of ints needs no validation here.
    return JSONResponse({"counts": found}, headers={"Cache-Control": "public, max-age=10"})


async def preview(request: Request) -> Response:
    ctx = context(request)
    data = await read_json(request, Preview)
    html = await blocking(comments.preview, ctx.commenting, data.site, data.body)
    return JSONResponse(PreviewRendered(html=html))


async def me(request: Request) -> Response:
    """The bearer's identity; ``?site=S`` and the page's ``Origin`` must both match the token's site."""
    ctx = context(request)
    client = ClientInfo(request)
    token = client.required_bearer()
    site_id = request.query_params.get("site") or user_sessions.token_site(ctx.user_sessions, token)
    signed_in = await blocking(user_sessions.resolve, ctx.user_sessions, token, site_id, client.origin)
    user = signed_in.user
    body = Me(**ctx.presentation.identity(user).model_dump(), site=signed_in.site_id)
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


async def my_comments(request: Request) -> Response:
    """The bearer's own comments in one thread (``site`` and ``url`` or ``page_id``): the
    per-viewer half of ownership, which the shared, cached thread cannot carry."""
    ctx = context(request)
    client = ClientInfo(request)
    token = client.required_bearer()
    site_id = site_param(request)
    params = request.query_params

    def load() -> OwnComments:
        user = user_sessions.resolve(ctx.user_sessions, token, site_id, client.origin).user
        return own_comments.own_in_thread(
            ctx.commenting, site_id, params.get("url"), params.get("page_id"), user
        )

    return JSONResponse(await blocking(load), headers={"Cache-Control": "no-store"})


async def site_config(request: Request) -> Response:
    ctx = context(request)

    def load() -> SiteConfig:
        site = load_site(ctx.db, site_param(request))
        return SiteConfig(
            site=site.id,
            name=site.name,
            providers=list(ctx.providers),
            moderation=site.moderation,
            edit_window_seconds=site.edit_window_seconds,
            user_edit_window_seconds=site.user_edit_window_seconds,
            allow_images=site.allow_images,
            email_sign_in=ctx.outbox.enabled,
            limits={
                "name_chars": ctx.limits.name_chars,
                "body_chars": ctx.limits.body_chars,
                "max_depth": ctx.settings.max_depth,
                "max_links": site.max_links,
                "min_post_seconds": site.min_post_seconds,
            },
            form_token=issue_form_token(ctx.keys, site.id),
        )

    # Carries a fresh form token (its issue time is the point), so never shared by caches.
    return JSONResponse(await blocking(load), headers={"Cache-Control": "no-store"})


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document(request.app))


routes = [
    Route("/threads", get_thread, methods=["GET"]),
    Route("/comments", post_comment, methods=["POST"]),
    Route("/comments/{comment_id:id}", get_comment, methods=["GET"]),
    Route("/comments/{comment_id:id}", patch_comment, methods=["PATCH"]),
    Route("/comments/{comment_id:id}", delete_comment, methods=["DELETE"]),
    Route("/comments/{comment_id:id}/vote", vote, methods=["POST"]),
    Route("/counts", counts, methods=["GET"]),
    Route("/preview", preview, methods=["POST"]),
    Route("/me", me, methods=["GET"]),
    Route("/me/comments", my_comments, methods=["GET"]),
    Route("/sites/{site}/config", site_config, methods=["GET"]),
    Route("/openapi.json", openapi, methods=["GET"]),
]
