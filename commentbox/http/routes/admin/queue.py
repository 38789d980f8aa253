"""``/admin``: the moderation queue with its filters, and the bulk form that acts on it."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from commentbox.admin import actions
from commentbox.errors import InvalidInput
from commentbox.http.forms import first
from commentbox.http.request import context
from commentbox.http.routes.admin.plumbing import (
    back,
    comment_ids,
    here,
    page,
    posted,
    redirect,
    render,
    signed_in,
)
from commentbox.runtime.offload import blocking
from commentbox.store.models import CommentStatus


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
    admin = await signed_in(request)
    query = _queue_query(request)
    ctx = context(request)
    rows = await blocking(actions.queue, ctx.moderation, admin.moderator, query)
    pending = await blocking(actions.pending_count, ctx.moderation, admin.moderator)
    more = None
    if len(rows) == query.limit:
        params = dict(request.query_params) | {"offset": str(query.offset + query.limit)}
        more = "/admin?" + urlencode(params)
    return render(
        request,
        "queue.html",
        {
            "admin": admin,
            "rows": rows,
            "query": query,
            "pending": pending,
            "more": more,
            "here": here(request),
        },
    )


@page
async def bulk(request: Request) -> Response:
    admin, form = await posted(request)
    try:
        action = actions.Action(first(form, "action"))
    except ValueError:
        raise InvalidInput("Choose approve, spam or delete.", field="action") from None
    await blocking(actions.apply, context(request).moderation, admin.moderator, comment_ids(form), action)
    return redirect(back(form))
