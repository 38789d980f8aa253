"""``/admin/threads/{id}``: a thread as moderators see it, and locking it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from commentbox.admin import actions
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
)
from commentbox.runtime.offload import blocking


@page
async def thread_page(request: Request) -> Response:
    admin = await signed_in(request)
    view = await blocking(
        actions.thread_view, context(request).moderation, admin.moderator, request.path_params["thread_id"]
    )
    values = {"admin": admin, "thread": view.info, "rows": view.rows, "depths": view.depths}
    return render(request, "thread.html", values | {"here": here(request)})


@page
async def lock(request: Request) -> Response:
    admin, form = await posted(request)
    thread_id = request.path_params["thread_id"]
    locked = first(form, "locked") == "1"
    await blocking(actions.lock, context(request).moderation, admin.moderator, thread_id, locked)
    return redirect(after(back(form, f"/admin/threads/{thread_id}"), "lock" if locked else "unlock"))
