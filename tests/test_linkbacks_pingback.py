"""Pingbacks (XML-RPC), as WordPress-era blogs send them; discovery on the no-JS page; and
imported pingbacks shown the same way as received ones."""

from __future__ import annotations

import xmlrpc.client

import pytest

from commentbox.domain import sites
from tests.linkback_support import reaching_sources
from tests.support import ARTICLE, BLOG
from tests.transfer_support import fixture


@pytest.fixture
def settings(settings):
    return reaching_sources(settings)


def call(client, source, target=ARTICLE, site="blog"):
    body = xmlrpc.client.dumps((source, target), "pingback.ping")
    return send(client, body.encode(), site)


def send(client, body, site="blog"):
    """The XML-RPC answer: the string on success, else ``(faultCode, faultString)``."""
    response = client.post(f"/pingback/{site}", content=body, headers={"Content-Type": "text/xml"})
    assert response.status_code == 200  # XML-RPC answers faults inside a 200
    assert response.headers["content-type"].startswith("text/xml")
    try:
        return xmlrpc.client.loads(response.content)[0][0]
    except xmlrpc.client.Fault as fault:
        return fault.faultCode, fault.faultString


def test_a_pingback_is_verified_at_once_and_shown_like_wordpress(client, ctx, linked_blog, sources, origin):
    sites.update_site(ctx.db, "blog", publish_linkbacks=True)
    sources.put("/post", f"<title>Best Tweets in Mental Health</title><p><a href='{ARTICLE}'>this</a></p>")
    assert call(client, f"{origin}/post").startswith("Thanks for the pingback")
    assert call(client, f"{origin}/post") == (0x0030, "The pingback has already been registered.")
    assert sources.hits["/post"] == 1  # verified in the request; the background verifier left it alone

    page = client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE}).json()
    assert page["thread"]["count"] == 2
    assert page["comments"][1]["kind"] == "pingback"
    html = client.get("/threads/blog", params={"url": ARTICLE}).text
    assert (
        f'Pingback</span>: <a class="cb-linkback-title" href="{origin}/post" '
        'rel="nofollow ugc noopener noreferrer">'
        '<bdi>Best Tweets in Mental Health</bdi></a> – <span class="cb-linkback-site">127.0.0.1</span>'
    ) in html


def test_pingback_faults_follow_the_spec(client, ctx, linked_blog, sources, origin, row_count):
    sources.put("/nolink", "<title>Elsewhere</title><p><a href='https://other.example/'>x</a></p>")
    assert call(client, f"{origin}/nolink")[0] == 0x0011  # no link to the target
    assert call(client, f"{origin}/missing")[0] == 0x0010  # the source does not exist
    assert call(client, "https://other.example/a", f"{BLOG}/never-discussed/")[0] == 0x0021
    assert call(client, "https://other.example/a", "https://elsewhere.example/")[0] == 0x0021
    assert call(client, "https://other.example/a", site="nosuch")[0] == 0x0021
    port = origin.rsplit(":", 1)[1]
    assert call(client, f"http://localhost:{port}/nolink")[0] == 0x0010  # refused by the fetcher
    sites.update_site(ctx.db, "blog", linkbacks=False)
    assert call(client, f"{origin}/nolink")[0] == 0x0021
    assert row_count("comment") == 1


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<methodCall><methodName>pingback.ping</methodName><params>
<param><value><string>&lol3;</string></value></param><param><value><string>x</string></value></param>
</params></methodCall>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<methodCall><methodName>pingback.ping</methodName><params><param><value>&e;</value></param></params></methodCall>"""


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (BOMB, -32700),
        (EXTERNAL, -32700),
        (b"<methodCall><methodName>pingback.ping</methodName>", -32700),
        (b"not xml at all", -32700),
        (b"<methodCall>" + b"<x>" * 5000 + b"</methodCall>", -32700),  # over the size cap
        (b"<other/>", -32700),
        (xmlrpc.client.dumps(("a", "b"), "system.listMethods").encode(), -32601),
        (xmlrpc.client.dumps(("only one",), "pingback.ping").encode(), -32602),
        (xmlrpc.client.dumps((1, 2), "pingback.ping").encode(), -32602),
    ],
)
def test_hostile_and_malformed_calls_are_faults_and_store_nothing(client, linked_blog, row_count, body, code):
    assert send(client, body)[0] == code
    assert row_count("linkback") == 0


def test_the_no_js_page_names_the_endpoints_when_the_site_takes_linkbacks(client, ctx, linked_blog):
    page = client.get("/threads/blog", params={"url": ARTICLE})
    assert page.headers["x-pingback"] == "http://testserver/pingback/blog"
    assert '<link rel="webmention" href="http://testserver/webmention/blog">' in page.text
    assert '<link rel="pingback" href="http://testserver/pingback/blog">' in page.text

    sites.update_site(ctx.db, "blog", linkbacks=False)
    page = client.get("/threads/blog", params={"url": ARTICLE})
    assert "x-pingback" not in page.headers
    assert 'rel="webmention"' not in page.text


def test_imported_pingbacks_show_like_received_ones(client, cli, capsys):
    assert cli(["site", "add", "s", "--origin", "https://realmenweardress.es"]) == 0
    export = fixture("wxr/remark42/wordpress_test--xmlTestWP.xml")
    assert cli(["import", "wordpress", str(export), "--site", "s"]) == 0
    capsys.readouterr()
    url = "https://realmenweardress.es/2010/07/do-you-rp/"
    comments = client.get("/api/v1/threads", params={"site": "s", "url": url}).json()["comments"]
    [pingback] = [c for c in comments if c["kind"] == "pingback"]
    assert pingback["author"]["name"].startswith("Wednesday Reading « Cynwise's")
    assert pingback["author"]["avatar"] is None
    html = client.get("/threads/s", params={"url": url}).text
    assert 'class="cb-comment cb-linkback cb-linkback-pingback"' in html
    assert "Pingback</span>:" in html
