"""``/admin/sites/{site}``: a site's settings, for its owners."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from commentbox.admin import moderators
from commentbox.domain import sites
from commentbox.errors import InvalidInput
from commentbox.html.render import linkback_endpoints
from commentbox.http.forms import first
from commentbox.http.request import context
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
from commentbox.store.models import ModerationMode, NotifyModerators, Role


def _site_values(request: Request, admin: moderators.AdminContext, site_id: str) -> dict[str, Any]:
    admin.moderator.require_owner(site_id)
    site, roles = moderators.site_with_roles(context(request).db, site_id)
    return {
        "admin": admin,
        "site": site,
        "roles": roles,
        "modes": [m.value for m in ModerationMode],
        "notify": [n.value for n in NotifyModerators],
        "role_names": [r.value for r in Role],
        "here": here(request),
        "mail_configured": bool(context(request).settings.smtp_host),
        "endpoints": linkback_endpoints(context(request).settings.base_url, site),
    }


@page
async def site_page(request: Request) -> Response:
    admin = await signed_in(request)
    values = await blocking(_site_values, request, admin, request.path_params["site"])
    return render(request, "site.html", values)


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


@page
async def update_site(request: Request) -> Response:
    admin, form = await posted(request)
    site_id = request.path_params["site"]
    admin.moderator.require_owner(site_id)
    try:
        mode = ModerationMode(first(form, "moderation"))
        notify = NotifyModerators(first(form, "notify_moderators"))
    except ValueError:
        raise InvalidInput(
            "Choose a moderation mode and a notification setting.", field="moderation"
        ) from None

    await blocking(
        sites.update_site,
        context(request).db,
        site_id,
        moderation=mode,
        max_links=whole_number(first(form, "max_links"), "max_links"),
        min_post_seconds=whole_number(first(form, "min_post_seconds"), "min_post_seconds"),
        blocked_words=_lines(first(form, "blocked_words")),
        blocked_names=_lines(first(form, "blocked_names")),
        close_after_days=whole_number(first(form, "close_after_days") or "0", "close_after_days"),
        notify_moderators=notify,
        hold_link_only=first(form, "hold_link_only") == "on",  # a checkbox: absent when unticked
        thread_write_limits=first(form, "thread_write_limits") or None,
        site_write_limits=first(form, "site_write_limits") or None,
        new_thread_limits=first(form, "new_thread_limits") or None,
        same_text_limits=first(form, "same_text_limits") or None,
        feeds=first(form, "feeds") == "on",
        linkbacks=first(form, "linkbacks") == "on",
        publish_linkbacks=first(form, "publish_linkbacks") == "on",
        ip_hash_days=whole_number(first(form, "ip_hash_days"), "ip_hash_days", optional=True),
        guest_email_days=whole_number(first(form, "guest_email_days") or "0", "guest_email_days"),
    )
    return redirect(f"/admin/sites/{site_id}")
