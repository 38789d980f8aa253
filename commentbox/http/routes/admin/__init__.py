"""``/admin``: server-rendered moderation pages behind a first-party cookie session.

Every form carries the session's CSRF token (the login form a double-submit cookie), every
POST also refuses a foreign ``Origin`` / ``Sec-Fetch-Site``, and every page is sent with
``frame-ancestors 'none'`` and ``no-store``. Handlers parse the form and call ``moderator``,
``admins``, ``sites`` or ``webhooks``; errors become an HTML page with the domain's sentence.
"""

from starlette.routing import Route

from commentbox.http.routes.admin import (
    bans,
    comments,
    erasure,
    moderators,
    queue,
    signin,
    sites,
    threads,
    webhooks,
)
from commentbox.http.routes.admin.plumbing import script, stylesheet

routes = [
    Route("/admin", queue.queue, methods=["GET"]),
    Route("/admin/admin.css", stylesheet, methods=["GET"]),
    Route("/admin/admin.js", script, methods=["GET"]),
    Route("/admin/login", signin.login_form, methods=["GET"]),
    Route("/admin/login", signin.login, methods=["POST"]),
    Route("/admin/logout", signin.logout, methods=["POST"]),
    Route("/admin/comments", queue.bulk, methods=["POST"]),
    Route("/admin/comments/{comment_id:id}", comments.comment_page, methods=["GET"]),
    Route("/admin/comments/{comment_id:id}/edit", comments.edit, methods=["POST"]),
    Route("/admin/comments/{comment_id:id}/pin", comments.pin, methods=["POST"]),
    Route("/admin/comments/{comment_id:id}/ban", comments.ban, methods=["POST"]),
    Route("/admin/threads/{thread_id:id}", threads.thread_page, methods=["GET"]),
    Route("/admin/threads/{thread_id:id}/lock", threads.lock, methods=["POST"]),
    Route("/admin/bans", bans.bans_page, methods=["GET"]),
    Route("/admin/bans", bans.add_ban, methods=["POST"]),
    Route("/admin/bans/{ban_id:id}/delete", bans.lift_ban, methods=["POST"]),
    Route("/admin/sites/{site}", sites.site_page, methods=["GET"]),
    Route("/admin/sites/{site}", sites.update_site, methods=["POST"]),
    Route("/admin/sites/{site}/moderators", moderators.add_moderator, methods=["POST"]),
    Route("/admin/sites/{site}/erase", erasure.erase_page, methods=["GET"]),
    Route("/admin/sites/{site}/erase", erasure.erase, methods=["POST"]),
    Route(
        "/admin/sites/{site}/moderators/{role_id:id}/delete", moderators.remove_moderator, methods=["POST"]
    ),
    Route("/admin/sites/{site}/webhooks", webhooks.add_webhook, methods=["POST"]),
    Route("/admin/sites/{site}/webhooks/{endpoint_id:id}/delete", webhooks.remove_webhook, methods=["POST"]),
    Route("/admin/sites/{site}/webhooks/{endpoint_id:id}/test", webhooks.test_webhook, methods=["POST"]),
    Route("/admin/sites/{site}/webhooks/{endpoint_id:id}/enabled", webhooks.switch_webhook, methods=["POST"]),
]
