"""Issue 14's first findings, each reproduced over HTTP: invalid text in addresses, deep
JSON, ids beyond the column range, replies older than their parents, and parent cycles."""

from datetime import timedelta

import pytest
from sqlalchemy.exc import DataError
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from commentbox.domain.schemas import CommentPublic
from commentbox.domain.threads import arrange
from commentbox.http.problems import EXCEPTION_HANDLERS
from commentbox.http.valid_text import valid_address
from commentbox.store import comments, versions
from tests.support import ARTICLE, BLOG, comment_payload
from tests.test_hostile_input import assert_problem, post_raw

THREAD = {"site": "blog", "url": ARTICLE}


@pytest.mark.parametrize(
    "query",
    [
        "site=blog&page_id=%00",
        "site=%00&url=x",
        "site=blog&url=https://blog.example/a%0d%0aSet-Cookie:x",
        "site=blog&page_id=%ff%fe",
        "site=blog&page_id=a%7fb",
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/threads", "/api/v1/counts", "/embed/thread", "/threads/blog"])
def test_invalid_text_in_a_query_is_400_before_any_route(client, blog, path, query):
    problem = assert_problem(client.get(f"{path}?{query}"), 400)
    assert "\x00" not in problem["detail"]


def test_invalid_text_in_a_path_is_400(client, blog):
    assert_problem(client.get("/api/v1/sites/blog%00/config"), 400)
    assert_problem(client.get("/threads/bl%01og", params={"url": ARTICLE}), 400)


def test_a_refused_address_leaves_the_next_readers_alone(client, blog, make_comment):
    make_comment()
    for _ in range(3):
        assert client.get("/api/v1/threads?site=blog&page_id=%00").status_code == 400
    assert client.get("/api/v1/threads", params=THREAD).json()["thread"]["count"] == 1


@pytest.mark.parametrize(
    ("path", "query", "ok"),
    [
        ("/api/v1/threads", b"site=blog&url=https%3A%2F%2Fblog.example%2F%C3%A9t%C3%A9", True),
        ("/api/v1/threads", b"site=blog&page_id=a+b&x", True),
        ("/api/v1/threads", b"site=blog&page_id=%E2%80%AE", True),  # odd but valid text: the domain decides
        ("/api/v1/threads", b"site=blog&page_id=%09", False),
        ("/a\x00b", b"", False),
        ("/a\ud800", b"", False),
    ],
)
def test_valid_address_knows_text_from_bytes(path, query, ok):
    assert valid_address(path, query) is ok


def test_deep_json_is_400_not_a_server_error(client, blog, row_count):
    assert_problem(post_raw(client, b"[" * 5000 + b"]" * 5000), 400)
    assert_problem(post_raw(client, b'{"site": ' + b"[" * 5000 + b"]" * 5000 + b"}"), 400)
    assert row_count("comment") == 0


@pytest.mark.parametrize("parent", [2**31, 2**63, 2**64, 10**30])
def test_a_parent_beyond_any_id_is_refused(client, blog, row_count, parent):
    response = client.post("/api/v1/comments", json=comment_payload(parent=parent), headers={"Origin": BLOG})
    assert_problem(response, 422, "parent")
    assert row_count("comment") == 0


@pytest.mark.parametrize("comment_id", [str(2**31), str(2**63), "9" * 30])
def test_ids_beyond_the_column_range_in_paths_are_not_found(client, blog, comment_id):
    assert_problem(client.get(f"/api/v1/comments/{comment_id}"), 404)
    assert_problem(client.delete(f"/api/v1/comments/{comment_id}", headers={"Origin": BLOG}), 404)
    vote = client.post(f"/api/v1/comments/{comment_id}/vote", json={"value": 1}, headers={"Origin": BLOG})
    assert vote.status_code in (401, 404), vote.text  # never a 5xx


def test_a_value_the_database_refuses_is_a_422_with_one_sentence():
    async def refuse(request):
        raise DataError("INSERT …", {"secret": "value"}, Exception("value out of range"))

    app = Starlette(routes=[Route("/", refuse)], exception_handlers=EXCEPTION_HANDLERS)
    with TestClient(app) as client:
        problem = assert_problem(client.get("/"), 422)
    assert "secret" not in problem["detail"] and "range" not in problem["detail"]


def test_a_reply_stamped_before_its_parent_keeps_its_thread_readable(client, ctx, blog, make_comment):
    parent = make_comment()
    reply = make_comment(parent=parent["id"])
    with ctx.db.write() as session:  # the replying machine's clock was an hour behind
        row = comments.comment_by_id(session, reply["id"])
        older = comments.comment_by_id(session, parent["id"])
        assert row is not None and older is not None
        row.created = older.created - timedelta(hours=1)
        session.add(row)
        versions.touch_thread(session, row.thread_id)
    page = client.get("/api/v1/threads", params=THREAD)
    assert page.status_code == 200, page.text
    top = page.json()["comments"]
    assert [c["id"] for c in top] == [parent["id"]]
    assert [c["id"] for c in top[0]["replies"]] == [reply["id"]]


def _public(comment_id: int, parent: int | None, minutes: int) -> CommentPublic:
    from datetime import UTC, datetime

    return CommentPublic.model_validate(
        {
            "id": comment_id,
            "parent": parent,
            "thread": 1,
            "author": {"name": f"n{comment_id}", "avatar": None, "provider": None},
            "html": "<p>x</p>",
            "created": datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes),
            "edited": None,
            "score": 0,
            "status": None,
            "deleted": False,
            "pinned": False,
        }
    )


def test_arrangement_takes_any_order_and_cuts_cycles():
    reply_first = [_public(2, 1, 0), _public(1, None, 5), _public(3, 2, 6)]
    top = arrange(reply_first, max_depth=5)
    assert [c.id for c in top] == [1]
    assert [c.id for c in top[0].replies] == [2] and [c.id for c in top[0].replies[0].replies] == [3]

    cycle = [_public(4, 5, 0), _public(5, 4, 1), _public(6, 6, 2), _public(7, None, 3)]
    top = arrange(cycle, max_depth=5)
    assert sorted(c.id for c in top) == [4, 6, 7]  # the cycle cut at its first comment
    assert [c.id for c in next(c for c in top if c.id == 4).replies] == [5]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("body", "\u200b\u200d\u2060 \u00ad\ufeff"),  # nothing a reader could see
        ("body", "\u200c\n\u200d\t"),
        ("url", f"{ARTICLE}\r\nX-Injected: 1"),
        ("page_id", "post\n1"),
        ("site", "blog\t"),
    ],
)
def test_invisible_bodies_and_control_characters_in_one_line_fields_are_refused(
    client, blog, row_count, field, value
):
    payload = comment_payload(**{field: value})
    response = client.post("/api/v1/comments", json=payload, headers={"Origin": BLOG})
    assert_problem(response, 422, field)
    assert row_count("comment") == 0


def test_a_website_with_a_line_break_is_refused(client, blog, row_count):
    author = {"name": "Ada", "email": "ada@example.com", "website": "https://ada.example/\r\nSet-Cookie: x"}
    response = client.post("/api/v1/comments", json=comment_payload(author=author), headers={"Origin": BLOG})
    assert_problem(response, 422, "author.website")
    assert row_count("comment") == 0


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("Ada 👩\u200d💻", "Ada 👩\u200d💻"),  # an emoji sequence keeps its joiner
        ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),
        ("می\u200cخواهم", "می\u200cخواهم"),  # Persian needs its non-joiner
        ("A\u200dda", "Ada"),  # between Latin letters a joiner only disguises a name
        ("\u200dAda\u200c", "Ada"),
    ],
)
def test_names_keep_the_joiners_emoji_and_scripts_need(given, kept):
    from commentbox.domain.text import clean_name

    assert clean_name(given) == kept
