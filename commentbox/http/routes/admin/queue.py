"""``/admin``: the moderation queue with its filters, and the bulk form that acts on it."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from commentbox.admin import actions
from commentbox.errors import InvalidInput
from commentbox.http.forms import Form, first
from commentbox.http.request import context
from commentbox.http.routes.admin import notices
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


def _chosen(form: Form) -> tuple[actions.Action, list[int]]:
    """What the moderator asked for: a row's own button (``act=approve:12``) or a bulk
    button (``action``) on the ticked ``ids``."""
    one = first(form, "act")
    if one:
        name, _, comment_id = one.partition(":")
        if not comment_id.isdigit() or len(comment_id) > 9:
            raise InvalidInput("Choose a comment.", field="act")
        return _action(name), [int(comment_id)]
    return _action(first(form, "action")), comment_ids(form)


def _action(name: str) -> actions.Action:
    try:
        return actions.Action(name)
    except ValueError:
        raise InvalidInput("Choose approve, spam, trash, restore or delete.", field="action") from None


@page
async def bulk(request: Request) -> Response:
    """Act on comments, then back to the page the form was on with a notice (and Undo for
    Trash). Deleting for good asks first, on a page of its own: it needs no script."""
    admin, form = await posted(request)
    action, ids = _chosen(form)
    target = back(form)
    if action is actions.Action.DELETE and first(form, "confirmed") != "yes":
        values = {"admin": admin, "ids": ids, "next": target, "here": target}
        return render(request, "confirm.html", values)
    changed = await blocking(actions.apply, context(request).moderation, admin.moderator, ids, action)
    if action is actions.Action.DELETE and target.startswith("/admin/comments/"):
        target = "/admin"  # the comment's own page is gone with it
    trashed = ids if action is actions.Action.TRASH else ()
    return redirect(notices.after(target, action.value, count=changed, ids=trashed))
