"""``create_app(settings)``: wires routes, middleware, error handlers and shared services.

Where a request goes (all under ``http/routes/``): ``/api/v1/threads/events`` → ``live.py``;
``/api/v1/me/data``, ``/api/v1/me/erase``, ``/api/v1/me/page`` → ``my_data.py``; the rest
of ``/api/v1/*`` → ``api.py``; ``/me`` and ``/me/*`` (the "My data" page) → ``me_page.py``;
``/auth/*`` → ``auth.py``; ``/``, ``/healthz``, ``/avatars/*`` → ``pages.py``;
``/embed.js``, ``/count.js``, ``/embed.css``, ``/embed/thread``, ``/threads/{site}`` →
``widget.py``; ``/feeds/{site}.atom`` → ``feeds.py``; ``/admin/*`` → ``admin/``;
``/webmention/*``, ``/pingback/*`` → ``linkbacks.py``; ``/readyz``, ``/metrics`` → ``ops.py``;
in demo mode only, ``/demo-providers/*`` → ``http/demo_providers/``. Handlers call one function of a
``domain/`` module (``comments``, ``reading`` …) with its bundle from ``services.py``; the
domain calls ``store/``. docs/architecture.md walks a post and a read through the files.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute, Mount
from starlette.templating import Jinja2Templates

from commentbox.config import Settings, SettingsError, load_settings
from commentbox.domain.retention import RetentionJob
from commentbox.domain.urls import is_loopback_url
from commentbox.html.render import environment
from commentbox.http import demo_providers
from commentbox.http.demo_providers.google import new_signing_key
from commentbox.http.demo_providers.grants import DemoGrants
from commentbox.http.hotreads import HotReads
from commentbox.http.middleware import Cors, RegisteredOrigins, SecurityHeaders
from commentbox.http.openapi import OPERATIONS
from commentbox.http.openapi.auth import DEMO_OPERATIONS
from commentbox.http.problems import EXCEPTION_HANDLERS, UnexpectedErrors
from commentbox.http.request_metrics import RequestMetrics, route_templates
from commentbox.http.routes import (
    admin,
    api,
    auth,
    feeds,
    guests,
    linkbacks,
    live,
    me_page,
    my_data,
    notifications,
    ops,
    pages,
    widget,
)
from commentbox.http.valid_text import ValidText
from commentbox.mail import notify
from commentbox.runtime.metrics import Metrics
from commentbox.services import Context

OAUTH_COOKIE = "commentbox_oauth"


def _auth_mount(ctx: Context, demo: bool) -> Mount:
    """``/auth`` under a session cookie that exists only for the popup's provider round trip:
    first-party, SameSite=Lax (the provider's redirect back is a top-level GET), short-lived,
    path-scoped, and carrying only Authlib's marker (the state data stays in the database)."""
    settings = ctx.settings
    cookie = Middleware(
        SessionMiddleware,
        secret_key=ctx.keys.purpose_key("commentbox.oauth-cookie"),
        session_cookie=OAUTH_COOKIE,
        max_age=settings.login_ttl_seconds,
        path="/auth",
        same_site="lax",
        https_only=settings.base_url.startswith("https://"),
    )
    routes = (auth.demo_routes if demo else []) + guests.auth_routes + auth.routes
    return Mount("/auth", routes=routes, middleware=[cookie])


def _metrics_middleware(ctx: Context, routes: list[BaseRoute]) -> list[Middleware]:
    """Outermost, so it times everything, errors included; nothing at all when metrics are off."""
    if not ctx.settings.metrics_enabled:
        return []
    ctx.metrics = Metrics()
    ctx.cache.observe = ctx.metrics.observe_cache
    ctx.events.subscribe("comment.created", ctx.metrics.comment_posted)
    return [Middleware(RequestMetrics, metrics=ctx.metrics, templates=route_templates(routes))]


def check_demo_allowed(settings: Settings) -> None:
    """Demo mode's test identity must never be reachable from another machine."""
    if not (is_loopback_url(f"http://{settings.host}") and is_loopback_url(settings.base_url)):
        raise SettingsError(
            "Demo mode runs only on a loopback address (127.0.0.1 or localhost), "
            "listening there and with COMMENTBOX_PUBLIC_URL unset or pointing there."
        )


def create_app(settings: Settings, *, demo: bool = False) -> Starlette:
    """Build a complete, independent app: nothing here touches module-level state.

    ``demo`` (``commentbox serve --demo``) adds a built-in test identity to sign in with, and
    demo Google, X and Facebook pages for the providers the owner has not configured. It
    is an argument, not a setting, so no environment variable or config file can turn it on,
    and it is refused unless the server listens on, and is reached at, a loopback address.
    """
    grants = DemoGrants()
    if demo:
        check_demo_allowed(settings)
        settings = demo_providers.demo_settings(settings, grants)
    ctx = Context.from_settings(settings, demo=demo)
    notify.subscribe_listeners(ctx.notifier)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        sender = asyncio.create_task(ctx.outbox.run()) if ctx.outbox.enabled else None
        verifier = ctx.linkbacks.pump
        verifying = asyncio.create_task(verifier.run()) if verifier is not None else None
        webhooks = asyncio.create_task(ctx.webhooks.run())
        retention = settings.retention_sweep_minutes
        job = RetentionJob(ctx.db, retention * 60, settings.sent_mail_days)
        sweeper = asyncio.create_task(job.run()) if retention else None
        await ctx.live.relay.start()
        yield
        await ctx.live.relay.stop()
        if sweeper is not None:
            await job.stop(sweeper)
        if verifier is not None and verifying is not None:
            await verifier.stop(verifying)
        await ctx.webhooks.stop(webhooks)
        if sender is not None:
            await ctx.outbox.stop(sender)
        await ctx.freshness.aclose()
        ctx.group.close()
        ctx.db.dispose()

    routes = [
        Mount("/api/v1", routes=[*live.routes, *api.routes, *my_data.routes, *guests.api_routes]),
        _auth_mount(ctx, demo),
        *pages.routes,
        *widget.routes,
        *feeds.routes,
        *ops.routes,
        *admin.routes,
        *notifications.routes,
        *linkbacks.routes,
        *me_page.routes,
        *(demo_providers.routes if demo else []),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            *_metrics_middleware(ctx, routes),
            Middleware(SecurityHeaders),
            Middleware(
                Cors,
                origins=RegisteredOrigins(ctx.db),
                prefixes=("/api/", "/embed/", "/auth/logins", "/auth/logout"),
            ),
            Middleware(UnexpectedErrors),
            Middleware(ValidText),
            Middleware(
                HotReads,
                endpoints={"/api/v1/threads": api.get_thread, "/embed/thread": widget.thread_fragment},
            ),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    if demo:
        app.state.demo_grants = grants
        app.state.demo_google_key = new_signing_key()
    app.state.templates = Jinja2Templates(env=environment())
    app.state.operations = [*OPERATIONS, *my_data.operations, *me_page.operations] + (
        DEMO_OPERATIONS if demo else []
    )
    return app


def create_app_from_env() -> Starlette:
    """Factory for uvicorn workers (``commentbox serve --workers N``): settings from the environment."""
    logging.basicConfig(level=os.environ.get("COMMENTBOX_LOG_LEVEL", "INFO"))
    app = create_app(load_settings())
    # Everything built so far lives as long as the worker: keep it out of the cyclic
    # collector's full passes, which otherwise stall a busy worker for tens of ms.
    gc.freeze()
    return app
