"""The read hot path: served from memory, yet every change on any instance shows at once.

Two apps on one database stand for two instances (each has its own caches); the
real-process version of this story is in ``test_instances.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from starlette.testclient import TestClient

from commentbox.app import create_app
from commentbox.domain import sites
from commentbox.errors import ServiceUnavailable
from commentbox.runtime import freshness
from tests.support import ARTICLE, BLOG, comment_payload

THREAD = {"site": "blog", "url": ARTICLE}


@pytest.fixture
def other(settings: Any) -> Iterator[TestClient]:
    """A second instance: same settings and database, its own process-local caches."""
    with TestClient(create_app(settings), base_url="http://testserver") as second:
        yield second


def _post(client: TestClient, **changes: Any) -> dict[str, Any]:
    response = client.post("/api/v1/comments", json=comment_payload(**changes), headers={"Origin": BLOG})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_post_on_one_instance_shows_on_the_next_read_of_another(client, other, blog):
    first = other.get("/api/v1/threads", params=THREAD)
    assert first.json()["comments"] == []
    counted = other.get("/api/v1/counts", params={"site": "blog", "url": ARTICLE}).json()
    assert counted == {"counts": {ARTICLE: 0}}

    posted = _post(client, body="from the first instance")

    second = other.get("/api/v1/threads", params=THREAD)
    assert [c["id"] for c in second.json()["comments"]] == [posted["id"]]
    assert second.json()["thread"]["count"] == 1
    assert second.headers["etag"] != first.headers["etag"]
    assert other.get("/api/v1/counts", params={"site": "blog", "url": ARTICLE}).json() == {
        "counts": {ARTICLE: 1}
    }


def test_edits_and_deletes_on_one_instance_show_on_another(client, other, blog):
    posted = _post(client)
    assert other.get("/api/v1/threads", params=THREAD).json()["thread"]["count"] == 1
    edited = client.patch(
        f"/api/v1/comments/{posted['id']}",
        json={"body": "changed <b>text</b>"},
        headers={"Origin": BLOG, "X-Edit-Token": posted["edit_token"]},
    )
    assert edited.status_code == 200
    assert "changed" in other.get("/api/v1/threads", params=THREAD).json()["comments"][0]["html"]
    deleted = client.delete(
        f"/api/v1/comments/{posted['id']}",
        headers={"Origin": BLOG, "X-Edit-Token": posted["edit_token"]},
    )
    assert deleted.status_code == 204
    page = other.get("/api/v1/threads", params=THREAD).json()
    assert (page["comments"], page["thread"]["count"]) == ([], 0)


def test_the_same_thread_has_the_same_etag_on_every_instance(client, other, blog):
    _post(client)
    tags = {c.get("/api/v1/threads", params=THREAD).headers["etag"] for c in (client, other)}
    assert len(tags) == 1


def test_an_unchanged_thread_is_served_from_memory_and_answers_304(client, ctx, blog):
    _post(client)
    first = client.get("/api/v1/threads", params=THREAD)
    builds = ctx.cache.misses
    again = client.get("/api/v1/threads", params=THREAD)
    assert again.content == first.content
    assert ctx.cache.misses == builds and ctx.cache.hits >= 1

    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    for header in (etag, etag.removeprefix("W/"), f'"x", {etag}', "*"):
        not_modified = client.get("/api/v1/threads", params=THREAD, headers={"If-None-Match": header})
        assert not_modified.status_code == 304
        assert not_modified.content == b""
        assert not_modified.headers["etag"] == etag
    assert client.get("/api/v1/threads", params=THREAD, headers={"If-None-Match": '"x"'}).status_code == 200


def test_each_page_and_sort_of_a_thread_has_its_own_etag(client, blog):
    for n in range(3):
        _post(client, body=f"comment {n}")
    tags = {
        client.get("/api/v1/threads", params={**THREAD, **extra}).headers["etag"]
        for extra in ({}, {"sort": "newest"}, {"limit": "1"}, {"limit": "2"})
    }
    assert len(tags) == 4


def test_a_site_change_on_another_instance_is_seen_at_once(client, other, ctx, blog):
    _post(client)
    assert other.get("/api/v1/threads", params=THREAD).status_code == 200
    sites.update_site(ctx.db, "blog", add_origins=["https://new.example"], remove_origins=[BLOG])
    refused = other.get("/api/v1/threads", params=THREAD)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    moved = other.get("/api/v1/threads", params={"site": "blog", "url": "https://new.example/a"})
    assert moved.status_code == 200

    sites.update_site(ctx.db, "blog", add_origins=[BLOG])
    assert other.get("/api/v1/threads", params=THREAD).json()["thread"]["count"] == 1


def test_a_removed_site_is_gone_on_the_next_read(client, other, ctx, blog):
    _post(client)
    assert other.get("/api/v1/counts", params={"site": "blog", "url": ARTICLE}).status_code == 200
    sites.remove_site(ctx.db, "blog")
    for path, params in (("/api/v1/threads", THREAD), ("/api/v1/counts", {"site": "blog", "url": ARTICLE})):
        gone = other.get(path, params=params)
        assert gone.status_code == 404, path
        assert gone.json()["status"] == 404


def test_query_parameters_a_site_starts_keeping_split_threads_at_once(client, other, ctx, blog):
    _post(client, url=f"{BLOG}/?p=1")
    assert other.get("/api/v1/counts", params={"site": "blog", "url": f"{BLOG}/?p=2"}).json() == {
        "counts": {f"{BLOG}/?p=2": 1}
    }
    sites.update_site(ctx.db, "blog", query_params=["p"])
    assert other.get("/api/v1/counts", params={"site": "blog", "url": f"{BLOG}/?p=2"}).json() == {
        "counts": {f"{BLOG}/?p=2": 0}
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({**THREAD, "cursor": "bm90LWEtY3Vyc29y"}, "cursor"),
        ({**THREAD, "limit": "0"}, "limit"),
        ({**THREAD, "limit": "-1"}, "limit"),
        ({**THREAD, "sort": "random"}, "sort"),
        ({"url": ARTICLE}, "site"),
        ({"site": "blog"}, "url"),
        ({"site": "blog", "url": "javascript:alert(1)"}, "url"),
    ],
)
def test_bad_thread_queries_are_refused_before_anything_is_built(client, ctx, blog, params, field):
    response = client.get("/api/v1/threads", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem.get("field") or problem["errors"][0]["field"]) == field
    assert ctx.cache.misses == 0


def test_unknown_sites_and_foreign_pages_are_refused(client, blog):
    assert client.get("/api/v1/threads", params={"site": "nope", "url": ARTICLE}).status_code == 404
    assert client.get("/api/v1/counts", params={"site": "nope", "url": ARTICLE}).status_code == 404
    foreign = client.get("/api/v1/threads", params={"site": "blog", "url": "https://evil.example/x"})
    assert foreign.status_code == 403


def test_hostile_page_addresses_never_reach_the_response_unescaped(client, blog):
    url = f'{BLOG}/posts/"><script>alert(1)</script>?q=</script>'
    page = client.get("/api/v1/threads", params={"site": "blog", "url": url})
    assert page.status_code == 200
    assert b"<script>" not in page.content
    counted = client.get("/api/v1/counts", params={"site": "blog", "url": url})
    assert counted.json() == {"counts": {url: 0}}


def test_a_new_name_from_the_provider_shows_in_cached_threads_of_every_instance(client, other, ctx, blog):
    from sqlalchemy import update

    from commentbox.auth.base import Profile
    from commentbox.domain import user_sessions
    from commentbox.domain.avatars import picture_url
    from commentbox.store import versions
    from commentbox.store.models import Comment

    posted = _post(client)
    with ctx.db.write() as session:
        user = user_sessions.upsert_user(
            session, Profile("google", "g-1", "Ada Lovelace", "https://a.example/1.png")
        )
        session.exec(update(Comment).where(Comment.id == posted["id"]).values(user_id=user.id))  # type: ignore[arg-type]
        versions.touch_thread(session, posted["thread"])
    before = other.get("/api/v1/threads", params=THREAD)
    assert before.json()["comments"][0]["author"]["name"] == "Ada Lovelace"
    with ctx.db.write() as session:  # she signs in again; the provider has her new name
        user_sessions.upsert_user(session, Profile("google", "g-1", "Ada King", "https://a.example/2.png"))
    after = other.get("/api/v1/threads", params=THREAD)
    author = after.json()["comments"][0]["author"]
    new_picture = picture_url(ctx.keys, ctx.settings.base_url, user.id, "https://a.example/2.png")
    assert (author["name"], author["avatar"], author["provider"]) == ("Ada King", new_picture, "google")
    assert author["avatar"] != before.json()["comments"][0]["author"]["avatar"]  # served by us, anew
    assert after.headers["etag"] != before.headers["etag"]
    with ctx.db.write() as session:  # the same profile again changes nothing: the cache stays
        user_sessions.upsert_user(session, Profile("google", "g-1", "Ada King", "https://a.example/2.png"))
    assert other.get("/api/v1/threads", params=THREAD).headers["etag"] == after.headers["etag"]


def test_a_cancelled_read_leaves_the_others_of_its_batch_their_answer(ctx, blog):
    """PostgreSQL batches the checks of concurrent reads into one query; a reader whose client
    went away (its task cancelled) must not take the others' answer with it."""
    if ctx.db.is_sqlite:
        pytest.skip("PostgreSQL's batched check only (SQLite answers each check at once)")

    async def scenario() -> tuple[int | None, bool]:
        checker = freshness.open_freshness(ctx.db.url)
        try:
            gone = asyncio.create_task(checker.check("blog", [ARTICLE]))
            stays = asyncio.create_task(checker.check("blog", [ARTICLE]))
            await asyncio.sleep(0)  # both joined the same batch
            gone.cancel()
            states = await asyncio.wait_for(stays, 10)
            return states.site_version, gone.cancelled()
        finally:
            await checker.aclose()

    with ThreadPoolExecutor(1) as pool:  # an event loop of its own (browser tests may hold one)
        version, cancelled = pool.submit(asyncio.run, scenario()).result()
    assert version == blog.version and cancelled


