"""Atom feeds: a site's and a thread's newest published comments, as they read now, well-formed
whatever commenters typed (every catalogue payload, parsed by feedparser and by defusedxml),
cached with an ETag, discoverable from the no-JavaScript page, and off when a site says so."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import defusedxml.ElementTree as SafeXML
import feedparser
import pytest
from starlette.testclient import TestClient

from commentbox.admin import moderators
from commentbox.domain import sites
from commentbox.domain.feeds import FEED_ENTRIES
from commentbox.domain.text import clean_name
from commentbox.store.models import ModerationMode
from tests.support import ARTICLE, BLOG, SAME_ORIGIN
from tests.xss import PAYLOADS, executable_parts

ATOM = "{http://www.w3.org/2005/Atom}"
ORIGIN = {"Origin": BLOG}
ATOM_ELEMENTS = {
    *("feed", "id", "title", "updated", "link", "author", "name", "uri", "generator"),
    *("entry", "published", "content"),
}
OTHER = f"{BLOG}/posts/other/"
PAGE, OTHER_PAGE = ARTICLE.rstrip("/"), OTHER.rstrip("/")  # as canonicalized


def parsed(response: Any) -> feedparser.FeedParserDict:
    """The feed read by an XML parser that refuses entities and DTDs, and by feedparser
    (which would say ``bozo`` on anything that is not well-formed)."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    root = SafeXML.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def feed_of(client: TestClient, **params: str) -> feedparser.FeedParserDict:
    return parsed(client.get("/feeds/blog.atom", params=params))


def test_the_site_feed_lists_published_comments_newest_first(client, make_comment):
    first = make_comment(body="First *words*")
    second = make_comment(url=OTHER, title="Another post", body="Second")
    feed = feed_of(client)
    assert feed.feed.title == "Comments on blog"
    assert [e.id for e in feed.entries] == [
        f"tag:testserver,{datetime.now(UTC):%Y-%m-%d}:blog/comment/{c['id']}" for c in (second, first)
    ]
    newest, oldest = feed.entries
    assert newest.title == "Ada on Another post"
    assert newest.link == f"{OTHER_PAGE}#comment-{second['id']}"
    assert oldest.content[0].value == first["html"] == "<p>First <em>words</em></p>"
    assert oldest.content[0].type == "text/html"
    assert oldest.author == "Ada"
    assert feed.feed.updated == newest.updated
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {"alternate": f"{BLOG}/", "self": "http://testserver/feeds/blog.atom"}


def test_a_thread_feed_holds_only_that_thread(client, make_comment):
    mine = make_comment()
    make_comment(url=OTHER)
    feed = feed_of(client, url=ARTICLE)
    assert [e.link for e in feed.entries] == [f"{PAGE}#comment-{mine['id']}"]
    assert feed.entries[0].title == "Ada"
    assert feed.feed.title == f"Comments on {PAGE}"
    assert feed.feed.id.endswith(f":blog/thread/{mine['thread']}")
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["alternate"] == PAGE
    assert links["self"] == "http://testserver/feeds/blog.atom?url=https%3A%2F%2Fblog.example%2Fposts%2Fhello"


def test_a_page_known_by_its_id_has_a_feed_pointing_at_the_plain_page(client, make_comment):
    posted = make_comment(url=None, page_id="post-7", title="Seven")
    feed = feed_of(client, page_id="post-7")
    assert feed.feed.title == "Comments on Seven"
    assert feed.entries[0].link == f"http://testserver/threads/blog?page_id=post-7#comment-{posted['id']}"


def test_the_feed_shows_comments_as_they_read_now(client, make_comment, ctx, blog):
    kept = make_comment(body="Before the edit")
    removed = make_comment()
    sites.update_site(ctx.db, "blog", moderation=ModerationMode.ALL)
    held = make_comment(body="Waiting for a moderator")
    assert held["status"] == "pending"
    edited = client.patch(
        f"/api/v1/comments/{kept['id']}",
        json={"body": "After the edit"},
        headers={**ORIGIN, "X-Edit-Token": kept["edit_token"]},
    )
    assert edited.status_code == 200
    gone = client.delete(
        f"/api/v1/comments/{removed['id']}", headers={**ORIGIN, "X-Edit-Token": removed["edit_token"]}
    )
    assert gone.status_code == 204
    for feed in (feed_of(client), feed_of(client, url=ARTICLE)):
        (entry,) = feed.entries
        assert entry.id.endswith(f"/comment/{kept['id']}")
        assert entry.content[0].value == "<p>After the edit</p>"
        assert entry.updated != entry.published


def test_a_feed_carries_no_email_or_address(client, make_comment, ctx):
    make_comment(author={"name": "Ada", "email": "ada.secret@example.com", "website": "https://ada.example/"})
    response = client.get("/feeds/blog.atom")
    assert b"ada.secret" not in response.content
    with ctx.db.read() as session:
        (ip_hash,) = session.connection().exec_driver_sql("SELECT ip_hash FROM comment").one()
    assert ip_hash and ip_hash.encode() not in response.content
    entry = parsed(response).entries[0]
    assert entry.author_detail == {"name": "Ada", "href": "https://ada.example/"}
    assert "email" not in entry.author_detail


def test_the_newest_fifty_make_the_feed(client, make_comment, ctx, blog):
    sites.update_site(ctx.db, "blog", thread_write_limits="off", site_write_limits="off")
    made = [make_comment()["id"] for _ in range(FEED_ENTRIES + 3)]
    entries = feed_of(client).entries
    assert FEED_ENTRIES == 50
    assert [int(e.id.rsplit("/", 1)[1]) for e in entries] == made[::-1][:FEED_ENTRIES]


