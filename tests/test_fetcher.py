"""The safe fetcher against a real HTTP server on 127.0.0.1: what it refuses, and that the
server never saw the refused requests; what it caps (bytes, time, types) and how fast."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterator

import pytest

from commentbox.outbound.addresses import is_public, system_resolver
from commentbox.outbound.fetch import (
    BAD_URL,
    MAX_BYTES,
    NOT_ALLOWED,
    TOO_LARGE,
    TOO_MANY_REDIRECTS,
    TOO_SLOW,
    UNREACHABLE,
    WRONG_TYPE,
    Fetcher,
    FetchRefused,
)
from tests.fakes.server import ServerThread
from tests.fakes.web import PNG, FakeWeb

# Names a test resolver maps to the fake: one allow-listed (as a test setting would), one not.
FAKE = "fake.test"
EVIL = "public-looking.example"


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[FakeWeb, int]]:
    web = FakeWeb()
    with ServerThread(web.app) as running:
        yield web, running.port


@pytest.fixture
def web(server: tuple[FakeWeb, int]) -> FakeWeb:
    server[0].hits.clear()
    server[0].seen.clear()
    server[0].huge_bytes_sent = 0
    return server[0]


@pytest.fixture
def port(server: tuple[FakeWeb, int]) -> int:
    return server[1]


def resolver(host: str, port: int) -> list[str]:
    if host in (FAKE, EVIL):
        return ["127.0.0.1"]
    return system_resolver(host, port)


@pytest.fixture
def fetcher() -> Fetcher:
    return Fetcher(allow_hosts={FAKE}, resolver=resolver)


def refused(call, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(FetchRefused) as caught:
        call(*args, **kwargs)
    return caught.value.reason


def test_an_allowed_host_is_fetched_with_a_plain_identity(fetcher, web, port):
    fetched = fetcher.get(f"http://{FAKE}:{port}/page", accept={"text/html"})
    assert fetched.status == 200
    assert fetched.media_type == "text/html"
    assert "<title>Hello</title>" in fetched.text()
    (request,) = web.seen
    assert request.headers["user-agent"].startswith("commentbox/")
    assert request.headers["accept-encoding"] == "identity"
    assert request.headers["host"] == f"{FAKE}:{port}"
    assert "cookie" not in request.headers


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("127.0.0.1", NOT_ALLOWED),
        ("localhost", NOT_ALLOWED),
        ("LocalHost", NOT_ALLOWED),
        ("2130706433", NOT_ALLOWED),  # decimal
        ("0x7f000001", NOT_ALLOWED),  # hex
        ("0x7f.1", NOT_ALLOWED),
        ("017700000001", NOT_ALLOWED),  # octal
        ("127.1", NOT_ALLOWED),
        ("0", NOT_ALLOWED),  # 0.0.0.0, which Linux routes to this host
        ("0.0.0.0", NOT_ALLOWED),  # noqa: S104 (a URL host, nothing binds)
        ("[::1]", NOT_ALLOWED),
        ("[::ffff:127.0.0.1]", NOT_ALLOWED),  # IPv4-mapped
        ("[::ffff:7f00:1]", NOT_ALLOWED),
        ("[0:0:0:0:0:ffff:127.0.0.1]", NOT_ALLOWED),
        ("[::127.0.0.1]", NOT_ALLOWED),  # IPv4-compatible
        ("0177.0.0.1", BAD_URL),  # dotted octal: the URL parser refuses it before any lookup
        (EVIL, NOT_ALLOWED),  # a public-looking name that resolves to 127.0.0.1
    ],
)
def test_every_spelling_of_this_host_is_refused_before_connecting(fetcher, web, port, host, reason):
    assert refused(fetcher.get, f"http://{host}:{port}/page", accept={"text/html"}) == reason
    assert web.hits["/page"] == 0  # nothing reached the server


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # CGNAT
        "127.255.255.254",
        "0.1.2.3",
        "224.0.0.1",  # multicast (Python calls it global)
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "198.18.0.1",
        "::",
        "::1",
        "fe80::1",
        "fc00::1",
        "fec0::1",  # site-local (Python calls it global)
        "ff02::1",
        "::ffff:8.8.8.8",  # IPv4-mapped, even of a public address
        "::8.8.8.8",
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1 (Python calls it global)
        "64:ff9b:1::a00:1",
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1 (Python calls it global)
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    ],
)
def test_addresses_that_are_not_public_unicast_are_refused(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111"])
def test_public_unicast_addresses_pass(address):
    assert is_public(ipaddress.ip_address(address))


def test_a_name_with_one_private_address_among_public_ones_is_refused(web, port):
    mixed = Fetcher(resolver=lambda host, port: ["93.184.216.34", "127.0.0.1"])
    assert refused(mixed.get, f"http://rebind.example:{port}/page", accept={"text/html"}) == NOT_ALLOWED
    assert web.hits["/page"] == 0


def test_a_resolver_that_answers_nonsense_is_refused():
    odd = Fetcher(resolver=lambda host, port: ["not-an-address"])
    assert refused(odd.get, "http://odd.example/", accept={"text/html"}) == NOT_ALLOWED


def test_a_name_that_does_not_resolve_is_unreachable():
    assert refused(Fetcher().get, "http://nowhere.invalid/", accept={"text/html"}) == UNREACHABLE


def test_a_redirect_to_this_host_is_refused(fetcher, web, port):
    to = f"http://127.0.0.1:{port}/page"
    assert refused(fetcher.get, f"http://{FAKE}:{port}/go?to={to}", accept={"text/html"}) == NOT_ALLOWED
    assert web.hits["/go"] == 1
    assert web.hits["/page"] == 0


def test_three_redirects_are_followed_and_a_fourth_is_refused(fetcher, web, port):
    fetched = fetcher.get(f"http://{FAKE}:{port}/redirect/3", accept={"text/html"})
    assert fetched.status == 200
    assert fetched.url == f"http://{FAKE}:{port}/page"
    web.hits.clear()
    reason = refused(fetcher.get, f"http://{FAKE}:{port}/redirect/4", accept={"text/html"})
    assert reason == TOO_MANY_REDIRECTS
    assert web.hits["/page"] == 0


@pytest.mark.parametrize(
    "url",
    [
        "ftp://fake.test/file",
        "file:///etc/passwd",
        "gopher://fake.test:70/_",
        "data:text/html,<p>hi",
        "javascript:alert(1)",
        "//fake.test/page",
        "http:///page",
        "http://user:pass@fake.test/page",
        "not a url",
    ],
)
def test_only_plain_http_and_https_urls_are_fetched(fetcher, url):
    assert refused(fetcher.get, url, accept={"text/html"}) == BAD_URL


@pytest.mark.parametrize(
    "to", ["ftp://fake.test/file", "file:///etc/passwd", "gopher://fake.test/", "http://[::1/"]
)
def test_a_redirect_to_another_scheme_is_refused(fetcher, web, port, to):
    assert refused(fetcher.get, f"http://{FAKE}:{port}/go?to={to}", accept={"text/html"}) == BAD_URL


def test_a_gigabyte_is_cut_at_the_cap_without_reading_it(fetcher, web, port):
    started = time.monotonic()
    assert refused(fetcher.get, f"http://{FAKE}:{port}/huge", accept={"text/html"}) == TOO_LARGE
    assert time.monotonic() - started < 3
    time.sleep(0.2)  # let the server notice the closed connection
    assert web.huge_bytes_sent < 64 * MAX_BYTES  # the server stopped long before 1 GB


def test_the_caller_may_lower_the_cap_but_not_raise_it(fetcher, web, port):
    url = f"http://{FAKE}:{port}/page"
    assert refused(fetcher.get, url, accept={"text/html"}, max_bytes=20) == TOO_LARGE
    assert refused(fetcher.get, f"http://{FAKE}:{port}/huge", accept={"text/html"}, max_bytes=1 << 40) == (
        TOO_LARGE
    )


def test_a_body_dripping_one_byte_a_second_is_cut_at_five_seconds(fetcher, web, port):
    started = time.monotonic()
    assert refused(fetcher.get, f"http://{FAKE}:{port}/drip", accept={"text/html"}) == TOO_SLOW
    elapsed = time.monotonic() - started
    assert 4.5 < elapsed < 5.8, elapsed


def test_the_caller_may_shorten_the_deadline_but_not_lengthen_it(fetcher, web, port):
    started = time.monotonic()
    url = f"http://{FAKE}:{port}/drip"
    assert refused(fetcher.get, url, accept={"text/html"}, deadline=1.0) == TOO_SLOW
    assert time.monotonic() - started < 1.8


def test_an_image_is_accepted_for_what_it_is(fetcher, web, port):
    fetched = fetcher.get(f"http://{FAKE}:{port}/png", accept={"image/png", "image/jpeg"})
    assert fetched.body == PNG
    assert fetched.media_type == "image/png"


def test_html_sent_as_png_is_refused(fetcher, web, port):
    url = f"http://{FAKE}:{port}/html-as-png"
    assert refused(fetcher.get, url, accept={"image/png"}) == WRONG_TYPE
    assert refused(fetcher.get, url, accept={"image/*"}) == WRONG_TYPE


def test_a_type_the_caller_did_not_ask_for_is_refused(fetcher, web, port):
    assert refused(fetcher.get, f"http://{FAKE}:{port}/page", accept={"image/png"}) == WRONG_TYPE
    assert refused(fetcher.get, f"http://{FAKE}:{port}/png", accept={"text/html"}) == WRONG_TYPE


def test_a_post_sends_its_body_and_is_never_redirected(fetcher, web, port):
    echoed = fetcher.post(
        f"http://{FAKE}:{port}/echo", content=b"a=1", content_type="application/x-www-form-urlencoded"
    )
    assert echoed.status == 200
    assert '"body":"a=1"' in echoed.text()
    to = f"http://{FAKE}:{port}/echo"
    answered = fetcher.post(f"http://{FAKE}:{port}/go?to={to}", content=b"a=1", content_type="text/plain")
    assert answered.status == 307
    assert web.hits["/echo"] == 1


def test_proxies_from_the_environment_are_ignored(fetcher, web, port, monkeypatch):
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:1")
    assert fetcher.get(f"http://{FAKE}:{port}/page", accept={"text/html"}).status == 200


def test_the_reason_names_no_address_and_no_path(fetcher, web, port):
    for url in (f"http://{EVIL}:{port}/secret/path", f"http://{FAKE}:{port}/go?to=http://10.1.2.3/admin"):
        reason = refused(fetcher.get, url, accept={"text/html"})
        assert "127.0.0.1" not in reason
        assert "10.1.2.3" not in reason
        assert "/" not in reason


def test_the_apps_fetcher_allows_no_host_by_default(ctx, web, port):
    assert ctx.settings.outbound_allow_hosts == []
    assert refused(ctx.fetcher.get, f"http://127.0.0.1:{port}/page", accept={"text/html"}) == NOT_ALLOWED
    assert web.hits["/page"] == 0
