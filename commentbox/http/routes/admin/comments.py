"""``/admin/comments/{id}``: one comment — edit, pin, and ban its author."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from commentbox.admin import actions
from commentbox.admin import bans as banning
from commentbox.errors import InvalidInput
from commentbox.http.forms import first
from commentbox.http.request import context
from commentbox.http.routes.admin.notices import after
from commentbox.http.routes.admin.plumbing import (
    back,
    here,
    page,
    posted,
    redirect,
    render,
    signed_in,
    whole_number,
)
from commentbox.runtime.offload import blocking
from commentbox.store.models import BanKind


@page
async def comment_page(request: Request) -> Response:
    admin = await signed_in(request)
    row = await blocking(
        actions.comment_row, context(request).moderation, admin.moderator, request.path_params["comment_id"]
    )
    return render(
        request,
        "comment.html",
        {
            "admin": admin,
            "row": row,
            "here": here(request),
            "kinds": list(BanKind),
        },
    )


@page
async def edit(request: Request) -> Response:
    admin, form = await posted(request)
    comment_id = request.path_params["comment_id"]
    await blocking(
        actions.edit, context(request).moderation, admin.moderator, comment_id, first(form, "body")
    )
    return redirect(after(back(form, f"/admin/comments/{comment_id}"), "edit"))


@page
async def pin(request: Request) -> Response:
    admin, form = await posted(request)
    comment_id = request.path_params["comment_id"]
    pinned = first(form, "pinned") == "1"
    await blocking(actions.pin, context(request).moderation, admin.moderator, comment_id, pinned)
    return redirect(after(back(form, f"/admin/comments/{comment_id}"), "pin" if pinned else "unpin"))


@page
async def ban(request: Request) -> Response:
    admin, form = await posted(request)
    comment_id = request.path_params["comment_id"]
    try:
        kinds = [BanKind(k) for k in form.get("kind", [])]
    except ValueError:
        raise InvalidInput("Choose what to ban.", field="kind") from None
    if not kinds:
        raise InvalidInput("Choose what to ban.", field="kind")
    days = whole_number(first(form, "days"), "days", optional=True)
    await blocking(
        banning.ban_from_comment,
        context(request).moderation,
        admin.moderator,
        comment_id,
        kinds,
        days,
        first(form, "reason")[:300],
    )
    return redirect(after(back(form, f"/admin/comments/{comment_id}"), "ban"))
