"""Being forgotten (``domain/erasure.py``): what an erasure removes, what it leaves, and that
every reader — the thread, the counts, the fragment, live streams, another instance — sees it."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from commentbox.auth.base import Profile
from commentbox.domain import erasure, user_sessions
from commentbox.domain.erasure import Identity
from commentbox.errors import InvalidInput
from commentbox.store.models import ModerationMode, Subscription
from tests.instances import Instance
from tests.support import ARTICLE, BLOG, comment_payload
from tests.test_live import server, stream  # noqa: F401 (the fixture is used by name)

ORIGIN = {"Origin": BLOG}
OTHER_ARTICLE = f"{BLOG}/posts/other/"


def sign_in(ctx: Any, provider_user_id: str, name: str, email: str | None = None, site: str = "blog") -> str:
    with ctx.db.write() as session:
        user = user_sessions.upsert_user(session, Profile("google", provider_user_id, name, email=email))
        row = user_sessions.open_session(ctx.user_sessions, session, user, site)
    return user_sessions.session_token(ctx.user_sessions, row.id, site)


def subscribe(ctx: Any, comment_id: int, email: str, user_id: int | None = None) -> None:
    """A reply subscription as ``notify.py`` stores it (its mail flow has its own tests)."""
    with ctx.db.write() as session:
        row = Subscription(comment_id=comment_id, email=email, user_id=user_id, confirmed=True, nonce="n")
        session.add(row)


def bearer(token: str) -> dict[str, str]:
    return {**ORIGIN, "Authorization": f"Bearer {token}"}


def post(client: Any, token: str | None = None, **changes: Any) -> dict[str, Any]:
    payload = comment_payload(**changes)
    if token is not None:
        payload.pop("author")
    response = client.post("/api/v1/comments", json=payload, headers=bearer(token) if token else ORIGIN)
    assert response.status_code in (201, 202), response.text
    return response.json()  # type: ignore[no-any-return]


def thread(client: Any, path: str = "/api/v1/threads", url: str = ARTICLE) -> dict[str, Any]:
    response = client.get(path, params={"site": "blog", "url": url})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def rows(ctx: Any, query: str, **params: Any) -> list[Any]:
    with ctx.db.engine.connect() as connection:
        return list(connection.execute(text(query), params).all())


def test_a_signed_in_visitor_erases_everything_of_theirs_and_the_thread_shows_it(client, ctx, blog):
    ada = sign_in(ctx, "g-ada", "Ada King", email="ada@example.com")
    kept = post(client, body="Ada's first words", token=ada)
    subscribe(ctx, kept["id"], "ada@example.com", user_id=rows(ctx, 'SELECT id FROM "user"')[0][0])
    replied_to = post(client, body="Ada's words someone answered", token=ada)
    post(client, body="Ada on another page", url=OTHER_ARTICLE, token=ada)
    reply = post(client, body="Bob answers Ada", parent=replied_to["id"],
                 author={"name": "Bob", "email": "bob@example.com"})  # fmt: skip
    bobs = post(client, body="Bob's own thoughts", author={"name": "Bob", "email": "bob@example.com"})
    subscribe(ctx, bobs["id"], "bob@example.com")
    assert (
        client.post(f"/api/v1/comments/{bobs['id']}/vote", json={"value": 1}, headers=bearer(ada)).status_code
        == 200
    )
    assert thread(client)["thread"]["count"] == 4

    erased = client.post("/api/v1/me/erase", json={"site": "blog", "confirm": "erase"}, headers=bearer(ada))

    assert erased.status_code == 200, erased.text
    assert erased.json() == {"comments": 3, "tombstones": 1, "votes": 1, "subscriptions": 1, "sessions": 1}
    shown = thread(client)
    assert shown["thread"]["count"] == 2  # Bob's reply and Bob's comment; the tombstone is not counted
    by_id = {c["id"]: c for c in shown["comments"]}
    assert kept["id"] not in by_id
    tombstone = by_id[replied_to["id"]]
    assert tombstone["deleted"] is True and tombstone["author"]["name"] is None and tombstone["html"] == ""
    assert [r["id"] for r in tombstone["replies"]] == [reply["id"]]
    assert by_id[bobs["id"]]["score"] == 0
    fragment = client.get("/embed/thread", params={"site": "blog", "url": ARTICLE}).text
    assert "a former commenter" in fragment and "Ada King" not in fragment and "Ada's" not in fragment
    assert thread(client, url=OTHER_ARTICLE)["thread"]["count"] == 0
    assert rows(ctx, "SELECT id FROM comment WHERE user_id IS NOT NULL") == []
    assert rows(
        ctx, "SELECT ip_hash, client_hash, author_email FROM comment WHERE id = :id", id=replied_to["id"]
    ) == [(None, None, None)]
    assert rows(ctx, "SELECT count(*) FROM vote")[0][0] == 0
    assert rows(ctx, "SELECT email FROM subscription") == [("bob@example.com",)]
    assert rows(ctx, "SELECT count(*) FROM user_session")[0][0] == 0
    assert client.get("/api/v1/me", params={"site": "blog"}, headers=bearer(ada)).status_code == 401
    # The moderators' record: when and how many, never whose or what.
    record = rows(ctx, "SELECT * FROM erasure")
    assert len(record) == 1 and record[0].comments == 3 and record[0].requested_by == "the visitor"
    assert "Ada" not in repr(record) and "ada@" not in repr(record)


def test_a_guest_address_reaches_only_guest_comments_with_it_on_that_site(client, ctx, make_site, blog):
    make_site("shop", origins=("https://shop.example",))
    as_guest = post(client, body="guest words", author={"name": "Ada", "email": "Ada@Example.com"})
    other_guest = post(client, body="someone else", author={"name": "Bo", "email": "bo@example.com"})
    signed_in = post(
        client, body="signed in with the same address", token=sign_in(ctx, "g-ada", "Ada", "ada@example.com")
    )
    on_shop = client.post(
        "/api/v1/comments",
        json=comment_payload(site="shop", url="https://shop.example/p", body="on the shop"),
        headers={"Origin": "https://shop.example"},
    )
    assert on_shop.status_code == 201

    erased = erasure.erase(ctx.erasing, Identity.guest("blog", " ada@example.COM "), "moderator root")

    assert (erased.comments, erased.votes, erased.sessions) == (1, 0, 0)
    left = {c["id"] for c in thread(client)["comments"]}
    assert as_guest["id"] not in left and {other_guest["id"], signed_in["id"]} <= left
    assert rows(ctx, "SELECT count(*) FROM comment WHERE body = 'on the shop'")[0][0] == 1
    assert rows(ctx, "SELECT requested_by, comments FROM erasure") == [("moderator root", 1)]


def test_erasing_someone_with_nothing_stored_answers_zeros_and_records_it(ctx, blog):
    erased = erasure.erase(ctx.erasing, Identity.guest("blog", "nobody@example.com"))
    assert erased.comments == erased.subscriptions == 0
    assert rows(ctx, "SELECT comments FROM erasure") == [(0,)]


@pytest.mark.parametrize("email", ["", "not-an-address", "a b@example.com", "x" * 250 + "@e.com"])
def test_a_guest_erasure_needs_an_address(email):
    with pytest.raises(InvalidInput):
        Identity.guest("blog", email)


def test_an_erasure_reaches_live_readers_as_deletions(server, ctx, blog):  # noqa: F811
    posted = httpx.post(server + "/api/v1/comments", json=comment_payload(body="soon gone"), headers=ORIGIN)
    assert posted.status_code == 201
    with stream(server) as events:
        erasure.erase(ctx.erasing, Identity.guest("blog", "ada@example.com"))
        event = events.next()
    assert (event.kind, event.data["count"]) == ("deleted", 0)


def test_a_held_comment_is_erased_too_and_a_pending_thread_count_stays_right(client, ctx, make_site):
    make_site(moderation=ModerationMode.ALL)
    held = client.post("/api/v1/comments", json=comment_payload(body="waiting"), headers=ORIGIN)
    assert held.status_code == 202
    assert erasure.erase(ctx.erasing, Identity.guest("blog", "ada@example.com")).comments == 1
    assert rows(ctx, "SELECT count(*) FROM comment")[0][0] == 0
    assert rows(ctx, "SELECT comment_count FROM thread") == [(0,)]


def test_an_erasure_racing_posts_by_the_same_person_leaves_no_half_state(server, ctx):  # noqa: F811
    """Posts and replies by the person, from several threads, while the erasure runs: each
    post lands wholly before (and is erased) or wholly after it (and stays, complete); a
    reply to an erased comment is refused, never left under a parent that is gone."""
    answered = httpx.post(
        server + "/api/v1/comments", json=comment_payload(body="the comment others answer"), headers=ORIGIN
    )
    first = answered.json()
    results: list[int] = []
    start = threading.Barrier(5)

    def keep_posting(n: int) -> None:
        start.wait()
        for i in range(6):
            payload = comment_payload(body=f"racing post {n}-{i}", parent=first["id"] if i % 2 else None)
            results.append(httpx.post(server + "/api/v1/comments", json=payload, headers=ORIGIN).status_code)

    posters = [threading.Thread(target=keep_posting, args=(n,)) for n in range(4)]
    for poster in posters:
        poster.start()
    start.wait()
    erased = erasure.erase(ctx.erasing, Identity.guest("blog", "ada@example.com"))
    for poster in posters:
        poster.join()

    assert set(results) <= {201, 422}, results  # 422: the reply's parent was erased first
    stored = rows(ctx, "SELECT id, parent_id, status, author_email, ip_hash FROM comment")
    assert erased.comments + len(stored) == 1 + results.count(201)
    ids = {row.id for row in stored}
    for row in stored:  # every survivor is a whole comment, and hangs under a comment that exists
        assert row.status == "approved" and row.author_email == "ada@example.com" and row.ip_hash
        assert row.parent_id is None or row.parent_id in ids
    assert rows(ctx, "SELECT comment_count FROM thread") == [(len(stored),)]
    assert thread(httpx, server + "/api/v1/threads")["thread"]["count"] == len(stored)
    again = erasure.erase(ctx.erasing, Identity.guest("blog", "ada@example.com"))
    assert again.comments == len(stored) and thread(httpx, server + "/api/v1/threads")["thread"]["count"] == 0


def test_two_instances_both_show_the_erasure_at_once(database_url, ctx, blog, tmp_path):
    """One instance erases; the other, which had the thread cached, serves the change next."""
    ada = sign_in(ctx, "g-ada", "Ada King")
    query = {"site": "blog", "url": ARTICLE}
    with Instance(database_url, tmp_path, name="a") as a, Instance(database_url, tmp_path, name="b") as b:
        mine = comment_payload(body="on both")
        mine.pop("author")
        assert httpx.post(a.url + "/api/v1/comments", json=mine, headers=bearer(ada)).status_code == 201
        theirs = comment_payload(body="second", author={"name": "Bo", "email": "bo@example.com"})
        assert httpx.post(a.url + "/api/v1/comments", json=theirs, headers=ORIGIN).status_code == 201
        for _ in range(2):  # now cached on b
            assert httpx.get(b.url + "/api/v1/threads", params=query).json()["thread"]["count"] == 2
        assert httpx.get(b.url + "/api/v1/counts", params=query).json()["counts"] == {ARTICLE: 2}

        erase = {"site": "blog", "confirm": "erase"}
        assert httpx.post(a.url + "/api/v1/me/erase", json=erase, headers=bearer(ada)).status_code == 200

        shown = httpx.get(b.url + "/api/v1/threads", params=query).json()
        assert shown["thread"]["count"] == 1 and [c["html"] for c in shown["comments"]] == ["<p>second</p>"]
        assert httpx.get(b.url + "/api/v1/counts", params=query).json()["counts"] == {ARTICLE: 1}
        assert "on both" not in httpx.get(b.url + "/embed/thread", params=query).text
        assert httpx.post(b.url + "/api/v1/me/erase", json=erase, headers=bearer(ada)).status_code == 401
