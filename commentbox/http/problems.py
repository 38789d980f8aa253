"""The one problem+json renderer (RFC 9457) and the handlers that route every failure to it.

Domain errors, Starlette's own 404/405, a database that cannot be reached and anything
unexpected all answer the same shape, so the widget has one thing to read.
"""

from __future__ import annotations

import logging

import orjson
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commentbox.errors import (
    PROBLEM_TYPE_BASE,
    CommentboxError,
    InvalidInput,
    MethodNotAllowed,
    NotFound,
    ServiceUnavailable,
)

log = logging.getLogger("commentbox.app")  # the name operators' log filters already use


def problem_response(error: CommentboxError) -> Response:
    """The problem+json body for ``error``: ``type``, ``title``, ``status``, ``detail`` (+ extras)."""
    body = {
        "type": PROBLEM_TYPE_BASE + error.code,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        **error.extra,
    }
    return Response(
        orjson.dumps(body),
        status_code=error.status,
        media_type="application/problem+json",
        headers=error.headers,
    )


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


async def _data_refused(request: Request, exc: Exception) -> Response:
    """A value the database refused (out of range, invalid text): the request's fault, so a
    4xx with one sentence, never the value itself."""
    log.warning("database refused a value on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return problem_response(InvalidInput("A value in this request is outside what the server can store."))


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    # The driver's own sentence ("connection refused"), not SQLAlchemy's text of the error,
    # which quotes the statement's parameters: a visitor's comment and email address.
    reason = str(getattr(exc, "orig", None) or type(exc).__name__).splitlines()[0]
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, reason)
    return problem_response(ServiceUnavailable("The service cannot reach its database. Try again shortly."))


class UnexpectedErrors:
    """Answers an unexpected error *inside* the CORS middleware. Starlette's own handler for
    ``Exception`` sits outside every middleware, so its 500 carried no CORS header and a
    browser reported it to the widget as a network failure ("could not be reached") while
    the server had in fact answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:
                raise
            response = await _unexpected_error(Request(scope), exc)
            await response(scope, receive, send)


EXCEPTION_HANDLERS = {
    CommentboxError: _domain_error,
    HTTPException: _http_error,
    DataError: _data_refused,
    OperationalError: _database_unavailable,
    Exception: _unexpected_error,
}
