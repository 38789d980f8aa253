"""The comment API as a guest uses it: post, reply, edit, delete, vote, read."""

from datetime import timedelta

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from commentbox.store.models import Comment
from tests.support import ARTICLE, BLOG, comment_payload

ORIGIN = {"Origin": BLOG}


def read(client, **params):
    response = client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE, **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_posting_answers_the_public_shape_without_email_or_ip(client, blog):
    response = client.post("/api/v1/comments", json=comment_payload(), headers=ORIGIN)
    assert response.status_code == 201
    comment = response.json()
    assert comment["author"]["name"] == "Ada"
    assert comment["author"]["provider"] is None
    assert comment["author"]["avatar"].startswith("http://testserver/avatars/")
    assert comment["html"] == "<p>Hello <em>world</em></p>"
    assert comment["edit_token"] and comment["edit_until"]
    assert "ada@example.com" not in response.text
    assert "testclient" not in response.text  # the peer address never appears


def test_a_thread_is_created_on_first_comment_and_counts_it(client, make_comment):
    assert read(client)["thread"] == {
        "id": None, "site": "blog", "url": "https://blog.example/posts/hello", "page_id": None,
        "title": "", "count": 0, "locked": False,
    }  # fmt: skip
    make_comment(title="Hello")
    thread = read(client)["thread"]
    assert thread["count"] == 1 and thread["title"] == "Hello"


def test_spellings_of_one_page_share_its_thread(client, make_comment):
    make_comment(url="HTTPS://BLOG.example:443/posts/hello#top")
    make_comment(url="https://blog.example/posts/hello?utm_source=feed")
    assert read(client)["thread"]["count"] == 2


def test_page_id_keys_the_thread_whatever_the_url(client, make_comment):
    make_comment(page_id="post-17", url="https://blog.example/old-address")
    make_comment(page_id="post-17", url="https://blog.example/new-address")
    page = client.get("/api/v1/threads", params={"site": "blog", "page_id": "post-17"}).json()
    assert page["thread"]["count"] == 2
    assert read(client)["thread"]["count"] == 0


def test_replies_nest_and_deep_replies_hang_at_the_depth_cap(client, make_comment, settings):
    parent = make_comment()
    chain = [parent]
    for depth in range(2, settings.max_depth + 3):
        chain.append(make_comment(parent=chain[-1]["id"], author={"name": f"P{depth}", "email": "p@x.io"}))
    node = read(client)["comments"][0]
    for expected_depth in range(2, settings.max_depth + 1):
        assert len(node["replies"]) >= 1
        node = node["replies"][0]
        assert node["author"]["name"] == f"P{expected_depth}"
    # node is at the cap; the two deeper replies sit beside it, marked with whom they answer
    siblings = read(client)["comments"][0]
    for _ in range(settings.max_depth - 2):
        siblings = siblings["replies"][0]
    names = [(r["author"]["name"], (r["in_reply_to"] or {}).get("name")) for r in siblings["replies"]]
    cap = settings.max_depth
    assert names == [(f"P{cap}", None), (f"P{cap + 1}", f"P{cap}"), (f"P{cap + 2}", f"P{cap + 1}")]


def test_a_reply_to_a_comment_of_another_thread_is_refused(client, make_comment, row_count):
    other = make_comment(url=f"{BLOG}/other")
    response = client.post("/api/v1/comments", json=comment_payload(parent=other["id"]), headers=ORIGIN)
    assert response.status_code == 422
    assert response.json()["field"] == "parent"
    assert row_count("comment") == 1


def test_guest_edits_with_the_edit_token_inside_the_window(client, make_comment):
    posted = make_comment()
    response = client.patch(
        f"/api/v1/comments/{posted['id']}",
        json={"body": "Fixed **typo**"},
        headers={**ORIGIN, "X-Edit-Token": posted["edit_token"]},
    )
    assert response.status_code == 200, response.text
    assert response.json()["html"] == "<p>Fixed <strong>typo</strong></p>"
    assert response.json()["edited"] is not None
    assert read(client)["comments"][0]["html"] == "<p>Fixed <strong>typo</strong></p>"


def test_an_edit_token_opens_only_its_own_comment(client, make_comment):
    first, second = make_comment(), make_comment()
    response = client.patch(
        f"/api/v1/comments/{second['id']}", json={"body": "hijack"},
        headers={**ORIGIN, "X-Edit-Token": first["edit_token"]},
    )  # fmt: skip
    assert response.status_code == 403
    assert client.delete(f"/api/v1/comments/{second['id']}", headers=ORIGIN).status_code == 403


def test_a_reused_row_id_does_not_honour_an_old_token(client, make_comment, ctx):
    posted = make_comment()
    with ctx.db.write() as session:  # same id, new comment: a fresh random nonce
        session.exec(update(Comment).where(Comment.id == posted["id"]).values(nonce="f" * 32))
    response = client.patch(
        f"/api/v1/comments/{posted['id']}", json={"body": "x"},
        headers={**ORIGIN, "X-Edit-Token": posted["edit_token"]},
    )  # fmt: skip
    assert response.status_code == 403


