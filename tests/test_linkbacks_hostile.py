"""Linkbacks someone sends to hurt: refused at once with a problem+json 400 where no fetch is
needed, refused by the fetcher or sanitized where one is, and never a flood in the queue."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from commentbox.app import create_app
from commentbox.domain import sites
from commentbox.linkbacks.receiving import MAX_QUEUED_PER_SITE
from tests.linkback_support import mention, mentioning, reaching_sources, settled
from tests.support import ARTICLE, BLOG, comment_payload


@pytest.fixture
def settings(settings):
    return reaching_sources(settings)


def refused(response, status=400):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return response.json()["detail"]


@pytest.mark.parametrize(
    ("source", "target", "detail"),
    [
        ("https://other.example/a", "https://elsewhere.example/posts/hello/", "not a page of this site"),
        ("https://other.example/a", f"{BLOG}/posts/never-discussed/", "has no discussion here"),
        (ARTICLE, ARTICLE, "are the same page"),
        ("HTTPS://BLOG.EXAMPLE/posts/hello/#x", ARTICLE, "are the same page"),
        ("javascript:alert(1)", ARTICLE, "source must be an http or https URL"),
        ("ftp://other.example/a", ARTICLE, "source must be an http or https URL"),
        ("//other.example/a", ARTICLE, "source must be an http or https URL"),
        ("https://other.example/" + "a" * 2001, ARTICLE, "at most 2000 characters"),
        ("https://other.example/a\nX-Evil: 1", ARTICLE, "at most 2000 characters"),
        ("https://other.example/a", "javascript:alert(1)", "target must be an http or https URL"),
    ],
)
def test_what_needs_no_fetch_is_refused_at_once(client, linked_blog, row_count, source, target, detail):
    assert detail in refused(mention(client, source, target))
    assert row_count("linkback") == 0


def test_a_site_that_takes_no_linkbacks_refuses_them(client, ctx, linked_blog, row_count):
    sites.update_site(ctx.db, "blog", linkbacks=False)
    assert "does not take" in refused(mention(client, "https://other.example/a"))
    assert row_count("linkback") == 0


def test_an_unknown_site_is_not_found(client, linked_blog):
    refused(mention(client, "https://other.example/a", site="nosuch"), 404)


FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"source=https%3A%2F%2Fother.example%2Fa", FORM),  # no target
        (b"target=https%3A%2F%2Fblog.example%2Fposts%2Fhello%2F", FORM),  # no source
        (b"source=https%3A%2F%2Fa.example%2F&source=https%3A%2F%2Fb.example%2F&target=x", FORM),
        (b"source=%ff%fe&target=x", FORM),
        (b'{"source": "https://other.example/a", "target": "https://blog.example/"}', "application/json"),
    ],
)
def test_malformed_requests_are_refused(client, linked_blog, row_count, body, content_type):
    refused(client.post("/webmention/blog", content=body, headers={"Content-Type": content_type}))
    assert row_count("linkback") == 0


def test_an_oversized_request_is_refused(client, linked_blog):
    body = "source=https%3A%2F%2Fa.example%2F&target=" + "a" * 9000
    refused(client.post("/webmention/blog", content=body, headers={"Content-Type": FORM}), 413)


def test_a_private_address_is_refused_by_the_fetcher(client, linked_blog, sources, origin, row_count):
    """``localhost`` is not allow-listed: the fetcher refuses its loopback address and never connects."""
    sources.put("/reply", mentioning())
    port = origin.rsplit(":", 1)[1]
    for source in (
        f"http://localhost:{port}/reply",
        f"http://2130706433:{port}/reply",
        "http://10.0.0.1/reply",
    ):
        shown = settled(client, mention(client, source).headers["location"])
        assert shown["status"] == "refused"
        assert shown["reason"] == "the address is not one this server may reach"
    assert sources.hits["/reply"] == 0
    assert row_count("comment") == 1


def test_a_ten_megabyte_page_is_cut_at_one_mebibyte(client, linked_blog, sources, origin, row_count):
    shown = settled(client, mention(client, f"{origin}/huge").headers["location"])
    assert (shown["status"], shown["reason"]) == ("refused", "the answer is too large")
    assert row_count("comment") == 1


def test_a_page_that_is_not_html_is_refused(client, linked_blog, sources, origin, row_count):
    sources.put("/feed", f'{{"link": "{ARTICLE}"}}', content_type="application/json")
    shown = settled(client, mention(client, f"{origin}/feed").headers["location"])
    assert (shown["status"], shown["reason"]) == ("refused", "the answer is not of an accepted type")


def test_script_in_the_title_and_the_entry_comes_out_as_text(client, ctx, linked_blog, sources, origin):
    sites.update_site(ctx.db, "blog", publish_linkbacks=True)
    sources.put(
        "/xss",
        "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>"
        '<div class="h-entry"><h1 class="p-name">"><img src=x onerror=alert(1)> <b>bold</b></h1>'
        '<p class="p-summary">&lt;script&gt;alert(2)&lt;/script&gt; [x](javascript:alert(3)) '
        f'<a href="{ARTICLE}">x</a></p>'
        "</div>",
    )
    assert settled(client, mention(client, f"{origin}/xss").headers["location"])["status"] == "published"
    shown = client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE}).json()["comments"][1]
    name = shown["author"]["name"]  # text only: mf2 reads an <img> as its address, the tags go
    assert name.startswith('"> ') and name.endswith(" bold") and "<" not in name
    assert "<a" not in shown["html"]  # the Markdown-looking link stays text, as typed
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in shown["html"]
    page = client.get("/threads/blog", params={"url": ARTICLE}).text
    assert "<script" not in page and "onerror" not in page and "<img src=x" not in page


def test_thousands_of_mentions_from_one_host_stop_at_its_budget(app_with_limits, sources, origin):
    client, row_count = app_with_limits
    sources.put("/reply", mentioning())
    answers = [mention(client, f"{origin}/reply-{n}").status_code for n in range(30)]
    assert answers[:3] == [202, 202, 202]
    assert set(answers[3:]) == {429}
    assert row_count("linkback") == 3
    limited = mention(client, f"{origin}/reply-x")
    assert int(limited.headers["retry-after"]) > 0
    assert limited.headers["content-type"] == "application/problem+json"


@pytest.fixture
def app_with_limits(settings):
    """An app with rate limits on (the test settings turn them off) and three per host."""
    limited = settings.model_copy(update={"rate_limits": "1000/minute", "linkback_rate_limits": "3/hour"})
    app = create_app(limited)
    ctx = app.state.ctx
    with TestClient(app, base_url="http://testserver") as client:
        sites.add_site(ctx.db, "blog", origins=[BLOG])
        sites.update_site(ctx.db, "blog", linkbacks=True, min_post_seconds=0)
        posted = client.post("/api/v1/comments", json=comment_payload(), headers={"Origin": BLOG})
        assert posted.status_code in (201, 202), posted.text

        def row_count(table):
            with ctx.db.engine.connect() as connection:
                return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608

        yield client, row_count
    ctx.db.dispose()


def test_mentions_from_many_hosts_fill_no_queue_without_end(app, ctx, blog, row_count):
    """While the verifier is behind (here: not running at all), a site's waiting claims stop
    at MAX_QUEUED_PER_SITE, whatever the number of hosts sending them."""
    behind = TestClient(app, base_url="http://testserver")  # not started: no verifier runs
    posted = behind.post("/api/v1/comments", json=comment_payload(), headers={"Origin": BLOG})
    assert posted.status_code in (201, 202), posted.text
    sites.update_site(ctx.db, "blog", linkbacks=True)
    sent = range(MAX_QUEUED_PER_SITE + 5)
    answers = [mention(behind, f"https://host{n}.example/a").status_code for n in sent]
    assert answers.count(202) == MAX_QUEUED_PER_SITE
    assert set(answers[MAX_QUEUED_PER_SITE:]) == {429}
    assert row_count("linkback") == MAX_QUEUED_PER_SITE
