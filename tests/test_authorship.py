"""What authors see of their own comments: a held comment's fate after the guest's edit window
closed (``GET /api/v1/comments/{id}``), and a signed-in author's comments of a thread on any
device (``GET /api/v1/me/comments``) — and what everybody else learns: nothing."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from unittest.mock import patch

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import update

from commentbox.admin import actions
from commentbox.domain import sites
from commentbox.domain.visitors import AUTHOR_READ_SECONDS
from commentbox.keys import EDIT_TOKEN_SALT
from commentbox.store.models import Comment, CommentStatus, ModerationMode
from tests.support import ARTICLE, BLOG, comment_payload

ORIGIN = {"Origin": BLOG}
EVERYWHERE = actions.Moderator("root", None, None)
MINE = {"site": "blog", "url": ARTICLE}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **ORIGIN}


def aged_token(ctx, comment_id: int, age_seconds: float) -> str:
    """The edit token the comment got ``age_seconds`` ago (itsdangerous signs the time in)."""
    with ctx.db.read() as session:
        nonce = session.get(Comment, comment_id).nonce
    with patch.object(TimestampSigner, "get_timestamp", lambda self: int(time.time() - age_seconds)):
        return ctx.keys.edit_token(comment_id, nonce)


def ask(client, comment_id: int, token: str, query: str = ""):
    """What a guest's browser asks about its comment (``GET`` with ``X-Edit-Token``)."""
    return client.get(f"/api/v1/comments/{comment_id}{query}", headers={"X-Edit-Token": token})


def mine(client, headers: dict[str, str], **params: str):
    """What a signed-in browser asks about a thread: its own comments there."""
    return client.get("/api/v1/me/comments", params=params or MINE, headers=headers)


