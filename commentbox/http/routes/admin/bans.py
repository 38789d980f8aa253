"""``/admin/bans``: the bans a moderator can see, adding one by email and lifting one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from commentbox.admin import bans as banning
from commentbox.http.forms import first
from commentbox.http.request import context
from commentbox.http.routes.admin.notices import after
from commentbox.http.routes.admin.plumbing import (
    here,
    page,
    posted,
    redirect,
    render,
    signed_in,
    whole_number,
)
from commentbox.runtime.offload import blocking


@page
async def bans_page(request: Request) -> Response:
    admin = await signed_in(request)
    found = await blocking(banning.bans, context(request).moderation, admin.moderator)
    return render(request, "bans.html", {"admin": admin, "bans": found, "here": here(request)})


@page
async def add_ban(request: Request) -> Response:
    admin, form = await posted(request)
    days = whole_number(first(form, "days"), "days", optional=True)
    await blocking(
        banning.ban_email,
        context(request).moderation,
        admin.moderator,
        first(form, "site"),
        first(form, "email"),
        days,
        first(form, "reason")[:300],
    )
    return redirect(after("/admin/bans", "ban"))


@page
async def lift_ban(request: Request) -> Response:
    admin, _ = await posted(request)
    await blocking(banning.unban, context(request).moderation, admin.moderator, request.path_params["ban_id"])
    return redirect(after("/admin/bans", "unban"))
