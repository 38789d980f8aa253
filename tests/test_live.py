"""Live threads over a real server: ``GET /api/v1/threads/events`` (Server-Sent Events).

Each test opens the stream with httpx against the app served by uvicorn on 127.0.0.1,
waits for the server's "listening" line, then changes the thread through the API as
visitors would. Instances on PostgreSQL (``LISTEN/NOTIFY``) and Redis carry events between
processes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from commentbox.admin import actions
from commentbox.domain import sites
from commentbox.store.models import ModerationMode
from tests.fakes.server import ServerThread
from tests.instances import Instance
from tests.support import ARTICLE, BLOG, comment_payload

ORIGIN = {"Origin": BLOG}
EVENTS = "/api/v1/threads/events"


@dataclass
class Event:
    kind: str
    id: str | None
    data: dict[str, Any]


class Stream:
    """One open event stream, read event by event (comment lines skipped)."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines

    def next(self) -> Event:
        kind, event_id, data = "message", None, ""
        for line in self._lines:
            if line == "":
                if data:
                    return Event(kind, event_id, json.loads(data))
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                kind = value
            elif field == "id":
                event_id = value
            elif field == "data":
                data += value
        raise AssertionError("the stream ended")


@contextmanager
def stream(base: str, last_event_id: str | None = None, **params: str) -> Iterator[Stream]:
    headers = {**ORIGIN, **({"Last-Event-ID": last_event_id} if last_event_id else {})}
    query = {"site": "blog", "url": ARTICLE, **params}
    timeout = httpx.Timeout(10, read=10)
    with httpx.stream("GET", base + EVENTS, params=query, headers=headers, timeout=timeout) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["x-accel-buffering"] == "no"
        assert response.headers["access-control-allow-origin"] == BLOG
        lines = response.iter_lines()
        assert next(lines) == ": listening"  # subscribed: from here on nothing is missed
        yield Stream(lines)


def post(base: str, **changes: Any) -> dict[str, Any]:
    response = httpx.post(base + "/api/v1/comments", json=comment_payload(**changes), headers=ORIGIN)
    assert response.status_code in (201, 202), response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def server(app: Any, blog: Any) -> Iterator[str]:
    with ServerThread(app) as running:
        yield running.url


def test_a_published_comment_reaches_the_stream_with_its_fragment_and_the_count(server):
    with stream(server) as events:
        posted = post(server, body="Live *now*")
        event = events.next()
    assert event.kind == "published" and event.id
    assert event.data["comment"]["id"] == posted["id"]
    assert event.data["comment"]["html"] == "<p>Live <em>now</em></p>"
    assert f'id="comment-{posted["id"]}"' in event.data["fragment"]
    assert event.data["count"] == 1
    assert "email" not in json.dumps(event.data) and "ada@example.com" not in json.dumps(event.data)


def test_held_comments_never_go_out(server, ctx):
    sites.update_site(ctx.db, "blog", moderation=ModerationMode.ALL)
    with stream(server) as events:
        post(server, body="held for a moderator")
        sites.update_site(ctx.db, "blog", moderation=ModerationMode.NONE)
        published = post(server, body="published at once")
        event = events.next()
    assert event.data["comment"]["id"] == published["id"]  # the held one was never sent


def test_edits_and_deletions_follow_in_place(server):
    posted = post(server, body="first words")
    author = {**ORIGIN, "X-Edit-Token": posted["edit_token"]}
    with stream(server) as events:
        edited = httpx.patch(
            f"{server}/api/v1/comments/{posted['id']}", json={"body": "better words"}, headers=author
        )
        assert edited.status_code == 200, edited.text
        event = events.next()
        assert (event.kind, event.data["comment"]["html"]) == ("edited", "<p>better words</p>")
        assert httpx.delete(f"{server}/api/v1/comments/{posted['id']}", headers=author).status_code == 204
        event = events.next()
    assert event.kind == "deleted" and event.data["count"] == 0


def test_a_reader_who_reconnects_gets_what_was_missed_or_a_reload(server):
    with stream(server) as events:
        post(server, body="seen live")
        seen = events.next()
    missed = [post(server, body=f"missed {n}")["id"] for n in range(2)]
    with stream(server, last_event_id=seen.id) as events:
        caught_up = [events.next(), events.next()]
    assert [e.data["comment"]["id"] for e in caught_up] == missed
    with stream(server, last_event_id="0-made-up" + "x" * 500) as events:
        assert events.next().kind == "reload"


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"site": "nowhere"}, 404),
        ({"site": ""}, 422),
        ({"url": "https://elsewhere.example/post/"}, 403),
    ],
)
def test_a_stream_of_nothing_is_refused_with_a_problem(server, params, status):
    response = httpx.get(server + EVENTS, params={"site": "blog", "url": ARTICLE, **params}, headers=ORIGIN)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.postgres
@pytest.mark.parametrize("relay", ["postgresql", "redis"])
def test_a_comment_posted_on_one_instance_reaches_streams_on_another(
    database_url, blog, tmp_path, relay, redis_url
):
    if not database_url.startswith("postgresql"):
        pytest.skip("several instances share one database only on PostgreSQL")
    env = {"COMMENTBOX_REDIS_URL": redis_url} if relay == "redis" else {}
    with (
        Instance(database_url, tmp_path, name="reader", workers=2, env=env) as reader,
        Instance(database_url, tmp_path, name="writer", env=env) as writer,
        stream(reader.url) as events,
    ):
        posted = post(writer.url, body=f"from the other instance, through {relay}")
        event = events.next()
    assert event.kind == "published" and event.data["comment"]["id"] == posted["id"]


EVERYWHERE = actions.Moderator("root", None, None)


def test_a_moderators_approval_edit_and_removal_reach_the_stream(server, ctx):
    sites.update_site(ctx.db, "blog", moderation=ModerationMode.ALL)
    held = post(server, body="waiting for a moderator")
    with stream(server) as events:
        actions.apply(ctx.moderation, EVERYWHERE, [held["id"]], actions.Action.APPROVE)
        assert events.next().kind == "published"
        actions.edit(ctx.moderation, EVERYWHERE, held["id"], "corrected by a moderator")
        edited = events.next()
        assert (edited.kind, edited.data["comment"]["html"]) == ("edited", "<p>corrected by a moderator</p>")
        actions.apply(ctx.moderation, EVERYWHERE, [held["id"]], actions.Action.SPAM)
        removed = events.next()
    assert (removed.kind, removed.data["count"]) == ("deleted", 0) and "comment" not in removed.data
