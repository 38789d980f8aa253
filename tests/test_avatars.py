"""Signed-in authors' pictures are served by this server: fetched once from the provider
(a real image server on 127.0.0.1) through the safe fetcher, cached, re-fetched when they
expire or the provider's URL changes, and replaced by the identicon when they cannot be had
— so no reader's browser ever asks the provider."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from commentbox.app import create_app
from commentbox.auth.base import Profile
from commentbox.domain import avatars, sites, user_sessions
from commentbox.domain.avatars import MAX_PICTURE_BYTES
from tests.fakes.server import ServerThread
from tests.fakes.web import PNG, FakeWeb
from tests.support import ARTICLE, BLOG, comment_payload, parse_tags

SANDBOX = "default-src 'none'; sandbox"


@pytest.fixture(scope="module")
def image_server() -> Iterator[tuple[FakeWeb, str]]:
    web = FakeWeb()
    with ServerThread(web.app) as running:
        yield web, running.url


@pytest.fixture
def images(image_server: tuple[FakeWeb, str]) -> FakeWeb:
    web = image_server[0]
    web.hits.clear()
    web.seen.clear()
    web.huge_bytes_sent = 0
    return web


@pytest.fixture
def provider(image_server: tuple[FakeWeb, str]) -> str:
    """The fake provider's address (127.0.0.1, allow-listed below as a test setting would)."""
    return image_server[1]


@pytest.fixture
def app(settings: Any) -> Iterator[Any]:
    app = create_app(settings.model_copy(update={"outbound_allow_hosts": ["127.0.0.1"]}))
    yield app
    app.state.ctx.db.dispose()


@pytest.fixture
def sign_in(ctx: Any, blog: Any) -> Any:
    """Sign in as a Google user whose picture is at ``avatar``; returns the bearer token."""

    def sign(avatar: str | None, provider_user_id: str = "g-ada") -> str:
        with ctx.db.write() as session:
            profile = Profile("google", provider_user_id, "Ada King", avatar=avatar)
            user = user_sessions.upsert_user(session, profile)
            row = user_sessions.open_session(ctx.user_sessions, session, user, "blog")
        return user_sessions.session_token(ctx.user_sessions, row.id, "blog")

    return sign


def post_signed_in(client: TestClient, token: str, body: str = "Signed in") -> dict[str, Any]:
    payload = comment_payload(body=body)
    del payload["author"]
    headers = {"Origin": BLOG, "Authorization": f"Bearer {token}"}
    response = client.post("/api/v1/comments", json=payload, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def thread_avatar(client: TestClient) -> str:
    thread = client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE}).json()
    (comment,) = thread["comments"]
    return comment["author"]["avatar"]  # type: ignore[no-any-return]


def local(url: str) -> str:
    assert url.startswith("http://testserver/avatars/"), url
    return url.removeprefix("http://testserver")


def test_threads_point_at_our_copy_and_it_is_fetched_once(client, sign_in, images, provider):
    token = sign_in(f"{provider}/png")
    posted = post_signed_in(client, token)
    avatar = posted["author"]["avatar"]
    assert avatar == thread_avatar(client)
    assert images.hits["/png"] == 0  # nothing is fetched until a reader asks
    served = client.get(local(avatar))
    assert served.status_code == 200
    assert served.content == PNG
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-security-policy"] == SANDBOX
    assert served.headers["cache-control"] == "public, max-age=604800, immutable"
    assert client.get(local(avatar)).content == PNG
    assert images.hits["/png"] == 1  # the second reader got the cached copy
    (request,) = images.seen
    assert "cookie" not in request.headers and "referer" not in request.headers


def test_no_page_names_the_provider(client, sign_in, provider):
    token = sign_in(f"{provider}/png")
    post_signed_in(client, token)
    me = client.get("/api/v1/me", headers={"Origin": BLOG, "Authorization": f"Bearer {token}"})
    assert me.json()["avatar"] == thread_avatar(client)
    fragment = client.get("/embed/thread", params={"site": "blog", "url": ARTICLE}).text
    page = client.get("/threads/blog", params={"url": ARTICLE}).text
    for html in (fragment, page):
        assert provider not in html
        images_shown = [dict(attrs)["src"] for tag, attrs in parse_tags(html) if tag == "img"]
        assert images_shown == [thread_avatar(client)]


