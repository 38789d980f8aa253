"""A webhook receiver on 127.0.0.1 that checks signatures as a site owner's would.

``POST /hook/<name>`` with ``name`` one of: ``ok`` (verifies with the ``standardwebhooks``
library, answers 204, or 401 when the signature is wrong), ``fail`` (500) and ``hang`` (no
answer until ``release`` is set, at most 30 s). Every request is kept in ``received`` with
whether its signature verified under ``secret``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass
class Received:
    name: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    payload: Any


class FakeReceiver:
    def __init__(self) -> None:
        self.url = ""  # set once it listens
        self.secret = ""  # the endpoint's, as its owner copied it
        self.received: list[Received] = []
        self.arrived = threading.Condition()
        self.hanging = threading.Event()  # a "hang" request is being held
        self.release = threading.Event()
        self.app = Starlette(routes=[Route("/hook/{name}", self.hook, methods=["POST"])])

    def reset(self) -> None:
        self.secret = ""
        self.received.clear()
        self.hanging.clear()
        self.release.set()  # let a held request go before the next test

    async def hook(self, request: Request) -> Response:
        body = await request.body()
        headers = dict(request.headers)
        try:
            payload = Webhook(self.secret).verify(body, headers) if self.secret else None
            verified = self.secret != ""
        except WebhookVerificationError:
            payload, verified = None, False
        name = request.path_params["name"]
        with self.arrived:
            self.received.append(Received(name, headers, body, verified, payload))
            self.arrived.notify_all()
        if name == "fail":
            return Response("receiver broke", status_code=500)
        if name == "hang":
            self.hanging.set()
            deadline = time.monotonic() + 30
            while not self.release.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            self.hanging.clear()
        return Response(status_code=204 if verified else 401)

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        """The first ``count`` requests, once they arrived (fails after ``timeout``)."""
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.received) >= count, timeout), self.received
            return list(self.received[:count])
