"""``Idempotency-Key`` on ``POST /api/v1/comments``: a retry answers the first try's comment."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlmodel import select

from commentbox.domain import comments
from commentbox.domain.schemas import CommentCreate
from commentbox.domain.visitors import Visitor
from commentbox.store.models import ModerationMode, PostedKey
from tests.support import BLOG, comment_payload
from tests.test_hostile_input import assert_problem


def post(client, key=None, *, browser="browser-1", bearer=None, **changes):
    headers = {"Origin": BLOG, "X-Commentbox-Client": browser}
    if key is not None:
        headers["Idempotency-Key"] = key
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
        changes.setdefault("author", None)
    return client.post("/api/v1/comments", json=comment_payload(**changes), headers=headers)


def test_a_retry_with_the_same_key_answers_the_same_comment_once(client, blog, row_count):
    first = post(client, "draft-1")
    again = post(client, "draft-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["edit_token"]  # the author can still edit what the retry names
    assert row_count("comment") == 1
    other = post(client, "draft-2", body="another draft")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert row_count("comment") == 2


def test_a_held_comment_is_answered_202_on_every_retry(client, make_site, row_count):
    make_site(moderation=ModerationMode.ALL)
    answers = [post(client, "held-draft") for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 202]
    assert len({a.json()["id"] for a in answers}) == 1 and row_count("comment") == 1


def test_without_a_key_the_same_text_is_a_duplicate_as_before(client, blog, row_count):
    assert post(client).status_code == 201
    assert post(client).status_code == 409  # the duplicate layer still stands for keyless clients
    assert row_count("comment") == 1


def test_someone_elses_key_never_returns_their_comment(client, blog, signed_in_as, row_count):
    mine = post(client, "shared-key").json()
    theirs = post(client, "shared-key", browser="browser-2", body="their own words")
    assert theirs.status_code == 201 and theirs.json()["id"] != mine["id"]
    assert "their own words" in theirs.json()["html"] and "edit_token" in theirs.json()
    token = signed_in_as()
    signed = post(client, "shared-key", bearer=token, body="a signed-in comment")
    assert signed.status_code == 201 and signed.json()["id"] not in (mine["id"], theirs.json()["id"])
    assert row_count("comment") == 3


def test_retries_are_not_charged_to_the_rate_limit(client, ctx, blog, row_count):
    ctx.screens.rate_limiter.items = __import__("limits").parse_many("2/minute")
    assert post(client, "k1").status_code == 201
    for _ in range(5):
        assert post(client, "k1").status_code == 201
    assert post(client, "k2", body="second").status_code == 201
    assert post(client, "k3", body="third").status_code == 429
    assert row_count("comment") == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "two words", "tab\there", "\xe9-latin-1".encode("latin-1")])
def test_a_malformed_key_is_400_and_stores_nothing(client, blog, row_count, key):
    assert_problem(post(client, key), 400)
    assert row_count("comment") == 0


def test_concurrent_tries_with_one_key_make_one_row(ctx, blog, row_count):
    data = CommentCreate.model_validate(comment_payload(body="sent ten times at once"))
    visitor = Visitor(ip_hash="ip-1", client_hash="browser-1")

    def try_once(_: int) -> int:
        posted = comments.post_comment(ctx.commenting, data, visitor, BLOG, idempotency_key="k")
        return posted.comment.id

    with ThreadPoolExecutor(10) as pool:
        ids = set(pool.map(try_once, range(10)))
    assert len(ids) == 1 and row_count("comment") == 1 and row_count("posted_key") == 1


def test_a_key_is_kept_for_a_day_then_a_retry_is_a_new_post(client, ctx, blog, row_count):
    first = post(client, "old-draft")
    with ctx.db.write() as session:  # a day and an hour later
        key = session.get(PostedKey, session.exec(select(PostedKey.key_hash)).one())
        assert key is not None
        key.created -= timedelta(hours=25)
        session.add(key)
    again = post(client, "old-draft")
    assert again.status_code == 409  # no longer a retry: the duplicate layer answers, as without a key
    assert first.status_code == 201 and row_count("comment") == 1
