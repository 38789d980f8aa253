"""``/admin/sites/{site}/moderators``: owners grant and revoke roles on their site."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from commentbox.admin import moderators
from commentbox.errors import InvalidInput
from commentbox.http.forms import first
from commentbox.http.request import context
from commentbox.http.routes.admin.notices import after
from commentbox.http.routes.admin.plumbing import (
    page,
    posted,
    redirect,
)
from commentbox.runtime.offload import blocking
from commentbox.store.models import Role


@page
async def add_moderator(request: Request) -> Response:
    admin, form = await posted(request)
    site_id = request.path_params["site"]
    admin.moderator.require_owner(site_id)
    try:
        role = Role(first(form, "role", Role.MODERATOR))
    except ValueError:
        raise InvalidInput("Choose owner or moderator.", field="role") from None

    await blocking(
        moderators.grant,
        context(request).db,
        site_id,
        role,
        account_name=first(form, "account").strip() or None,
        provider=first(form, "provider").strip() or None,
        provider_user_id=first(form, "provider_user_id").strip() or None,
    )
    return redirect(after(f"/admin/sites/{site_id}", "grant"))


@page
async def remove_moderator(request: Request) -> Response:
    admin, _ = await posted(request)
    site_id = request.path_params["site"]
    admin.moderator.require_owner(site_id)

    await blocking(moderators.revoke, context(request).db, site_id, request.path_params["role_id"])
    return redirect(after(f"/admin/sites/{site_id}", "revoke"))
