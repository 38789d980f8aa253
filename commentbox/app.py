"""``create_app(settings)``: wires routes, middleware, error handlers and shared services.

Where a request goes: ``/api/v1/*`` → ``routes/api.py``; ``/``, ``/healthz``,
``/avatars/*`` → ``routes/pages.py``; ``/embed.js``, ``/count.js``, ``/embed.css``,
``/embed/thread``, ``/threads/{site}`` → ``routes/widget.py``. Handlers call domain modules (``comments``,
``threads``, ``sites``), which call ``store``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.templating import Jinja2Templates

from commentbox.config import Settings, load_settings
from commentbox.context import Context
from commentbox.errors import (
    CommentboxError,
    MethodNotAllowed,
    NotFound,
    problem_response,
)
from commentbox.middleware import Cors, RegisteredOrigins, SecurityHeaders
from commentbox.openapi import OPERATIONS
from commentbox.routes import api, pages, widget

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).with_name("templates")


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CommentboxError)
    return problem_response(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return problem_response(MethodNotAllowed("This address does not accept that method."))
    if exc.status_code == 404:
        return problem_response(NotFound("There is nothing at this address."))
    error = CommentboxError(str(exc.detail))
    error.status = exc.status_code  # type: ignore[misc]
    return problem_response(error)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    error = CommentboxError("Something went wrong on our side. Please try again in a moment.")
    error.status, error.code, error.title = 500, "internal-error", "Server error"  # type: ignore[misc]
    return problem_response(error)


def create_app(settings: Settings) -> Starlette:
    """Build a complete, independent app: nothing here touches module-level state."""
    ctx = Context.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        ctx.db.dispose()

    app = Starlette(
        routes=[Mount("/api/v1", routes=api.routes), *pages.routes, *widget.routes],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(Cors, origins=RegisteredOrigins(ctx.db), prefixes=("/api/", "/embed/")),
        ],
        exception_handlers={
            CommentboxError: _domain_error,
            HTTPException: _http_error,
            Exception: _unexpected_error,
        },
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    app.state.templates = Jinja2Templates(directory=TEMPLATES)
    app.state.operations = list(OPERATIONS)
    return app


def create_app_from_env() -> Starlette:
    """Factory for uvicorn workers (``commentbox serve --workers N``): settings from the environment."""
    logging.basicConfig(level=os.environ.get("COMMENTBOX_LOG_LEVEL", "INFO"))
    return create_app(load_settings())
