"""The local spam layers on every write: each refusal explains itself and stores nothing."""

from __future__ import annotations

import time

import pytest

from commentbox.domain import spam
from commentbox.errors import InvalidInput, RateLimited
from commentbox.keys import Keys
from tests.support import ARTICLE, BLOG, TEST_SECRET, comment_payload, form_token


def post(client, **changes):
    return client.post("/api/v1/comments", json=comment_payload(**changes), headers={"Origin": BLOG})


def assert_refused(response, status, *words, field=None):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    for word in words:
        assert word in problem["detail"], problem["detail"]
    if field is not None:
        assert problem["field"] == field
    return problem


# Form token and honeypot -------------------------------------------------------------------


def test_site_config_issues_a_fresh_form_token_that_caches_must_not_share(client, blog):
    response = client.get("/api/v1/sites/blog/config")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    token = response.json()["form_token"]
    assert response.json()["limits"]["min_post_seconds"] == 3
    # The token works for a post... once the form has been on screen long enough.
    refused = post(client, form_token=token)
    problem = assert_refused(refused, 429, "wait")
    assert int(refused.headers["retry-after"]) in (1, 2, 3)
    assert problem["retry_after"] == int(refused.headers["retry-after"])


def test_a_post_after_the_minimum_time_is_accepted(client, blog, row_count):
    response = post(client, form_token=form_token(age_seconds=3.5))
    assert response.status_code == 201, response.text
    assert row_count("comment") == 1


@pytest.mark.parametrize(
    ("token", "words"),
    [
        (None, "not loaded properly"),
        ("", "not loaded properly"),
        ("forged.token.value", "not valid"),
        (form_token(site="other"), "another site"),
        (form_token(age_seconds=3 * 24 * 3600), "expired"),
        (spam.issue_form_token(Keys(b"another-secret-of-sufficient-length"), "blog"), "not valid"),
    ],
)
def test_posts_without_a_valid_form_token_are_refused(client, blog, row_count, token, words):
    assert_refused(post(client, form_token=token), 422, words, "Reload the page", field="form_token")
    assert row_count("comment") == 0
    assert row_count("thread") == 0


def test_a_site_may_switch_the_timing_check_off(client, make_site, row_count):
    make_site("blog", min_post_seconds=0)
    payload = comment_payload()
    del payload["form_token"]
    assert client.post("/api/v1/comments", json=payload, headers={"Origin": BLOG}).status_code == 201


def test_a_filled_honeypot_is_refused(client, blog, row_count):
    assert_refused(post(client, hp="http://spam.example"), 422, "hidden field", field="hp")
    assert row_count("comment") == 0


def test_an_empty_honeypot_is_fine(client, blog):
    assert post(client, hp="").status_code == 201


# Links -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "a http://x.example b https://y.example c www.z.example d https://w.example",
        "[1](https://a.example) [2](https://b.example) [3](https://c.example) [4](https://d.example)",
        "[1](//a.example) [2](//b.example) [3](//c.example) [4](//d.example)",
        "<https://a.example> <https://b.example> <https://c.example> <https://d.example>",
    ],
)
def test_more_links_than_the_site_accepts_are_refused(client, blog, row_count, body):
    assert_refused(post(client, body=body), 422, "4 links", "at most 3 links", field="body")
    assert row_count("comment") == 0


def test_up_to_the_link_limit_is_fine(client, blog):
    body = "see https://a.example, [b](https://b.example) and www.c.example"
    assert post(client, body=body).status_code == 201


def test_a_site_may_accept_no_links_at_all(client, make_site):
    make_site("blog", max_links=0)
    assert_refused(post(client, body="visit www.x.example"), 422, "accepts no links")


@pytest.mark.parametrize(
    "body",
    [
        "https://spam.example/cheap",
        "[Cheap pills, best prices](https://spam.example)",
        "<https://a.example>   www.b.example\n\n//c.example/x !!",
        "**[click](https://spam.example)**",
    ],
)
def test_a_comment_of_nothing_but_links_is_held(client, blog, row_count, body):
    held = post(client, body=body)
    assert held.status_code == 202 and held.json()["status"] == "pending"
    assert (row_count("comment"), published_count(client)) == (1, 0)  # stored, shown to nobody