def test_the_edit_window_closes(client, make_comment, ctx, blog):
    from commentbox.domain import sites

    sites.update_site(ctx.db, "blog", edit_window_seconds=1)
    posted = make_comment()
    import time

    time.sleep(2.1)
    response = client.patch(
        f"/api/v1/comments/{posted['id']}", json={"body": "late"},
        headers={**ORIGIN, "X-Edit-Token": posted["edit_token"]},
    )  # fmt: skip
    assert response.status_code == 403
    assert "edit window" in response.json()["detail"]


def test_deleting_a_comment_with_replies_leaves_an_anonymous_tombstone(client, make_comment, ctx):
    parent = make_comment(body="secret words")
    make_comment(parent=parent["id"], author={"name": "Bob", "email": "bob@example.com"})
    response = client.delete(
        f"/api/v1/comments/{parent['id']}", headers={**ORIGIN, "X-Edit-Token": parent["edit_token"]}
    )
    assert response.status_code == 204
    page = read(client)
    tombstone = page["comments"][0]
    assert tombstone["deleted"] is True and tombstone["html"] == ""
    assert tombstone["author"]["name"] is None
    assert tombstone["replies"][0]["author"]["name"] == "Bob"
    assert page["thread"]["count"] == 1
    with ctx.db.read() as session:
        row = session.get(Comment, parent["id"])
        assert row.body == "" and row.author_email is None and row.author_name == ""


def test_deleting_a_lone_comment_removes_it(client, make_comment, row_count):
    posted = make_comment()
    response = client.delete(
        f"/api/v1/comments/{posted['id']}", headers={**ORIGIN, "X-Edit-Token": posted["edit_token"]}
    )
    assert response.status_code == 204
    assert row_count("comment") == 0
    assert read(client)["thread"]["count"] == 0
    again = client.delete(
        f"/api/v1/comments/{posted['id']}", headers={**ORIGIN, "X-Edit-Token": posted["edit_token"]}
    )
    assert again.status_code == 404


def vote(client, comment_id, value, browser="b1", **headers):
    return client.post(
        f"/api/v1/comments/{comment_id}/vote",
        json={"value": value},
        headers={**ORIGIN, "X-Commentbox-Client": browser, **headers},
    )


@pytest.fixture
def at(app):
    """A client at another address than the authors' (``make_comment`` posts as "testclient")."""
    opened = []

    def client_at(address: str) -> TestClient:
        opened.append(TestClient(app, base_url="http://testserver", client=(address, 4000)))
        return opened[-1]

    yield client_at
    for test_client in opened:
        test_client.close()


def test_one_vote_per_person_and_top_sort(client, make_comment, at):
    first, second = make_comment(body="first"), make_comment(body="second")
    one, two = at("198.51.100.1"), at("198.51.100.2")
    assert vote(one, second["id"], 1).json() == {"score": 1, "value": 1}
    assert vote(one, second["id"], 1).json()["score"] == 1  # the same person: still one vote
    assert vote(two, second["id"], 1).json()["score"] == 2
    assert vote(one, first["id"], -1).json()["score"] == -1
    assert vote(one, first["id"], 0).json()["score"] == 0  # withdrawn
    assert [c["id"] for c in read(client, sort="top")["comments"]] == [second["id"], first["id"]]
    assert vote(one, first["id"], 2).status_code == 422


def test_forged_browser_tokens_and_forwarded_addresses_do_not_stuff_votes(make_comment, at, row_count):
    """The browser token and X-Forwarded-For are the client's to choose (no proxy is trusted
    here): a fresh value per request is still the same person, with the same one vote."""
    posted = make_comment()
    stuffer = at("203.0.113.7")
    for n in range(20):
        answer = vote(stuffer, posted["id"], 1, browser=f"forged-{n}", **{"X-Forwarded-For": f"10.0.0.{n}"})
        assert answer.json()["score"] == 1
    assert row_count("vote") == 1


def test_authors_cannot_vote_on_their_own_comments(client, blog, at, signed_in_as, row_count):
    refused = "You cannot vote on your own comment."
    guest = client.post(
        "/api/v1/comments",
        json=comment_payload(body="a guest's"),
        headers={**ORIGIN, "X-Commentbox-Client": "ada-browser"},
    ).json()
    same_browser = vote(client, guest["id"], 1, browser="ada-browser")
    assert same_browser.status_code == 403 and same_browser.json()["detail"] == refused
    # A new token from the author's address: a guest is known by the address too.
    assert vote(client, guest["id"], 1, browser="fresh-token").status_code == 403
    # The author's browser on another network (a phone leaving the Wi-Fi) is still the author.
    assert vote(at("198.51.100.9"), guest["id"], 1, browser="ada-browser").status_code == 403
    # Signed in from the browser that wrote it as a guest: still the author.
    token = signed_in_as()
    signed_in_same_browser = vote(at("198.51.100.10"), guest["id"], 1, browser="ada-browser",
                                  Authorization=f"Bearer {token}")  # fmt: skip
    assert signed_in_same_browser.status_code == 403

    user_comment = client.post(
        "/api/v1/comments",
        json=comment_payload(body="a signed-in author's", author=None),
        headers={**ORIGIN, "Authorization": f"Bearer {token}"},
    ).json()
    from_elsewhere = vote(at("198.51.100.11"), user_comment["id"], 1, browser="other",
                          Authorization=f"Bearer {token}")  # fmt: skip
    assert from_elsewhere.status_code == 403 and from_elsewhere.json()["detail"] == refused
    assert row_count("vote") == 0
    # Anyone else may.
    assert vote(at("198.51.100.12"), guest["id"], 1).json()["score"] == 1
    assert vote(at("198.51.100.12"), user_comment["id"], 1).json()["score"] == 1
    assert row_count("vote") == 2


