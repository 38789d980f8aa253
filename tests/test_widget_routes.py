"""The widget's server side: assets, the thread fragment, rendered comments, the no-JS page."""

from __future__ import annotations

import dataclasses
import re

import pytest

from commentbox.html.render import safe_url
from tests.support import ARTICLE, BLOG, comment_payload
from tests.xss import PAYLOADS, executable_parts

FRAGMENT = "/embed/thread"


def fragment(client, **params):
    return client.get(FRAGMENT, params={"site": "blog", "url": ARTICLE, **params})


@pytest.mark.parametrize(("path", "media"), [("/embed.js", "javascript"), ("/count.js", "javascript")])
def test_scripts_are_served_cacheable_with_an_etag_and_gzip(client, path, media):
    response = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert media in response.headers["content-type"]
    assert response.headers["content-encoding"] == "gzip"
    assert "public" in response.headers["cache-control"]
    assert "max-age" in response.headers["cache-control"]
    etag = response.headers["etag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert "Commentbox" in response.text or "commentbox-count" in response.text


def test_the_fragment_shows_the_count_comments_nested_replies_and_the_form(client, make_comment):
    first = make_comment(author={"name": "Ada", "email": "ada@example.com", "website": "https://ada.example"})
    reply = make_comment(parent=first["id"], body="I *agree*")
    response = fragment(client)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<h2 class="cb-count" part="count">2 comments</h2>' in html
    outer = html.index(f'id="comment-{first["id"]}"')
    inner = html.index(f'id="comment-{reply["id"]}"')
    assert outer < html.index('<ol class="cb-replies">') < inner
    assert '<a href="https://ada.example" rel="nofollow ugc noopener noreferrer">Ada</a>' in html
    assert "<em>agree</em>" in html
    assert f'href="#comment-{reply["id"]}"' in html
    assert 'name="url_confirm"' in html and 'name="notify"' in html
    assert executable_parts(html) == []


def test_an_empty_thread_invites_the_first_comment(client, blog):
    html = fragment(client).text
    assert "No comments yet" in html
    assert '<ol class="cb-thread" part="thread"></ol>' in html


def test_the_fragment_is_cached_per_version_and_a_write_shows_on_the_next_read(client, ctx, make_comment):
    make_comment()
    first = fragment(client)
    assert fragment(client, **{}).text == first.text
    hits = ctx.cache.hits
    assert fragment(client).status_code == 200 and ctx.cache.hits > hits
    assert (
        client.get(
            FRAGMENT,
            params={"site": "blog", "url": ARTICLE},
            headers={"If-None-Match": first.headers["etag"]},
        ).status_code
        == 304
    )
    make_comment(body="a second one")
    after = fragment(client, **{})
    assert after.headers["etag"] != first.headers["etag"]
    assert "a second one" in after.text and "2 comments" in after.text


def test_the_language_picks_the_catalogue_and_arabic_reads_right_to_left(client, make_comment):
    make_comment()
    german = fragment(client, lang="de-AT").text
    assert 'lang="de" dir="ltr"' in german and "1 Kommentar" in german and "Antworten" in german
    arabic = fragment(client, lang="ar").text
    assert 'lang="ar" dir="rtl"' in arabic and "تعليق واحد" in arabic
    assert 'lang="pt"' in fragment(client, lang="pt-BR").text
    assert 'lang="en"' in fragment(client, lang="xx").text


def test_sort_and_load_more_are_server_rendered(client, make_comment):
    ids = [make_comment(body=f"comment {n}")["id"] for n in range(3)]
    page = fragment(client, limit=2, sort="newest").text
    assert [int(i) for i in re.findall(r'<li class="cb-comment" id="comment-(\d+)"', page)] == ids[::-1][:2]
    assert '<option value="newest" selected>' in page
    cursor = re.search(r'data-next="([^"]+)"', page).group(1)
    rest = fragment(client, limit=2, sort="newest", cursor=cursor).text
    assert re.findall(r'id="comment-(\d+)"', rest) == [str(ids[0])]
    assert "data-next" not in rest


def test_refusals_are_problem_details(client, blog):
    missing = client.get(FRAGMENT, params={"site": "nope", "url": ARTICLE})
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    foreign = client.get(FRAGMENT, params={"site": "blog", "url": "https://evil.example/x"})
    assert foreign.status_code == 403
    bad_sort = client.get(FRAGMENT, params={"site": "blog", "url": ARTICLE, "sort": "random"})
    assert bad_sort.status_code == 422


def test_the_fragment_is_readable_cross_origin_only_by_registered_origins(client, blog):
    allowed = client.get(FRAGMENT, params={"site": "blog", "url": ARTICLE}, headers={"Origin": BLOG})
    assert allowed.headers["access-control-allow-origin"] == BLOG
    assert "access-control-allow-credentials" not in allowed.headers
    other = client.get(
        FRAGMENT, params={"site": "blog", "url": ARTICLE}, headers={"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers


def test_posting_with_fragment_returns_the_comment_rendered_by_the_same_template(client, blog):
    response = client.post(
        "/api/v1/comments", params={"fragment": "fr"}, json=comment_payload(), headers={"Origin": BLOG}
    )
    assert response.status_code == 201
    created = response.json()
    assert created["edit_token"]
    li = created["fragment"]
    assert li.startswith(f'<li class="cb-comment" id="comment-{created["id"]}"')
    assert "Répondre" in li and "<em>world</em>" in li
    assert li in fragment(client, lang="fr").text

    edited = client.patch(
        f"/api/v1/comments/{created['id']}",
        params={"fragment": "en"},
        json={"body": "Changed **text**"},
        headers={"Origin": BLOG, "X-Edit-Token": created["edit_token"]},
    )
    assert edited.status_code == 200
    assert "<strong>text</strong>" in edited.json()["fragment"] and "edited" in edited.json()["fragment"]


def test_without_fragment_the_api_answers_plain_json(client, blog):
    response = client.post("/api/v1/comments", json=comment_payload(), headers={"Origin": BLOG})
    assert "fragment" not in response.json()


def test_a_held_comment_renders_marked_as_awaiting_moderation(client, make_site):
    make_site(moderation="all")
    response = client.post(
        "/api/v1/comments", params={"fragment": "en"}, json=comment_payload(), headers={"Origin": BLOG}
    )
    assert response.status_code == 202
    li = response.json()["fragment"]
    assert "cb-pending" in li and "Awaiting moderation" in li
    assert 'data-vote="1" aria-label="Vote up" aria-pressed="false" disabled' in li
    assert f'id="comment-{response.json()["id"]}"' not in fragment(client).text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_text_in_every_field_renders_inert(client, blog, payload):
    response = client.post(
        "/api/v1/comments",
        params={"fragment": "en"},
        json=comment_payload(
            body=payload, title=payload[:300], author={"name": payload[:100], "email": "x@example.com"}
        ),
        headers={"Origin": BLOG},
    )
    assert response.status_code == 201, response.text
    assert executable_parts(response.json()["fragment"]) == []
    reply = client.post(
        "/api/v1/comments",
        json=comment_payload(body=payload, parent=response.json()["id"]),
        headers={"Origin": BLOG},
    )
    assert reply.status_code == 201
    preview = client.post("/api/v1/preview", json={"site": "blog", "body": payload}, headers={"Origin": BLOG})
    assert executable_parts(preview.json()["html"]) == []
    page = client.get("/threads/blog", params={"url": ARTICLE}).text
    body = page[page.index("<body") : page.index("</body>")]  # the head holds our own meta/link
    for html in (fragment(client).text, body):
        assert executable_parts(html) == []


def test_a_website_that_is_not_http_is_refused(client, blog):
    response = client.post(
        "/api/v1/comments",
        json=comment_payload(
            author={"name": "E", "email": "e@example.com", "website": "javascript:alert(1)"}
        ),
        headers={"Origin": BLOG},
    )
    assert response.status_code == 422


def test_urls_reach_an_href_or_src_only_when_http():
    assert safe_url("https://example.com/a") == "https://example.com/a"
    assert safe_url(" http://example.com ") == "http://example.com"
    for bad in ("javascript:alert(1)", "data:image/png;base64,AAAA", "//evil.example", "", None, "http://"):
        assert safe_url(bad) is None


def test_the_no_javascript_page_is_a_plain_readable_page(client, make_comment):
    make_comment(title="Hello post", body="Plain **reading**")
    response = client.get(
        "/threads/blog", params={"url": ARTICLE}, headers={"Accept-Language": "es-ES,es;q=0.9"}
    )
    assert response.status_code == 200
    html = response.text
    assert html.startswith("<!doctype html>")
    assert '<html lang="es" dir="ltr">' in html
    assert "Comentarios sobre Hello post" in html
    assert "<strong>reading</strong>" in html
    assert "<script" not in html and "<form" not in html and "<button" not in html
    assert f'<link rel="canonical" href="{BLOG}/posts/hello">' in html
    assert "content-security-policy" in response.headers


def test_the_no_javascript_page_links_to_more_comments(client, make_comment, settings):
    for n in range(3):
        make_comment(body=f"c{n}")
    page = client.get("/threads/blog", params={"url": ARTICLE, "limit": 2}).text
    assert 'rel="next"' in page
    link = re.search(r'href="(/threads/blog\?[^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    rest = client.get(link + "&limit=2").text
    assert "c2" in rest and "c0" not in rest


def test_the_demo_page_embeds_the_widget(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<div id="commentbox"></div>' in response.text
    assert '<script src="http://testserver/embed.js" data-site="demo"' in response.text


def test_a_provider_without_its_own_wording_gets_the_generic_button(client, ctx, blog):
    # a provider added later, before its catalogue entry (the rendered pages hold their own list)
    ctx.pages = dataclasses.replace(ctx.pages, providers=("google", "mastodon"))
    html = fragment(client, lang="de").text
    assert "<span>Über Google anmelden</span>" in html
    assert "<span>Mit Mastodon anmelden</span>" in html


def test_an_author_can_ask_after_a_held_comment_until_it_is_gone(client, make_site, ctx):
    make_site(moderation="all")
    held = client.post("/api/v1/comments", json=comment_payload(), headers={"Origin": BLOG}).json()
    path = f"/api/v1/comments/{held['id']}"
    mine = client.get(path, headers={"X-Edit-Token": held["edit_token"]})
    assert mine.status_code == 200
    assert mine.json()["status"] == "pending" and "email" not in mine.text
    assert mine.headers["cache-control"] == "no-store"
    assert client.get(path).status_code == 403  # anyone else learns nothing
    other = client.post("/api/v1/comments", json=comment_payload(body="other"), headers={"Origin": BLOG})
    assert client.get(path, headers={"X-Edit-Token": other.json()["edit_token"]}).status_code == 403
    deleted = client.delete(path, headers={"Origin": BLOG, "X-Edit-Token": held["edit_token"]})
    assert deleted.status_code == 204
    gone = client.get(path, headers={"X-Edit-Token": held["edit_token"]})
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"
