"""``GET /api/v1/threads/events``: a thread's changes as Server-Sent Events (docs/live.md).

No cookie, CORS as the rest of the API. Each event carries the comment as the public
thread shows it, its ``<li>`` rendered by the same templates as ``/embed/thread`` in the
stream's language, and the thread's count; ``id:`` on every event, ``Last-Event-ID`` on
reconnect, ``reload`` when the missed events are no longer known, and a comment line every
15 s so proxies keep the connection. ``X-Accel-Buffering: no`` tells nginx not to buffer.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from functools import partial

from sse_starlette.sse import EventSourceResponse, ServerSentEvent
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from commentbox.domain import reading, threads
from commentbox.html import render
from commentbox.html.i18n import pick_language
from commentbox.http.request import context
from commentbox.http.routes.api import site_param
from commentbox.live.hub import RELOAD, LiveEvent, channel_of
from commentbox.runtime.offload import blocking

HEARTBEAT_SECONDS = 15
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


async def thread_events(request: Request) -> Response:
    ctx = context(request)
    params = request.query_params
    located = await reading.locate(ctx.reader, site_param(request), params.get("url"), params.get("page_id"))
    channel = channel_of(located.site.id, located.ref.key)
    lang = pick_language(params.get("lang"))
    last_event_id = request.headers.get("last-event-id")

    async def describe(event: LiveEvent) -> str | None:
        comment, count = await blocking(
            threads.live_state, ctx.db, ctx.presentation, event.thread_id, event.comment_id
        )
        if comment is None and event.kind != "deleted":
            return None  # held again before this stream asked: the public thread never had it
        body: dict[str, object] = {"id": event.comment_id, "count": count}
        if comment is not None:  # a tombstone still stands where replies hang under it
            body["comment"] = comment.model_dump(mode="json")
            body["fragment"] = render.comment_fragment(comment, lang)
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"))

    async def stream() -> AsyncIterator[ServerSentEvent]:
        async with ctx.live.hub.subscribe(channel, last_event_id) as queue:
            yield ServerSentEvent(comment="listening")  # from here on, nothing is missed
            while True:
                item = await queue.get()
                if item is RELOAD:
                    yield ServerSentEvent(event="reload", data="{}")
                    continue
                assert isinstance(item, LiveEvent)
                data = await ctx.live.renderings.get((item.id, lang), partial(describe, item))
                if data is not None:
                    yield ServerSentEvent(id=item.id, event=item.kind, data=data)

    return EventSourceResponse(stream(), ping=HEARTBEAT_SECONDS, headers=STREAM_HEADERS)


routes = [Route("/threads/events", thread_events, methods=["GET"])]