def published_count(client) -> int:
    return client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE}).json()["thread"]["count"]


def test_a_link_with_words_about_it_is_published(client, blog):
    assert post(client, body="The proof is here: https://a.example/paper").status_code == 201
    assert post(client, body="[This paper](https://a.example/paper) says otherwise").status_code == 201


def test_a_site_may_publish_link_only_comments(client, make_site):
    make_site("blog", hold_link_only=False)
    assert post(client, body="https://a.example/paper").status_code == 201


def test_an_edit_into_nothing_but_a_link_is_held(client, blog):
    posted = post(client).json()
    response = client.patch(
        f"/api/v1/comments/{posted['id']}",
        json={"body": "https://spam.example"},
        headers={"Origin": BLOG, "X-Edit-Token": posted["edit_token"]},
    )
    assert response.status_code == 202 and response.json()["status"] == "pending"
    assert published_count(client) == 0


def test_spam_checks_apply_to_edits_too(client, blog, row_count):
    posted = post(client).json()
    spammy = "now with https://a.example https://b.example https://c.example https://d.example"
    response = client.patch(
        f"/api/v1/comments/{posted['id']}",
        json={"body": spammy},
        headers={"Origin": BLOG, "X-Edit-Token": posted["edit_token"]},
    )
    assert_refused(response, 422, "4 links")
    thread = client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE}).json()
    assert thread["comments"][0]["html"] == "<p>Hello <em>world</em></p>"


# Blocked words and names -------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "Best CASINO in town",
        "Best ｃａｓｉｎｏ in town",  # fullwidth letters
        "Best ca\u200bsino in town",  # a zero-width space inside
        "casino!",
    ],
)
def test_blocked_words_are_refused_however_they_are_disguised(client, make_site, row_count, body):
    make_site("blog", blocked_words=["casino", "cheap pills"])
    assert_refused(post(client, body=body), 422, "“casino”", "does not accept", field="body")
    assert row_count("comment") == 0


def test_blocked_words_match_whole_words_only(client, make_site):
    make_site("blog", blocked_words=["casino"])
    assert post(client, body="Casinos are a topic; occasion is fine").status_code == 201


def test_blocked_phrases_and_other_fields(client, make_site):
    make_site("blog", blocked_words=["cheap pills"])
    assert_refused(post(client, body="Buy  CHEAP pills"), 422, "cheap pills")
    author = {"name": "Cheap Pills", "email": "x@example.com"}
    assert_refused(post(client, body="innocent", author=author), 422, field="author.name")
    website = {
        "name": "Bob",
        "email": "bob@example.com",
        "website": "https://cheap-pills.example/cheap pills",
    }
    assert_refused(post(client, body="innocent too", author=website), 422, "cheap pills")


def test_blocked_names_are_refused(client, make_site, row_count):
    make_site("blog", blocked_names=["admin", "Site Owner"])
    for name in ("Admin", "The admin", "site   owner"):
        author = {"name": name, "email": "eve@example.com"}
        assert_refused(post(client, author=author), 422, "cannot be used", field="author.name")
    assert row_count("comment") == 0
    assert post(client, author={"name": "Administrator", "email": "a@example.com"}).status_code == 201


# Duplicates --------------------------------------------------------------------------------


def test_the_same_text_twice_from_the_same_sender_is_refused(client, blog, row_count):
    assert post(client, body="First!").status_code == 201
    refused = post(client, body="  first! ", author={"name": "Ada", "email": "ada@example.com"})
    assert_refused(refused, 409, "already posted")
    assert row_count("comment") == 1


def test_the_same_text_elsewhere_is_not_a_duplicate(client, blog):
    """ "Thanks!" under two different comments, or on two pages, is ordinary conversation."""
    first = post(client, body="Thanks!").json()
    assert post(client, body="Thanks!", parent=first["id"]).status_code == 201
    assert post(client, body="Thanks!", url=f"{BLOG}/posts/other").status_code == 201


def test_a_signed_out_duplicate_needs_the_same_email(client, blog):
    assert post(client, body="Same words").status_code == 201
    other = {"name": "Ada", "email": "ada@elsewhere.example"}
    assert post(client, body="Same words", author=other).status_code == 201