def test_a_new_provider_url_is_a_new_address_and_a_new_fetch(client, sign_in, images, provider):
    post_signed_in(client, sign_in(f"{provider}/png"))
    old = thread_avatar(client)
    client.get(local(old))
    sign_in(f"{provider}/png?v=2")  # signed in again: the provider sent another picture URL
    new = thread_avatar(client)
    assert new != old
    assert client.get(local(new)).content == PNG
    assert images.hits["/png"] == 2
    stale = client.get(local(old))  # a key for a URL the user no longer has
    assert stale.headers["content-type"] == "image/svg+xml"
    assert images.hits["/png"] == 2


def test_readers_arriving_together_share_one_fetch(client, ctx, sign_in, images, provider):
    post_signed_in(client, sign_in(f"{provider}/slow.png"))
    key = local(thread_avatar(client)).rsplit("/", 1)[1]
    with ThreadPoolExecutor(6) as pool:
        served = list(pool.map(lambda _: avatars.picture(ctx.pictures, key), range(6)))
    assert [p.body if p else None for p in served] == [PNG] * 6
    assert images.hits["/slow.png"] == 1


def test_an_expired_copy_is_fetched_again(client, ctx, sign_in, images, provider):
    post_signed_in(client, sign_in(f"{provider}/png"))
    avatar = local(thread_avatar(client))
    client.get(avatar)
    with ctx.db.write() as session:
        session.execute(text("UPDATE avatar_cache SET expires = '2000-01-01 00:00:00'"))
    assert client.get(avatar).content == PNG
    assert images.hits["/png"] == 2


@pytest.mark.parametrize("path", ["/html-as-png", "/huge.png", "/missing.png", "/page"])
def test_a_picture_that_cannot_be_had_is_the_identicon(client, sign_in, images, provider, path):
    post_signed_in(client, sign_in(f"{provider}{path}"))
    avatar = local(thread_avatar(client))
    served = client.get(avatar)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/svg+xml"
    assert served.text.startswith("<svg")
    assert served.headers["cache-control"] == "public, max-age=3600"
    assert served.headers["content-security-policy"] == SANDBOX
    assert images.hits[path] == 1
    assert images.huge_bytes_sent < 64 * MAX_PICTURE_BYTES  # cut soon after passing 256 KiB
    again = client.get(avatar)
    assert again.content == served.content
    assert images.hits[path] == 1  # the failure is remembered for an hour, not retried per reader


def test_a_private_address_is_never_fetched(client, sign_in):
    post_signed_in(client, sign_in("http://10.0.0.1/avatar.png"))
    served = client.get(local(thread_avatar(client)))
    assert served.headers["content-type"] == "image/svg+xml"


def test_forged_and_malformed_keys_fetch_nothing(client, sign_in, images, provider, row_count):
    post_signed_in(client, sign_in(f"{provider}/png"))
    user_id = local(thread_avatar(client)).split("/")[-1].split("-")[0]
    forged = client.get(f"/avatars/{user_id}-{'0' * 32}")
    assert forged.headers["content-type"] == "image/svg+xml"
    assert client.get(f"/avatars/999999-{'0' * 32}").headers["content-type"] == "image/svg+xml"
    for bad in ("<script>", "1-" + "a" * 80, "1_2", "%2e%2e"):
        response = client.get(f"/avatars/{bad}")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
    assert images.hits["/png"] == 0
    assert row_count("avatar_cache") == 0


def test_pictures_this_server_serves_already_stay_as_they_are(client, sign_in):
    own = "http://testserver/avatars/0123456789abcdef0123.svg"  # what the demo providers send
    post_signed_in(client, sign_in(own))
    assert thread_avatar(client) == own


def test_a_user_without_a_picture_gets_the_generated_one(client, sign_in, ctx):
    sites.update_site(ctx.db, "blog", name="Blog")
    post_signed_in(client, sign_in(None))
    thread = client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE}).json()
    (comment,) = thread["comments"]
    author = comment["author"]
    assert author["avatar"] == author["identicon"] == thread_avatar(client)
    assert re.fullmatch(r"http://testserver/avatars/[0-9a-f]+\.svg", author["avatar"])