def test_guests_behind_one_address_share_one_vote_and_signing_in_gives_each_their_own(
    make_comment, at, signed_in_as, row_count
):
    """The trade-off of a vote per address: neighbours behind one NAT are one guest voter
    (the later vote replaces the earlier), and cannot vote as guests on a comment written
    from their address. Signed in, each votes for themself."""
    posted = make_comment()
    office = "192.0.2.50"
    assert vote(at(office), posted["id"], 1, browser="alice").json()["score"] == 1
    assert vote(at(office), posted["id"], -1, browser="bob").json()["score"] == -1
    assert row_count("vote") == 1
    bob = signed_in_as("g-bob", "Bob")
    assert vote(at(office), posted["id"], 1, Authorization=f"Bearer {bob}").json()["score"] == 0
    assert row_count("vote") == 2

    from_the_office = (
        at(office)
        .post("/api/v1/comments", json=comment_payload(body="from the office"), headers=ORIGIN)
        .json()
    )
    neighbour = vote(at(office), from_the_office["id"], 1, browser="carol")
    assert neighbour.status_code == 403
    assert vote(at(office), from_the_office["id"], 1, Authorization=f"Bearer {bob}").json()["score"] == 1


def test_sorts_and_cursor_pagination_of_top_level_comments(client, make_comment):
    ids = [make_comment(body=f"c{i}")["id"] for i in range(5)]
    make_comment(parent=ids[0], body="reply")
    assert [c["id"] for c in read(client, sort="newest")["comments"]] == ids[::-1]
    first = read(client, limit=2)
    assert [c["id"] for c in first["comments"]] == ids[:2]
    assert first["comments"][0]["replies"][0]["html"] == "<p>reply</p>"
    second = read(client, limit=2, cursor=first["next"])
    third = read(client, limit=2, cursor=second["next"])
    assert [c["id"] for c in second["comments"] + third["comments"]] == ids[2:]
    assert third["next"] is None
    bad = client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE, "cursor": "bm9wZQ"})
    assert bad.status_code == 422


def test_etag_changes_with_every_change_and_answers_304(client, make_comment, at):
    posted = make_comment()
    first = client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE})
    etag = first.headers["etag"]
    again = client.get(
        "/api/v1/threads", params={"site": "blog", "url": ARTICLE}, headers={"If-None-Match": etag}
    )
    assert again.status_code == 304 and again.content == b""
    assert vote(at("198.51.100.1"), posted["id"], 1).status_code == 200
    changed = client.get(
        "/api/v1/threads", params={"site": "blog", "url": ARTICLE}, headers={"If-None-Match": etag}
    )
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["comments"][0]["score"] == 1


def test_counts_for_many_pages_in_one_request(client, make_comment):
    make_comment()
    make_comment(url="https://blog.example/posts/hello?utm_medium=x")
    make_comment(url=f"{BLOG}/other")
    urls = [f"{BLOG}/posts/hello/", f"{BLOG}/other", f"{BLOG}/never", "not a url"]
    response = client.get("/api/v1/counts", params={"site": "blog", "url": urls})
    assert response.json() == {"counts": {urls[0]: 2, urls[1]: 1, urls[2]: 0, urls[3]: 0}}
    too_many = client.get(
        "/api/v1/counts", params={"site": "blog", "url": [f"{BLOG}/{i}" for i in range(101)]}
    )
    assert too_many.status_code == 422


def test_site_config_tells_the_widget_what_it_needs(client, blog):
    config = client.get("/api/v1/sites/blog/config").json()
    assert config["site"] == "blog" and config["moderation"] == "none"
    assert config["edit_window_seconds"] == 900
    assert config["limits"]["body_chars"] == 10_000
    assert client.get("/api/v1/sites/nope/config").status_code == 404


def test_preview_renders_without_storing(client, blog, row_count):
    response = client.post("/api/v1/preview", json={"site": "blog", "body": "*hi* <script>x</script>"})
    assert response.json() == {"html": "<p><em>hi</em> &lt;script&gt;x&lt;/script&gt;</p>"}
    assert row_count("comment") == 0 and row_count("thread") == 0


def test_me_without_a_session_is_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("window", [timedelta(minutes=15)])
def test_edit_until_reflects_the_site_window(make_comment, window):
    from datetime import datetime

    posted = make_comment()
    created = datetime.fromisoformat(posted["created"])
    assert datetime.fromisoformat(posted["edit_until"]) - created == window
