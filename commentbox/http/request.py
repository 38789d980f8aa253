"""HTTP helpers shared by the handlers: reading bodies safely, who the client is, JSON out.

Handlers are ``async``; database work goes through ``runtime.offload.blocking()`` into the thread
pool, because the store is synchronous (one rule everywhere, see STYLE.md §8).
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import replace
from functools import cached_property
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from commentbox.domain import user_sessions
from commentbox.domain.spam import RequestFacts
from commentbox.domain.visitors import Visitor
from commentbox.errors import (
    InvalidInput,
    MalformedRequest,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
)
from commentbox.services import Context

M = TypeVar("M", bound=BaseModel)

CLIENT_TOKEN_HEADER = "x-commentbox-client"  # noqa: S105 (a header name)


def context(request: Request) -> Context:
    return request.app.state.ctx  # type: ignore[no-any-return]


class JSONResponse(Response):
    """orjson-encoded JSON (faster, and refuses values JSON cannot hold)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        if isinstance(content, BaseModel):
            content = content.model_dump(mode="json", exclude_none=False)
        return orjson.dumps(content)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` (never read whole first)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The request is larger than {limit // 1024} KiB.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The request is larger than {limit // 1024} KiB.")
        chunks.append(chunk)
    return b"".join(chunks)


def _field_name(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc if not isinstance(part, int) or part) or "body"


def validate(model: type[M], data: Any, ctx: Context) -> M:
    """Validate into ``model``; a failure is a 422 that names every offending field."""
    try:
        return model.model_validate(data, context={"limits": ctx.limits})
    except ValidationError as exc:
        errors = [
            {"field": _field_name(e["loc"]), "message": e["msg"].removeprefix("Value error, ")}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        first = errors[0]
        raise InvalidInput(f"“{first['field']}” {first['message']}.", errors=errors) from None


async def read_json(request: Request, model: type[M]) -> M:
    """Parse a JSON body into ``model``: 415 if not JSON, 413 if too big, 400 if malformed."""
    ctx = context(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise UnsupportedMediaType("Send the request body as application/json.")
    raw = await read_body(request, ctx.settings.max_body_bytes)
    try:
        data = json.loads(raw.decode("utf-8"))  # stdlib: keeps lone surrogates so we can name them
    except (UnicodeDecodeError, ValueError):
        raise MalformedRequest("The request body is not valid JSON.") from None
    except RecursionError:  # a few KB of "[[[[…": no request of ours nests like that
        raise MalformedRequest("The request body is nested too deeply.") from None
    if not isinstance(data, dict):
        raise InvalidInput(
            "The request body must be a JSON object.",
            errors=[{"field": "body", "message": "must be an object"}],
        )
    return validate(model, data, ctx)


class ClientInfo:
    """Facts about the client behind a request, trusting proxies only when configured."""

    def __init__(self, request: Request) -> None:
        self._request = request
        self._ctx = context(request)

    @cached_property
    def ip(self) -> str:
        """The peer address, or the right-most untrusted ``X-Forwarded-For`` hop behind trusted proxies."""
        peer = self._request.client.host if self._request.client else "0.0.0.0"  # noqa: S104
        networks = [ipaddress.ip_network(n, strict=False) for n in self._ctx.settings.trusted_proxies]
        if not networks:
            return peer
        hops = [peer] + [
            h.strip()
            for h in reversed(self._request.headers.get("x-forwarded-for", "").split(","))
            if h.strip()
        ]
        for hop in hops:
            try:
                address = ipaddress.ip_address(hop)
            except ValueError:
                return hop
            if not any(address in network for network in networks):
                return hop
        return hops[-1]

    @property
    def origin(self) -> str | None:
        return self._request.headers.get("origin")

    @property
    def edit_token(self) -> str | None:
        return self._request.headers.get("x-edit-token")

    @property
    def bearer(self) -> str | None:
        """The token of ``Authorization: Bearer …``; any other use of the header is refused."""
        header = self._request.headers.get("authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip() or len(token) > 1000:
            raise Unauthorized(user_sessions.NOT_SIGNED_IN)
        return token.strip()

    def required_bearer(self) -> str:
        """The bearer token of a request that only a signed-in visitor may make (401 without)."""
        token = self.bearer
        if token is None:
            raise Unauthorized("You are not signed in.")
        return token

    def facts(self) -> RequestFacts:
        """What Akismet may be told about the sender (only ever sent when Akismet is configured)."""
        headers = self._request.headers
        return RequestFacts(
            ip=self.ip,
            user_agent=headers.get("user-agent", "")[:500],
            referrer=headers.get("referer", "")[:2000],
        )

    def visitor(self, site_id: str | None = None) -> Visitor:
        """Guests are known by hashes only. A bearer token must name a live session bound to
        ``site_id`` (the site the request is about); otherwise the request is refused (401).

        With a bearer this reads the database: call it through ``blocking``.
        """
        keys = self._ctx.keys
        client_token = self._request.headers.get(CLIENT_TOKEN_HEADER)
        visitor = Visitor(
            ip_hash=keys.hash_ip(self.ip),
            client_hash=keys.hash_client(client_token[:200]) if client_token else None,
        )
        token = self.bearer
        if token is None:
            return visitor
        return replace(visitor, user=user_sessions.resolve(self._ctx.user_sessions, token, site_id).user)
