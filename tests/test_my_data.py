""" "My data" over HTTP: the JSON API with a bearer, the one-time ticket, and the /me page's
forms — and everything a stranger tries: another site's token, a forged or replayed ticket,
a form from another site, another person's session."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from itsdangerous import URLSafeTimedSerializer

from commentbox.admin import actions
from commentbox.domain import page_tickets
from tests.support import BLOG, SAME_ORIGIN, TEST_SECRET
from tests.test_erasure import bearer, post, rows, sign_in, subscribe

ERASE = {"site": "blog", "confirm": "erase"}


@pytest.fixture
def ada(ctx: Any, blog: Any) -> str:
    return sign_in(ctx, "g-ada", "Ada King", email="ada@example.com")


def open_page(client: Any, token: str, site: str = "blog") -> Any:
    """What the widget does for "Your comments and data": a ticket, then the page with it."""
    link = client.post("/api/v1/me/page", json={"site": site}, headers=bearer(token))
    assert link.status_code == 200, link.text
    url = urlsplit(link.json()["url"])
    assert url.path == "/me"
    opened = client.get(f"/me?{url.query}", follow_redirects=False)
    assert opened.status_code == 303, opened.text
    assert opened.headers["location"] == f"/me?site={site}"
    cookie = opened.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Path=/me" in cookie and "SameSite=lax" in cookie
    return client.get(opened.headers["location"])


def csrf(page: Any) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert found, page.text
    return found.group(1)


def test_the_data_document_holds_everything_of_theirs_and_nothing_of_anyone_else(client, ctx, ada):
    held_later = post(client, body="Ada writes **this**", token=ada)
    other = post(client, body="Bob's words", author={"name": "Bob", "email": "bob@example.com"})
    subscribe(ctx, held_later["id"], "ada@example.com", user_id=rows(ctx, 'SELECT id FROM "user"')[0][0])
    client.post(f"/api/v1/comments/{other['id']}/vote", json={"value": -1}, headers=bearer(ada))
    # A moderator marks it as spam since: its text is still stored, and theirs to see.
    actions.apply(
        ctx.moderation, actions.Moderator("root", None, None), [held_later["id"]], actions.Action.SPAM
    )

    response = client.get("/api/v1/me/data", params={"site": "blog"}, headers=bearer(ada))

    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    data = response.json()
    assert data["site"] == "blog" and data["identity"]["email"] == "ada@example.com"
    assert [(c["id"], c["status"], c["body"]) for c in data["comments"]] == [
        (held_later["id"], "spam", "Ada writes **this**")
    ]
    assert [(v["comment"], v["value"]) for v in data["votes"]] == [(other["id"], -1)]
    assert [s["comment"] for s in data["subscriptions"]] == [held_later["id"]]
    assert [s["current"] for s in data["sessions"]] == [True]
    assert "Bob" not in response.text and "bob@example.com" not in response.text


def test_a_token_of_another_site_a_foreign_origin_or_a_forged_token_reads_and_erases_nothing(
    client, ctx, make_site, ada
):
    make_site("shop", origins=("https://shop.example",))
    post(client, body="mine", token=ada)
    on_shop = sign_in(ctx, "g-ada", "Ada King", site="shop")
    forged = URLSafeTimedSerializer(b"not-our-secret-at-all", salt="commentbox.session").dumps(
        {"s": "x", "site": "blog"}
    )
    attempts = [
        ({**bearer(on_shop)}, "blog"),  # shop's token, for the blog
        ({**bearer(ada)}, "shop"),  # the blog's token, for the shop
        ({**bearer(ada), "Origin": "https://evil.example"}, "blog"),  # a page of another site
        ({**bearer(forged)}, "blog"),
        ({"Origin": BLOG}, "blog"),  # no token at all
    ]
    for headers, site in attempts:
        assert client.get("/api/v1/me/data", params={"site": site}, headers=headers).status_code == 401
        erase = client.post("/api/v1/me/erase", json={"site": site, "confirm": "erase"}, headers=headers)
        assert erase.status_code == 401, (headers, site)
        assert erase.headers["content-type"] == "application/problem+json"
    assert rows(ctx, "SELECT count(*) FROM comment")[0][0] == 1
    assert rows(ctx, "SELECT count(*) FROM erasure")[0][0] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"site": "blog"},
        {"site": "blog", "confirm": "yes"},
        {"site": "blog", "confirm": ["erase"]},
        {"site": "", "confirm": "erase"},
        {"site": "b" * 65, "confirm": "erase"},
        {"confirm": "erase"},
        ["site", "blog"],
    ],
)
def test_an_erasure_without_its_confirmation_is_refused(client, ctx, ada, body):
    post(client, body="mine", token=ada)
    response = client.post("/api/v1/me/erase", json=body, headers=bearer(ada))
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert rows(ctx, "SELECT count(*) FROM comment")[0][0] == 1


@pytest.mark.parametrize(
    ("content", "kind"),
    [(b"{not json", "application/json"), (b"x" * 70_000, "application/json"), (b"site=blog", "text/plain")],
)
def test_a_body_that_is_not_the_documented_json_is_a_problem(client, ctx, ada, content, kind):
    post(client, body="mine", token=ada)
    for path in ("/api/v1/me/erase", "/api/v1/me/page"):
        response = client.post(path, content=content, headers={**bearer(ada), "Content-Type": kind})
        assert response.status_code in (400, 413, 415, 422), (path, response.status_code)
        assert response.headers["content-type"] == "application/problem+json"
    assert rows(ctx, "SELECT count(*) FROM comment")[0][0] == 1


def test_an_erasure_cannot_be_replayed(client, ctx, ada):
    post(client, body="mine", token=ada)
    assert client.post("/api/v1/me/erase", json=ERASE, headers=bearer(ada)).status_code == 200
    assert client.post("/api/v1/me/erase", json=ERASE, headers=bearer(ada)).status_code == 401
    assert rows(ctx, "SELECT count(*) FROM erasure")[0][0] == 1


def test_the_page_lists_their_data_escaped_and_downloads_it(client, ctx, ada):
    post(client, body="<script>alert(1)</script> and <b>bold</b>", token=ada)
    page = open_page(client, ada)
    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "Ada King" in page.text and "this browser" in page.text

    download = client.get("/me/data.json", params={"site": "blog"})
    assert download.status_code == 200
    assert download.headers["content-disposition"] == 'attachment; filename="commentbox-blog-my-data.json"'
    assert download.json()["comments"][0]["body"].startswith("<script>")


def test_a_ticket_works_once_only_on_its_site_and_not_forged_or_late(client, ctx, make_site, ada):
    make_site("shop", origins=("https://shop.example",))
    link = client.post("/api/v1/me/page", json={"site": "blog"}, headers=bearer(ada)).json()["url"]
    ticket = parse_qs(urlsplit(link).query)["ticket"][0]
    assert (
        client.get("/me", params={"site": "shop", "ticket": ticket}, follow_redirects=False).status_code
        == 401
    )
    assert (
        client.get("/me", params={"site": "blog", "ticket": ticket}, follow_redirects=False).status_code
        == 303
    )
    client.cookies.clear()
    replay = client.get("/me", params={"site": "blog", "ticket": ticket}, follow_redirects=False)
    assert replay.status_code == 401 and "used already" in replay.text

    class Then(URLSafeTimedSerializer):
        def get_timestamp(self) -> int:  # type: ignore[override]
            return 1_000_000  # 1970: long expired

    late = Then(TEST_SECRET.encode(), salt=page_tickets.TICKET_SALT).dumps(
        {"s": "x", "site": "blog", "n": "1"}
    )
    forged = URLSafeTimedSerializer(b"guessed", salt=page_tickets.TICKET_SALT).dumps(
        {"s": "x", "site": "blog"}
    )
    for bad in (late, forged, "nonsense", "x" * 5000):
        assert (
            client.get("/me", params={"site": "blog", "ticket": bad}, follow_redirects=False).status_code
            == 401
        )
    assert client.get("/me", params={"site": "blog"}).status_code == 401  # no cookie: how to get here


def test_unsubscribe_and_erase_from_the_page(client, ctx, ada):
    mine = post(client, body="mine", token=ada)
    subscribe(ctx, mine["id"], "ada@example.com", user_id=rows(ctx, 'SELECT id FROM "user"')[0][0])
    page = open_page(client, ada)
    form = {"site": "blog", "csrf": csrf(page)}
    headers = {**SAME_ORIGIN, "Content-Type": "application/x-www-form-urlencoded"}

    done = client.post("/me/unsubscribe", data=form, headers=headers)
    assert done.status_code == 200 and "no more reply notifications" in done.text
    assert rows(ctx, "SELECT count(*) FROM subscription")[0][0] == 0

    unconfirmed = client.post("/me/erase", data=form, headers=headers)
    assert unconfirmed.status_code == 422 and rows(ctx, "SELECT count(*) FROM comment")[0][0] == 1
    erased = client.post("/me/erase", data={**form, "confirm": "erase"}, headers=headers)
    assert erased.status_code == 200 and "Erased: 1 comment(s)" in erased.text
    assert 'commentbox_me=""' in erased.headers["set-cookie"]
    assert rows(ctx, "SELECT count(*) FROM comment")[0][0] == 0
    assert client.get("/me", params={"site": "blog"}).status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "null"},
    ],
)
def test_a_form_from_another_site_erases_nothing(client, ctx, ada, headers):
    post(client, body="mine", token=ada)
    page = open_page(client, ada)
    form = {"site": "blog", "csrf": csrf(page), "confirm": "erase"}
    response = client.post(
        "/me/erase", data=form, headers={**headers, "Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 403
    assert rows(ctx, "SELECT count(*) FROM comment")[0][0] == 1


def test_a_form_without_the_pages_token_or_after_sign_out_does_nothing(client, ctx, ada):
    post(client, body="mine", token=ada)
    page = open_page(client, ada)
    headers = {**SAME_ORIGIN, "Content-Type": "application/x-www-form-urlencoded"}
    wrong = client.post(
        "/me/erase", data={"site": "blog", "csrf": "0" * 64, "confirm": "erase"}, headers=headers
    )
    assert wrong.status_code == 403
    token = csrf(page)
    here = re.search(r'name="session" value="([0-9a-f]+)"', page.text)
    assert here
    out = client.post(
        "/me/sessions/sign-out",
        data={"site": "blog", "csrf": token, "session": here.group(1)},
        headers=headers,
    )
    assert out.status_code == 200 and "You are signed out" in out.text
    assert client.get("/api/v1/me", params={"site": "blog"}, headers=bearer(ada)).status_code == 401
    client.cookies.set("commentbox_me", ada, path="/me")  # the old cookie, replayed
    again = client.post(
        "/me/erase", data={"site": "blog", "csrf": token, "confirm": "erase"}, headers=headers
    )
    assert again.status_code == 401
    assert rows(ctx, "SELECT count(*) FROM comment")[0][0] == 1


def test_one_session_signs_out_another_of_theirs_but_never_someone_elses(client, ctx, ada):
    phone = sign_in(ctx, "g-ada", "Ada King")
    bob = sign_in(ctx, "g-bob", "Bob")
    page = open_page(client, ada)
    handles = re.findall(r'name="session" value="([0-9a-f]+)"', page.text)
    assert len(handles) == 2
    bobs_page = client.get("/api/v1/me/data", params={"site": "blog"}, headers=bearer(bob)).json()
    headers = {**SAME_ORIGIN, "Content-Type": "application/x-www-form-urlencoded"}
    form = {"site": "blog", "csrf": csrf(page)}

    stranger = client.post(
        "/me/sessions/sign-out", data={**form, "session": bobs_page["sessions"][0]["id"]}, headers=headers
    )
    assert stranger.status_code == 404
    assert client.get("/api/v1/me", params={"site": "blog"}, headers=bearer(bob)).status_code == 200

    phone_handle = next(h for h in handles if f'value="{h}"' in page.text and h != _current(page))
    done = client.post("/me/sessions/sign-out", data={**form, "session": phone_handle}, headers=headers)
    assert done.status_code == 200 and "That sign-in has ended" in done.text
    assert client.get("/api/v1/me", params={"site": "blog"}, headers=bearer(phone)).status_code == 401
    assert client.get("/api/v1/me", params={"site": "blog"}, headers=bearer(ada)).status_code == 200


def _current(page: Any) -> str:
    """The handle of the row marked "this browser"."""
    row = next(r for r in page.text.split('<tr class="my-session">') if "this browser" in r)
    found = re.search(r'name="session" value="([0-9a-f]+)"', row)
    assert found
    return found.group(1)