def test_the_etag_makes_an_unchanged_feed_a_bodiless_304(client, make_comment):
    make_comment()
    first = client.get("/feeds/blog.atom")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache"
    again = client.get("/feeds/blog.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    make_comment()
    changed = client.get("/feeds/blog.atom", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    thread = client.get("/feeds/blog.atom", params={"url": ARTICLE})
    assert thread.headers["etag"] not in (etag, changed.headers["etag"])


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()  # type: ignore[no-any-return]


def test_unknown_sites_threads_and_foreign_pages_are_problems(client, make_comment):
    make_comment()
    assert problem(client.get("/feeds/nosuch.atom"), 404)["detail"] == "There is no site called “nosuch”."
    unknown = client.get("/feeds/blog.atom", params={"url": f"{BLOG}/never/commented/"})
    assert problem(unknown, 404)["detail"] == "There is no thread for this page."
    assert problem(client.get("/feeds/blog.atom", params={"page_id": "none"}), 404)
    problem(client.get("/feeds/blog.atom", params={"url": "https://elsewhere.example/a/"}), 403)
    problem(client.get("/feeds/blog.atom", params={"url": "javascript:alert(1)"}), 422)
    problem(client.get("/feeds/blog.atom", params={"url": f"{BLOG}/{'a' * 3000}"}), 422)
    problem(client.get("/feeds/" + "x" * 5000 + ".atom"), 404)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_hostile_payload_stays_text_in_a_well_formed_feed(client, make_comment, payload):
    posted = make_comment(
        author={"name": f"N {payload}", "email": "x@example.com"}, title=f"T {payload}", body=payload
    )
    for feed in (feed_of(client), feed_of(client, url=ARTICLE)):
        (entry,) = feed.entries
        name = posted["author"]["name"]
        assert entry.author == name
        assert entry.title in (name, f"{name} on {clean_name(f'T {payload}')}")
        html = entry.content[0].value if "content" in entry else ""
        assert html == posted["html"]
        assert executable_parts(html) == []
    # As an XML parser reads it (feedparser also sanitizes HTML content, which would hide a leak):
    # one element per field, the text exactly what was stored, and no element of the payload's.
    raw = client.get("/feeds/blog.atom").content
    root = SafeXML.fromstring(raw)
    assert {element.tag.removeprefix(ATOM) for element in root.iter()} <= ATOM_ELEMENTS
    (entry_element,) = root.findall(f"{ATOM}entry")
    assert entry_element.findtext(f"{ATOM}author/{ATOM}name") == posted["author"]["name"]
    assert (entry_element.findtext(f"{ATOM}content") or "") == posted["html"]
    assert executable_parts(posted["html"]) == []


def test_characters_xml_cannot_carry_are_dropped_not_fatal(client, make_comment):
    make_comment(body="bell \x07 and vertical tab \x0b and \ufffe here")
    (entry,) = feed_of(client).entries
    assert "bell" in entry.content[0].value
    assert "\x07" not in entry.content[0].value


def test_the_plain_thread_page_announces_its_feed(client, make_comment, ctx, blog):
    make_comment()
    page = client.get("/threads/blog", params={"url": ARTICLE})
    link = re.search(r'<link rel="alternate" type="application/atom\+xml" href="([^"]+)"', page.text)
    assert link is not None
    feed_url = link.group(1).replace("&amp;", "&")
    assert feed_url == "http://testserver/feeds/blog.atom?url=https%3A%2F%2Fblog.example%2Fposts%2Fhello"
    assert parsed(client.get(feed_url.removeprefix("http://testserver"))).entries
    empty = client.get("/threads/blog", params={"url": OTHER})
    assert "application/atom+xml" not in empty.text  # no thread yet, so no feed to follow


def test_a_site_can_turn_its_feeds_off(client, make_comment, ctx, blog):
    make_comment()
    assert "application/atom+xml" in client.get("/threads/blog", params={"url": ARTICLE}).text
    sites.update_site(ctx.db, "blog", feeds=False)
    assert problem(client.get("/feeds/blog.atom"), 404)["detail"] == "This site publishes no feed."
    problem(client.get("/feeds/blog.atom", params={"url": ARTICLE}), 404)
    assert "application/atom+xml" not in client.get("/threads/blog", params={"url": ARTICLE}).text


def test_the_site_owner_turns_feeds_off_on_the_admin_page(app, ctx, blog):
    moderators.add_account(ctx.db, "root", "correct horse battery", superuser=True)
    with TestClient(app, headers=SAME_ORIGIN) as admin:
        login = admin.get("/admin/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
        admin.post("/admin/login", data={"csrf": csrf, "name": "root", "password": "correct horse battery"})
        page = admin.get("/admin/sites/blog").text
        assert 'name="feeds" checked' in page
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        fields = {"csrf": csrf, "moderation": "none", "notify_moderators": "pending", "max_links": "3"}
        fields |= {"min_post_seconds": "3", "blocked_words": "", "blocked_names": ""}
        saved = admin.post("/admin/sites/blog", data=fields, follow_redirects=False)
        assert saved.status_code == 303
        assert 'name="feeds">' in admin.get("/admin/sites/blog").text
    assert sites.load_site(ctx.db, "blog").feeds is False