def test_thread_reads_skip_the_router_yet_errors_answer_as_everywhere(client, blog, monkeypatch):
    """``hotreads``: a thread read goes straight to its endpoint; a refused one falls through
    to the full stack, whose handlers answer it (problem+json), like any other route."""
    from starlette.routing import Router

    routed: list[str] = []
    original = Router.__call__

    async def counting(self: Router, scope: Any, receive: Any, send: Any) -> None:
        routed.append(scope["path"])
        await original(self, scope, receive, send)

    monkeypatch.setattr(Router, "__call__", counting)
    client.post("/api/v1/comments", json=comment_payload(), headers={"Origin": BLOG})
    routed.clear()
    assert client.get("/api/v1/threads", params=THREAD).status_code == 200
    assert client.get("/embed/thread", params=THREAD).status_code == 200
    assert routed == []

    refused = client.get("/api/v1/threads", params={**THREAD, "sort": "sideways"})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert "sort" in refused.json()["detail"]
    assert "/api/v1/threads" in routed


def test_a_failing_check_fails_only_its_own_reader_and_strands_none(ctx, blog):
    """A value PostgreSQL refuses (a NUL: the HTTP layer refuses it first, this is the layer
    below) failed the whole batched query, and the batch that gathered meanwhile was dropped
    and never answered. Now the failed batch's readers are asked one by one."""
    if ctx.db.is_sqlite:
        pytest.skip("PostgreSQL's batched check only (SQLite answers each check at once)")

    async def scenario() -> tuple[list[object], list[object]]:
        checker = freshness.open_freshness(ctx.db.url)
        try:
            first = [asyncio.create_task(checker.check("blog", [ARTICLE])) for _ in range(8)]
            first += [asyncio.create_task(checker.check("blog", ["bad\x00key"])) for _ in range(3)]
            await asyncio.sleep(0)  # one batch in flight …
            later = [asyncio.create_task(checker.check("blog", [ARTICLE])) for _ in range(8)]
            done = await asyncio.wait_for(asyncio.gather(*first, return_exceptions=True), 15)
            after = await asyncio.wait_for(asyncio.gather(*later, return_exceptions=True), 15)
            return done, after
        finally:
            await checker.aclose()

    with ThreadPoolExecutor(1) as pool:
        done, after = pool.submit(asyncio.run, scenario()).result()
    good, bad = done[:8], done[8:]
    assert all(isinstance(s, freshness.SiteStates) and s.site_version == blog.version for s in good), good
    assert all(isinstance(e, ServiceUnavailable) for e in bad), bad
    assert all(isinstance(s, freshness.SiteStates) and s.site_version == blog.version for s in after), after
