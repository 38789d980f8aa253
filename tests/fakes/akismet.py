"""A fake Akismet: ``POST /1.1/comment-check`` answers as the real service does.

The verdict comes from the comment itself, like Akismet's own test values: an author
named ``viagra-test-123`` is spam, ``akismet-guaranteed-spam`` is blatant spam (with the
``discard`` pro-tip); ``fake-outage`` gets a 503 and ``fake-slow`` an answer too late.
Every form received is kept in ``checks`` so tests can see what was sent.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

KEY = "fake-akismet-key"


class FakeAkismet:
    def __init__(self, slow_seconds: float = 6.0) -> None:
        self.checks: list[dict[str, Any]] = []
        self.slow_seconds = slow_seconds
        self.app = Starlette(routes=[Route("/1.1/comment-check", self.comment_check, methods=["POST"])])

    async def comment_check(self, request: Request) -> Response:
        form = dict(await request.form())
        self.checks.append(form)
        if form.get("api_key") != KEY:
            return PlainTextResponse("invalid", headers={"X-akismet-debug-help": "Invalid API key"})
        author = str(form.get("comment_author", ""))
        if author == "fake-outage":
            return PlainTextResponse("Service Unavailable", status_code=503)
        if author == "fake-slow":
            await asyncio.sleep(self.slow_seconds)
        if author == "akismet-guaranteed-spam":
            return PlainTextResponse("true", headers={"X-akismet-pro-tip": "discard"})
        if author == "viagra-test-123":
            return PlainTextResponse("true")
        return PlainTextResponse("false")
