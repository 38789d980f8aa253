"""``/admin/sites/{site}``: a site's settings, its moderators and its webhooks, for its owners.

The form shows every field as text (``fields``); a refused save shows the page again with
what the owner typed, the sentence, and the field it is about marked, rather than an error
page that loses the lot.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from commentbox.admin import moderators
from commentbox.domain import sites
from commentbox.errors import InvalidInput
from commentbox.html.render import linkback_endpoints
from commentbox.http.forms import Form, first
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
from commentbox.store.models import ModerationMode, NotifyModerators, Role, Site
from commentbox.webhooks import endpoints as webhook_endpoints
from commentbox.webhooks.events import WebhookEvent

NUMBERS = (
    "max_links",
    "min_post_seconds",
    "close_after_days",
    "edit_window_seconds",
    "user_edit_window_seconds",
    "ip_hash_days",
    "guest_email_days",
)
LIMITS = ("thread_write_limits", "site_write_limits", "new_thread_limits", "same_text_limits")
TEXT_FIELDS = ("moderation", "notify_moderators", *NUMBERS, *LIMITS)
LIST_FIELDS = ("origins", "blocked_words", "blocked_names")  # one per line
CHECKBOXES = (
    "allow_images",
    "hold_link_only",
    "feeds",
    "linkbacks",
    "publish_linkbacks",
)  # absent when unticked
FIELD_OF = {"origin": "origins", "days": "close_after_days"}  # domain's field name → the form's
MAX_FIELD_CHARS = 20_000


def fields_of(site: Site) -> dict[str, str]:
    """The site's settings as the form shows them."""
    values = {name: str(getattr(site, name)) for name in TEXT_FIELDS}
    values["close_after_days"] = str(site.close_after_days or 0)  # None: never
    values["guest_email_days"] = str(site.guest_email_days or 0)  # None: as long as the comment
    values |= {name: "\n".join(getattr(site, name)) for name in LIST_FIELDS}
    return values | {name: "on" if getattr(site, name) else "" for name in CHECKBOXES}


def _typed(form: Form, site: Site) -> dict[str, str]:
    """What the owner sent; a field the form did not carry keeps the site's value (checkboxes
    excepted: a browser leaves an unticked one out)."""
    sent = {name: first(form, name)[:MAX_FIELD_CHARS] for name in TEXT_FIELDS + LIST_FIELDS if name in form}
    return fields_of(site) | sent | {name: first(form, name) for name in CHECKBOXES}


def _site_values(
    request: Request, admin: moderators.AdminContext, site_id: str, typed: dict[str, str] | None = None
) -> dict[str, Any]:
    admin.moderator.require_owner(site_id)
    site, roles = moderators.site_with_roles(context(request).db, site_id)
    return {
        "admin": admin,
        "site": site,
        "fields": typed if typed is not None else fields_of(site),
        "roles": roles,
        "modes": [m.value for m in ModerationMode],
        "notify": [n.value for n in NotifyModerators],
        "role_names": [r.value for r in Role],
        "here": here(request),
        "mail_configured": bool(context(request).settings.smtp_host),
        "endpoints": linkback_endpoints(context(request).settings.base_url, site),
        "webhooks": webhook_endpoints.endpoints(context(request).db, site_id),
        "webhook_events": [e.value for e in WebhookEvent],
        "error": None,  # a refused save sets the sentence and the field it is about
        "error_field": None,
    }


@page
async def site_page(request: Request) -> Response:
    admin = await signed_in(request)
    values = await blocking(_site_values, request, admin, request.path_params["site"])
    return render(request, "site.html", values)


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


def _save(request: Request, site_id: str, typed: dict[str, str]) -> None:
    try:
        mode = ModerationMode(typed["moderation"])
    except ValueError:
        raise InvalidInput("Choose a moderation mode.", field="moderation") from None
    try:
        notify = NotifyModerators(typed["notify_moderators"])
    except ValueError:
        raise InvalidInput(
            "Choose which comments moderators hear about.", field="notify_moderators"
        ) from None
    # left empty: threads stay open, emails kept; other numbers must be given
    blank = {"close_after_days": "0", "guest_email_days": "0"}
    numbers: dict[str, Any] = {
        name: whole_number(typed[name] or blank.get(name, ""), name) for name in NUMBERS
    }
    limits: dict[str, Any] = {name: typed[name] or None for name in LIMITS}
    sites.update_site(
        context(request).db,
        site_id,
        moderation=mode,
        notify_moderators=notify,
        origins=[line.strip() for line in typed["origins"].splitlines() if line.strip()],
        blocked_words=_lines(typed["blocked_words"]),
        blocked_names=_lines(typed["blocked_names"]),
        allow_images=typed["allow_images"] == "on",
        hold_link_only=typed["hold_link_only"] == "on",
        feeds=typed["feeds"] == "on",
        linkbacks=typed["linkbacks"] == "on",
        publish_linkbacks=typed["publish_linkbacks"] == "on",
        **numbers,
        **limits,
    )


@page
async def update_site(request: Request) -> Response:
    admin, form = await posted(request)
    site_id = request.path_params["site"]
    admin.moderator.require_owner(site_id)
    typed = _typed(form, await blocking(sites.load_site, context(request).db, site_id))
    try:
        await blocking(_save, request, site_id, typed)
    except InvalidInput as exc:
        values = await blocking(_site_values, request, admin, site_id, typed)
        field = str(exc.extra.get("field", ""))
        values |= {"error": exc.detail, "error_field": FIELD_OF.get(field, field)}
        return render(request, "site.html", values, 422)
    return redirect(after(f"/admin/sites/{site_id}", "site"))
