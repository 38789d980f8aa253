"""``/admin/sites/{site}/erase``: a moderator carries out an erasure request received by other
means (mail, phone) — everything of one guest address or one signed-in user on the site.

Two steps: the first post only counts what would go and asks again; the second, with
``confirm=yes``, erases. The page lists the site's past erasures: when, at whose request,
how many comments (never whose, or what).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from commentbox.domain import erasure
from commentbox.domain.erasure import Identity
from commentbox.errors import InvalidInput
from commentbox.http.forms import Form, first
from commentbox.http.request import context
from commentbox.http.routes.admin.plumbing import page, posted, render, signed_in, whole_number
from commentbox.runtime.offload import blocking

# What the page shows in each step (the templates refuse a name they are not given).
_NOTHING: dict[str, object] = {"erased": None, "confirming": None, "records": [], "email": None, "user": None}


def _identity(site_id: str, form: Form) -> Identity:
    email, user = first(form, "email").strip(), first(form, "user").strip()
    if bool(email) == bool(user):
        raise InvalidInput("Give either the guest's email address or the signed-in user's id.", field="email")
    if user:
        user_id = whole_number(user, "user")
        if not user_id:
            raise InvalidInput("A user id is a whole number from 1.", field="user")
        return Identity.user(site_id, user_id)
    return Identity.guest(site_id, email)


@page
async def erase_page(request: Request) -> Response:
    admin = await signed_in(request)
    site_id = request.path_params["site"]
    admin.moderator.require(site_id)
    records = await blocking(erasure.history, context(request).erasing, site_id)
    return render(request, "erase.html", {**_NOTHING, "admin": admin, "site_id": site_id, "records": records})


@page
async def erase(request: Request) -> Response:
    admin, form = await posted(request)
    site_id = request.path_params["site"]
    admin.moderator.require(site_id)
    identity = _identity(site_id, form)
    values = {
        **_NOTHING,
        "admin": admin,
        "site_id": site_id,
        "email": identity.email,
        "user": identity.user_id,
    }
    erasing = context(request).erasing
    if first(form, "confirm") != "yes":
        found = await blocking(erasure.count, erasing, identity)
        return render(request, "erase.html", {**values, "confirming": found})
    erased = await blocking(erasure.erase, erasing, identity, f"moderator {admin.name}")
    records = await blocking(erasure.history, erasing, site_id)
    return render(request, "erase.html", {**values, "erased": erased, "records": records})