def refused(response, status: int) -> None:
    """A problem+json refusal that tells nothing about the comment."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "Hello" not in response.text and "html" not in response.json()


@pytest.fixture
def held(client, make_site):
    make_site(moderation=ModerationMode.ALL)
    response = client.post("/api/v1/comments", json=comment_payload(), headers=ORIGIN)
    assert response.status_code == 202
    return response.json()


# A guest's held comment, after the edit window ------------------------------------------


def test_an_expired_edit_token_still_reads_its_held_comment_but_never_changes_it(client, ctx, held):
    late = aged_token(ctx, held["id"], 3600)  # the 15-minute edit window closed long ago
    path = f"/api/v1/comments/{held['id']}"
    seen = ask(client, held["id"], late)
    assert seen.status_code == 200
    assert seen.json()["status"] == "pending" and seen.headers["cache-control"] == "no-store"
    refused(client.patch(path, json={"body": "late"}, headers={**ORIGIN, "X-Edit-Token": late}), 403)
    refused(client.delete(path, headers={**ORIGIN, "X-Edit-Token": late}), 403)
    assert ask(client, held["id"], late).json()["html"] == "<p>Hello <em>world</em></p>"  # unchanged


def test_the_author_learns_that_a_moderator_published_the_held_comment(client, ctx, held):
    late = aged_token(ctx, held["id"], 3600)
    actions.apply(ctx.moderation, EVERYWHERE, [held["id"]], actions.Action.APPROVE)
    seen = ask(client, held["id"], late, "?fragment=en")
    assert seen.status_code == 200
    assert seen.json()["status"] is None  # published: no status, as in the thread
    assert 'id="comment-' in seen.json()["fragment"] and "cb-pending" not in seen.json()["fragment"]


@pytest.mark.parametrize("action", [actions.Action.DELETE, actions.Action.SPAM])
def test_the_author_learns_that_a_moderator_removed_the_held_comment(client, ctx, held, action):
    late = aged_token(ctx, held["id"], 3600)
    actions.apply(ctx.moderation, EVERYWHERE, [held["id"]], action)
    refused(ask(client, held["id"], late), 404)


def test_a_held_comment_comes_with_its_pending_fragment(client, held):
    seen = ask(client, held["id"], held["edit_token"], "?fragment=de")
    assert "cb-pending" in seen.json()["fragment"]


def test_reading_ends_with_the_widgets_thirty_days(client, ctx, held):
    assert ask(client, held["id"], aged_token(ctx, held["id"], AUTHOR_READ_SECONDS - 60)).status_code == 200
    refused(ask(client, held["id"], aged_token(ctx, held["id"], AUTHOR_READ_SECONDS + 60)), 403)


def test_a_site_with_a_longer_edit_window_keeps_reading_as_long_as_editing(client, ctx, held):
    sites.update_site(ctx.db, "blog", edit_window_seconds=AUTHOR_READ_SECONDS * 2)
    old = aged_token(ctx, held["id"], AUTHOR_READ_SECONDS + 60)
    assert ask(client, held["id"], old).status_code == 200


def test_forged_and_foreign_tokens_read_nothing(client, ctx, held, make_site, signed_in_as):
    path = f"/api/v1/comments/{held['id']}"
    other = client.post("/api/v1/comments", json=comment_payload(body="other"), headers=ORIGIN).json()
    with ctx.db.read() as session:
        nonce = session.get(Comment, held["id"]).nonce
    forger = URLSafeTimedSerializer(b"not the secret", salt=EDIT_TOKEN_SALT)
    forged = forger.dumps({"c": held["id"], "n": nonce})
    make_site("shop", origins=("https://shop.example",))
    shop = client.post(
        "/api/v1/comments", json=comment_payload(site="shop", url="https://shop.example/p"),
        headers={"Origin": "https://shop.example"},
    ).json()  # fmt: skip
    for token in (other["edit_token"], forged, shop["edit_token"], "garbage", held["edit_token"] + "x"):
        refused(ask(client, held["id"], token), 403)
    refused(client.get(path), 403)
    refused(client.get(path, headers=bearer(signed_in_as())), 403)  # a user is not the guest


def test_a_reused_row_id_reads_nothing_with_the_old_token(client, ctx, held):
    with ctx.db.write() as session:
        session.exec(update(Comment).where(Comment.id == held["id"]).values(nonce="f" * 32))
    refused(ask(client, held["id"], held["edit_token"]), 403)


def test_a_signed_in_authors_held_comment_reads_with_the_bearer_only(client, make_site, signed_in_as):
    make_site(moderation=ModerationMode.ALL)
    token = signed_in_as()
    posted = client.post("/api/v1/comments", json=comment_payload(author=None), headers=bearer(token)).json()
    path = f"/api/v1/comments/{posted['id']}"
    assert client.get(path, headers=bearer(token)).json()["status"] == "pending"
    refused(client.get(path, headers=bearer(signed_in_as("g-eve", "Eve"))), 403)
    refused(client.get(path), 403)


# A signed-in author's comments of a thread, on any device -----------------------------------


def test_a_signed_in_author_gets_their_comments_of_the_thread_on_any_device(
    client, ctx, blog, signed_in_as, make_comment
):
    laptop, phone = signed_in_as(), signed_in_as()  # two sessions of one user
    post = lambda body, **kw: client.post(  # noqa: E731
        "/api/v1/comments", json=comment_payload(author=None, body=body, **kw), headers=bearer(laptop)
    ).json()
    first, held, _elsewhere = post("first"), post("held"), post("elsewhere", url=f"{BLOG}/other")
    spam = post("spam")
    with ctx.db.write() as session:
        session.exec(update(Comment).where(Comment.id == held["id"]).values(status=CommentStatus.PENDING))
        session.exec(update(Comment).where(Comment.id == spam["id"]).values(status=CommentStatus.SPAM))
    make_comment()  # a guest's
    eve = signed_in_as("g-eve", "Eve")
    client.post("/api/v1/comments", json=comment_payload(author=None, body="Eve's"), headers=bearer(eve))

    response = mine(client, bearer(phone))
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert response.json() == {
        "comments": [
            {"id": first["id"], "status": "approved", "body": "first", "edit_until": None},
            {"id": held["id"], "status": "pending", "body": "held", "edit_until": None},
        ]
    }
    theirs = mine(client, bearer(eve)).json()["comments"]
    assert [c["body"] for c in theirs] == ["Eve's"]


def test_edit_deadlines_follow_the_sites_window_for_signed_in_authors(client, ctx, blog, signed_in_as):
    sites.update_site(ctx.db, "blog", user_edit_window_seconds=3600)
    token = signed_in_as()
    posted = client.post("/api/v1/comments", json=comment_payload(author=None), headers=bearer(token)).json()
    assert posted["edit_token"] is None
    until = datetime.fromisoformat(posted["edit_until"])
    assert until - datetime.fromisoformat(posted["created"]) == timedelta(hours=1)
    listed = mine(client, bearer(token)).json()["comments"]
    assert datetime.fromisoformat(listed[0]["edit_until"]) == until


def test_a_page_id_names_the_thread_too(client, blog, signed_in_as):
    token = signed_in_as()
    payload = comment_payload(author=None, page_id="post-17", url=f"{BLOG}/moved")
    posted = client.post("/api/v1/comments", json=payload, headers=bearer(token)).json()
    listed = mine(client, bearer(token), site="blog", page_id="post-17")
    assert [c["id"] for c in listed.json()["comments"]] == [posted["id"]]
    assert mine(client, bearer(token)).json() == {"comments": []}


def test_nobody_but_the_session_learns_whose_comments_are_whose(client, blog, make_site, signed_in_as):
    token = signed_in_as()
    client.post("/api/v1/comments", json=comment_payload(author=None), headers=bearer(token))
    make_site("shop", origins=("https://shop.example",))
    shop_token = signed_in_as(site="shop")
    revoked = signed_in_as()
    assert client.post("/auth/logout", headers=bearer(revoked)).status_code == 204
    for headers in (
        ORIGIN,  # a guest
        {**ORIGIN, "Authorization": "Bearer forged.token.here"},
        {**ORIGIN, "Authorization": f"Basic {token}"},
        bearer(shop_token),  # another site's session
        bearer(revoked),
        {"Authorization": f"Bearer {token}", "Origin": "https://evil.example"},  # another page
    ):
        refused(mine(client, headers), 401)
    refused(mine(client, bearer(shop_token), site="shop", url=ARTICLE), 401)  # asked from the blog's page
    shop_page = {"Authorization": f"Bearer {shop_token}", "Origin": "https://shop.example"}
    refused(mine(client, shop_page, site="shop", url=ARTICLE), 403)  # the blog's article is not the shop's
    refused(mine(client, bearer(token), site="blog"), 422)
    refused(mine(client, bearer(token), url=ARTICLE), 422)
