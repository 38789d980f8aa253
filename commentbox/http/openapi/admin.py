"""The moderators' surface: the /admin pages and forms, and the emailed action and notification links."""

from __future__ import annotations

from pydantic import BaseModel

from commentbox.http.openapi.operation import HTML, SITE_PATH, Operation


def _admin(method: str, path: str, summary: str, *params: tuple[str, str, bool, str]) -> Operation:
    """An ``/admin`` page (HTML, cookie session) or form post (CSRF token, answers 303)."""
    responses: dict[int, type[BaseModel] | str] = (
        {200: HTML, 303: "to the sign-in page"} if method == "get" else {303: "back to the page", 403: HTML}
    )
    return Operation(method, path, summary, params, responses=responses, tag="admin")


_ID = ("comment_id", "path", True, "the comment id")
_THREAD_ID = ("thread_id", "path", True, "the thread id")
ADMIN_OPERATIONS: list[Operation] = [
    _admin("get", "/admin", "The moderation queue: pending first, newest first, searchable"),
    Operation(
        "get", "/admin/admin.css", "The admin pages' stylesheet", responses={200: "text/css"}, tag="admin"
    ),
    Operation(
        "get",
        "/admin/admin.js",
        "The queue's keyboard shortcuts (run by the page's CSP nonce)",
        responses={200: "text/javascript"},
        tag="admin",
    ),
    _admin("get", "/admin/login", "Sign-in form"),
    _admin("post", "/admin/login", "Sign in (name, password); sets the session cookie"),
    _admin("post", "/admin/logout", "Sign out"),
    _admin(
        "post",
        "/admin/comments",
        "Approve, mark as spam, trash, restore or delete (after a confirmation page) one comment "
        "(act=approve:ID) or the selected ones",
    ),
    _admin("get", "/admin/comments/{comment_id}", "One comment: edit, pin, ban", _ID),
    _admin("post", "/admin/comments/{comment_id}/edit", "Edit a comment's Markdown", _ID),
    _admin("post", "/admin/comments/{comment_id}/pin", "Pin or unpin a comment", _ID),
    _admin(
        "post",
        "/admin/comments/{comment_id}/ban",
        "Ban the sender by sign-in, browser, email or address",
        _ID,
    ),
    _admin(
        "get", "/admin/threads/{thread_id}", "A thread's comments, lock, link to the public view", _THREAD_ID
    ),
    _admin("post", "/admin/threads/{thread_id}/lock", "Lock or unlock a thread", _THREAD_ID),
    _admin("get", "/admin/bans", "Bans in force"),
    _admin("post", "/admin/bans", "Ban an email address on a site"),
    _admin("post", "/admin/bans/{ban_id}/delete", "Lift a ban", ("ban_id", "path", True, "the ban id")),
    _admin("get", "/admin/sites/{site}", "A site's moderation settings and moderators (owners)", SITE_PATH),
    _admin("post", "/admin/sites/{site}", "Save a site's moderation settings", SITE_PATH),
    _admin("post", "/admin/sites/{site}/moderators", "Name an account or provider identity", SITE_PATH),
    _admin(
        "post",
        "/admin/sites/{site}/moderators/{role_id}/delete",
        "Remove a moderator",
        SITE_PATH,
        ("role_id", "path", True, "the role id"),
    ),
    _admin("post", "/admin/sites/{site}/webhooks", "Register a webhook endpoint (owners)", SITE_PATH),
    *(
        _admin(
            "post",
            f"/admin/sites/{{site}}/webhooks/{{endpoint_id}}/{action}",
            summary,
            SITE_PATH,
            ("endpoint_id", "path", True, "the endpoint's id"),
        )
        for action, summary in (
            ("test", "Send a signed test event to an endpoint now"),
            ("enabled", "Turn an endpoint's deliveries off or back on"),
            ("delete", "Remove an endpoint and its delivery log"),
        )
    ),
    _admin(
        "get",
        "/admin/sites/{site}/erase",
        "Erase a person's data: the form and the site's erasures",
        SITE_PATH,
    ),
    _admin(
        "post",
        "/admin/sites/{site}/erase",
        "Count what an erasure (field `email` or `user`) would remove; with `confirm=yes`, erase",
        SITE_PATH,
    ),
]
_TOKEN = ("token", "path", True, "the signed token from the email")
ADMIN_OPERATIONS += [
    _admin("get", "/admin/act/{token}", "A moderator's email link: a page to confirm the action", _TOKEN),
    Operation(
        "post",
        "/admin/act/{token}",
        "Take the link's action (form field `action` must match), once",
        (_TOKEN,),
        responses={200: HTML, 410: "expired or used", 422: "another action"},
        tag="notifications",
    ),
    Operation(
        "get",
        "/notifications/confirm/{token}",
        "Reply notifications: a page to confirm the address",
        (_TOKEN,),
        responses={200: HTML},
        tag="notifications",
    ),
    Operation(
        "post",
        "/notifications/confirm/{token}",
        "Confirm the address (double opt-in)",
        (_TOKEN,),
        responses={200: HTML},
        tag="notifications",
    ),
    Operation(
        "get",
        "/notifications/unsubscribe/{token}",
        "A page to unsubscribe",
        (_TOKEN,),
        responses={200: HTML},
        tag="notifications",
    ),
    Operation(
        "post",
        "/notifications/unsubscribe/{token}",
        "Unsubscribe; also RFC 8058 one-click (`List-Unsubscribe=One-Click`)",
        (_TOKEN,),
        responses={200: HTML},
        tag="notifications",
    ),
]
