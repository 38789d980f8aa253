"""``/admin/sites/{site}/webhooks``: owners add, disable, enable and remove endpoints and
send a test event.

The endpoints and their delivery logs are shown on the site's page (``sites.py``); a test
event is delivered during the request (at most ``COMMENTBOX_WEBHOOK_TIMEOUT``), so the
owner sees its outcome at the top of the log when the page comes back.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from commentbox.http.forms import first
from commentbox.http.request import context
from commentbox.http.routes.admin.plumbing import page, posted, redirect
from commentbox.runtime.offload import blocking
from commentbox.webhooks import endpoints


@page
async def add_webhook(request: Request) -> Response:
    admin, form = await posted(request)
    site_id = request.path_params["site"]
    admin.moderator.require_owner(site_id)
    added = await blocking(
        endpoints.add_endpoint, context(request).db, site_id, first(form, "url"), form.get("events", [])
    )
    return redirect(f"/admin/sites/{site_id}#webhook-{added.id}")


@page
async def remove_webhook(request: Request) -> Response:
    admin, _ = await posted(request)
    site_id = request.path_params["site"]
    admin.moderator.require_owner(site_id)
    endpoint_id = request.path_params["endpoint_id"]
    await blocking(endpoints.remove_endpoint, context(request).db, endpoint_id, site_id)
    return redirect(f"/admin/sites/{site_id}#webhooks")


@page
async def test_webhook(request: Request) -> Response:
    admin, _ = await posted(request)
    site_id = request.path_params["site"]
    admin.moderator.require_owner(site_id)
    ctx = context(request)
    endpoint_id = request.path_params["endpoint_id"]
    await blocking(endpoints.endpoint, ctx.db, endpoint_id, site_id)  # this site's, or NotFound
    await blocking(ctx.webhooks.send_test, endpoint_id, site_id)
    return redirect(f"/admin/sites/{site_id}#webhook-{endpoint_id}")


@page
async def switch_webhook(request: Request) -> Response:
    """Disable or enable an endpoint (``enabled`` is ``on`` or ``off``)."""
    admin, form = await posted(request)
    site_id = request.path_params["site"]
    admin.moderator.require_owner(site_id)
    endpoint_id = request.path_params["endpoint_id"]
    enabled = first(form, "enabled") == "on"
    await blocking(endpoints.set_enabled, context(request).db, endpoint_id, enabled, site_id)
    return redirect(f"/admin/sites/{site_id}#webhook-{endpoint_id}")