def test_the_same_text_from_someone_else_is_fine(app, blog):
    from starlette.testclient import TestClient

    with (
        TestClient(app, client=("192.0.2.1", 1000)) as one,
        TestClient(app, client=("192.0.2.2", 1000)) as two,
    ):
        assert post(one, body="Thanks!").status_code == 201
        other = {"name": "Bo", "email": "bo@example.com"}
        assert post(two, body="Thanks!", author=other).status_code == 201


def test_an_edit_into_a_duplicate_is_refused_but_keeping_ones_text_is_not(client, blog):
    first = post(client, body="One").json()
    second = post(client, body="Two").json()
    headers = {"Origin": BLOG, "X-Edit-Token": second["edit_token"]}
    assert_refused(
        client.patch(f"/api/v1/comments/{second['id']}", json={"body": "one"}, headers=headers), 409
    )
    again = client.patch(f"/api/v1/comments/{second['id']}", json={"body": "Two"}, headers=headers)
    assert again.status_code == 200
    assert first["id"] != second["id"]


# Unit: the helpers -------------------------------------------------------------------------


def test_link_only_knows_links_from_words_about_them():
    assert spam.link_only("https://a.example", '<p><a href="https://a.example">https://a.example</a></p>')
    assert spam.link_only("www.a.example", "<p>www.a.example</p>")
    assert not spam.link_only("words only", "<p>words only</p>")  # no link at all: not link-only
    assert not spam.link_only("see www.a.example", "<p>see www.a.example</p>")


def test_link_counting():
    assert spam.count_links("no links here, e.g. a.b", "<p>no</p>") == 0
    assert spam.count_links("http://a.example and HTTPS://B.example", "") == 2
    assert spam.count_links("text", '<p><a href="//x">x</a> <a href="y">y</a></p>') == 2


def test_text_hash_ignores_case_width_and_spacing():
    assert spam.text_hash("Hello  World") == spam.text_hash(" hello world\n")
    assert spam.text_hash("ｈｅｌｌｏ") == spam.text_hash("hello")
    assert spam.text_hash("hello") != spam.text_hash("hello!")


def test_form_token_checks_in_isolation():
    keys = Keys(TEST_SECRET.encode())
    with pytest.raises(InvalidInput, match="expired"):
        spam.check_form_token(keys, "blog", spam.issue_form_token(keys, "blog", issued=0), 3)
    with pytest.raises(RateLimited, match="wait 3 seconds"):
        spam.check_form_token(keys, "blog", spam.issue_form_token(keys, "blog"), 3)
    spam.check_form_token(keys, "blog", spam.issue_form_token(keys, "blog", issued=time.time() - 4), 3)
    spam.check_form_token(keys, "blog", None, 0)  # the check is off


def test_site_owners_set_the_spam_rules_from_the_command_line(monkeypatch, settings, ctx, blog, capsys):
    from commentbox import cli
    from commentbox.store import rows

    monkeypatch.setenv("COMMENTBOX_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("COMMENTBOX_SECRET_KEY", TEST_SECRET)
    code = cli.main(
        [
            "site", "update", "blog", "--max-links", "1", "--min-post-seconds", "5",
            "--blocked-words", "casino,  cheap pills ,", "--blocked-names", "admin",
            "--close-after-days", "90", "--notify-moderators", "all", "--hold-link-only", "off",
            "--thread-write-limits", "20/minute", "--site-write-limits", "off",
            "--new-thread-limits", "5/hour", "--same-text-limits", "10/day",
        ]
    )  # fmt: skip
    assert code == 0
    with ctx.db.read() as session:
        site = rows.site_by_id(session, "blog")
    assert site is not None
    assert (site.max_links, site.min_post_seconds, site.close_after_days) == (1, 5, 90)
    assert site.blocked_words == ["casino", "cheap pills"]
    assert site.blocked_names == ["admin"]
    assert site.notify_moderators == "all"
    assert site.hold_link_only is False
    assert (site.thread_write_limits, site.site_write_limits) == ("20/minute", "off")
    assert (site.new_thread_limits, site.same_text_limits) == ("5/hour", "10/day")
    assert cli.main(["site", "update", "blog", "--max-links", "-1"]) == 1
    assert "max_links" in capsys.readouterr().err
