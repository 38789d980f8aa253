"""Links from emails: moderator actions, subscription confirmations, one-click unsubscribe.

Mail scanners open every link in a message, so a GET only ever shows a page with a button;
the POST acts. The token in the path is the capability (signed, bound to its purpose);
unsubscribing also accepts RFC 8058's one-click POST, which mail clients send themselves.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from commentbox.http.forms import first, read_form, refuse_cross_site
from commentbox.http.request import context
from commentbox.http.routes.admin.plumbing import page, render
from commentbox.mail import notify
from commentbox.runtime.offload import blocking

_ACTION_WORDS = {"approve": "Approve", "spam": "Mark as spam", "delete": "Delete"}


@page
async def action_page(request: Request) -> Response:
    ctx = context(request)
    token = request.path_params["token"]
    link = await blocking(notify.read_action_token, ctx.notifier, token)
    comment_html = await blocking(notify.comment_preview, ctx.notifier, link.comment_id)
    return render(
        request,
        "notice.html",
        {
            "title": f"{_ACTION_WORDS[link.action.value]} this comment?",
            "message": "Confirm to act; the link then stops working.",
            "comment_html": comment_html,
            "button": _ACTION_WORDS[link.action.value],
            "target": request.url.path,
            "fields": {"action": link.action.value},
        },
    )


@page
async def action(request: Request) -> Response:
    refuse_cross_site(request)
    form = await read_form(request)
    link, changed = await blocking(
        notify.act_from_link,
        context(request).notifier,
        request.path_params["token"],
        first(form, "action"),
    )
    done = {"approve": "approved", "spam": "marked as spam", "delete": "deleted"}[link.action.value]
    message = f"The comment was {done}." if changed else f"The comment was already {done}."
    return render(request, "notice.html", {"title": "Done", "message": message, "button": None})


@page
async def confirm_page(request: Request) -> Response:
    return render(
        request,
        "notice.html",
        {
            "title": "Confirm reply notifications",
            "message": "You will get an email when someone replies to your comment.",
            "button": "Yes, email me about replies",
            "target": request.url.path,
            "fields": {},
        },
    )


@page
async def confirm(request: Request) -> Response:
    refuse_cross_site(request)
    await blocking(notify.confirm_subscription, context(request).notifier, request.path_params["token"])
    return render(
        request,
        "notice.html",
        {"title": "Confirmed", "message": "You will hear about replies.", "button": None},
    )


@page
async def unsubscribe_page(request: Request) -> Response:
    return render(
        request,
        "notice.html",
        {
            "title": "Unsubscribe",
            "message": "Stop these emails?",
            "button": "Unsubscribe",
            "target": request.url.path,
            "fields": {},
        },
    )


@page
async def unsubscribe(request: Request) -> Response:
    """Also RFC 8058's one-click POST (body ``List-Unsubscribe=One-Click``) from mail clients."""
    email = await blocking(notify.unsubscribe, context(request).notifier, request.path_params["token"])
    return render(
        request,
        "notice.html",
        {"title": "Unsubscribed", "message": f"No more of these emails to {email}.", "button": None},
    )


routes = [
    Route("/admin/act/{token}", action_page, methods=["GET"]),
    Route("/admin/act/{token}", action, methods=["POST"]),
    Route("/notifications/confirm/{token}", confirm_page, methods=["GET"]),
    Route("/notifications/confirm/{token}", confirm, methods=["POST"]),
    Route("/notifications/unsubscribe/{token}", unsubscribe_page, methods=["GET"]),
    Route("/notifications/unsubscribe/{token}", unsubscribe, methods=["POST"]),
]
