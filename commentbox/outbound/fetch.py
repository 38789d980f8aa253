"""The one safe fetcher: every request the server makes to the outside goes through here.

Why one place: a linkback source, an avatar URL or a webhook endpoint is a URL someone else
chose, and a server that fetches it blindly can be pointed at its own database, the cloud's
metadata service or the admin page on 127.0.0.1 (SSRF). ``Fetcher`` refuses that at connect
time (``network.VettingBackend``), follows at most three redirects (each vetted again, only
``http``/``https``), reads no more than the caller's byte cap within one total deadline,
checks the content type against what the caller accepts and what the bytes are, and answers
every failure with ``FetchRefused`` and a generic reason (never an internal address or path).

It uses httpcore2's connection pool directly, with a pool per fetch: no proxy from the
environment, no cookies, no automatic redirects, no decompression (``Accept-Encoding:
identity``) — nothing happens that this module did not decide. Example::

    fetched = fetcher.get("https://blog.example/post", accept={"text/html"})
    fetched.status, fetched.media_type, fetched.text()
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cached_property

import httpcore2
import httpx2

from commentbox import __version__
from commentbox.outbound.addresses import Resolver, system_resolver
from commentbox.outbound.network import AddressRefused, Deadline, VettingBackend, normalize_host
from commentbox.outbound.sniff import SNIFF_BYTES, accepts, body_matches, media_type

log = logging.getLogger(__name__)

DEADLINE_SECONDS = 5.0  # in all: resolving, connecting, every redirect and the whole body
MAX_BYTES = 1 << 20
MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# The reasons a fetch is refused: generic on purpose, they may reach the person who gave the URL.
NOT_ALLOWED = "the address is not one this server may reach"
BAD_URL = "only http and https URLs can be fetched"
UNREACHABLE = "the server could not be reached"
TOO_SLOW = "the server did not answer in time"
TOO_LARGE = "the answer is too large"
WRONG_TYPE = "the answer is not of an accepted type"
TOO_MANY_REDIRECTS = "the answer redirected too many times"
BROKEN = "the server gave an answer that is not valid HTTP"


class FetchRefused(Exception):
    """A fetch failed or was refused; ``reason`` is one of the generic sentences above."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Fetched:
    """An answer: the final URL (after redirects), its status, headers (lower-case names) and body."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def media_type(self) -> str:
        return media_type(self.headers.get("content-type", ""))

    def text(self) -> str:
        """The body decoded with the declared charset (UTF-8 when none or an unknown one)."""
        _, _, params = self.headers.get("content-type", "").partition(";")
        charset = "utf-8"
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.lower() == "charset" and value:
                charset = value.strip("\"' ")
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


def _target(url: str) -> httpcore2.URL:
    """The URL as httpcore2 wants it; refused unless plain ``http(s)://host``, without userinfo."""
    try:
        parsed = httpx2.URL(url)
    except (httpx2.InvalidURL, TypeError):
        raise FetchRefused(BAD_URL) from None
    if parsed.scheme not in ("http", "https") or not parsed.host or parsed.userinfo:
        raise FetchRefused(BAD_URL)
    return httpcore2.URL(
        scheme=parsed.raw_scheme, host=parsed.raw_host, port=parsed.port, target=parsed.raw_path
    )


def _follow(url: str, location: str) -> str:
    """Where a redirect points, resolved against the URL that answered it."""
    try:
        return str(httpx2.URL(url).join(location))
    except (httpx2.InvalidURL, TypeError):
        raise FetchRefused(BAD_URL) from None


def _headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in raw:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


class Fetcher:
    """Makes vetted requests. ``allow_hosts`` skip the address check (tests' fakes on 127.0.0.1,
    an operator's own Akismet-compatible service); ``resolver`` is injectable for tests."""

    def __init__(
        self,
        *,
        allow_hosts: Collection[str] = (),
        resolver: Resolver = system_resolver,
        user_agent: str = f"commentbox/{__version__}",
    ) -> None:
        self._allow_hosts = frozenset(normalize_host(host) for host in allow_hosts)
        self._resolver = resolver
        self._user_agent = user_agent

    @cached_property
    def _ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context()

    def get(
        self,
        url: str,
        *,
        accept: Collection[str],
        max_bytes: int = MAX_BYTES,
        deadline: float = DEADLINE_SECONDS,
        headers: Mapping[str, str] | None = None,
    ) -> Fetched:
        """GET ``url``, following up to three redirects; a 2xx body must be of an ``accept`` type."""
        return self._fetch("GET", url, None, headers or {}, accept, max_bytes, deadline)

    def post(
        self,
        url: str,
        *,
        content: bytes,
        content_type: str,
        accept: Collection[str] | None = None,
        max_bytes: int = MAX_BYTES,
        deadline: float = DEADLINE_SECONDS,
        headers: Mapping[str, str] | None = None,
    ) -> Fetched:
        """POST ``content``; a redirect is answered as it came (a POST is never re-sent elsewhere)."""
        sent = {**(headers or {}), "Content-Type": content_type}
        return self._fetch("POST", url, content, sent, accept, max_bytes, deadline)

    def _fetch(
        self,
        method: str,
        url: str,
        content: bytes | None,
        headers: Mapping[str, str],
        accept: Collection[str] | None,
        max_bytes: int,
        seconds: float,
    ) -> Fetched:
        deadline = Deadline(min(seconds, DEADLINE_SECONDS))
        backend = VettingBackend(self._resolver, deadline, self._allow_hosts)
        sent = {
            "User-Agent": self._user_agent,
            "Accept": ", ".join(accept) if accept else "*/*",
            "Accept-Encoding": "identity",
            **headers,
        }
        try:
            with httpcore2.ConnectionPool(ssl_context=self._ssl_context, network_backend=backend) as pool:
                for _ in range(MAX_REDIRECTS + 1):
                    target = _target(url)
                    with pool.stream(method, target, headers=list(sent.items()), content=content) as response:
                        answer = _headers(response.headers)
                        location = answer.get("location")
                        if method == "GET" and response.status in REDIRECT_STATUSES and location:
                            url = _follow(url, location)
                            continue
                        body = _read(response, answer, accept, min(max_bytes, MAX_BYTES), deadline)
                        return Fetched(url=url, status=response.status, headers=answer, body=body)
                raise FetchRefused(TOO_MANY_REDIRECTS)
        except FetchRefused as refused:
            log.info("outbound %s refused: %s", method, refused.reason)
            raise
        except AddressRefused:
            raise self._refused(method, NOT_ALLOWED) from None
        except httpcore2.TimeoutException:
            raise self._refused(method, TOO_SLOW) from None
        except (httpcore2.NetworkError, httpcore2.UnsupportedProtocol):
            raise self._refused(method, UNREACHABLE) from None
        except httpcore2.ProtocolError:
            raise self._refused(method, BROKEN) from None

    @staticmethod
    def _refused(method: str, reason: str) -> FetchRefused:
        log.info("outbound %s refused: %s", method, reason)
        return FetchRefused(reason)


def _read(
    response: httpcore2.Response,
    headers: Mapping[str, str],
    accept: Collection[str] | None,
    max_bytes: int,
    deadline: Deadline,
) -> bytes:
    """The body, at most ``max_bytes`` of it; a 2xx one checked against ``accept``."""
    checked = accept is not None and 200 <= response.status < 300
    declared = media_type(headers.get("content-type", ""))
    if checked and not accepts(accept or (), declared):
        raise FetchRefused(WRONG_TYPE)
    length = headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise FetchRefused(TOO_LARGE)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_stream():
        size += len(chunk)
        if size > max_bytes:
            raise FetchRefused(TOO_LARGE)
        chunks.append(chunk)
        deadline.left()  # a drip that keeps every read short still ends at the deadline
    body = b"".join(chunks)
    if checked and not body_matches(declared, body[:SNIFF_BYTES]):
        raise FetchRefused(WRONG_TYPE)
    return body
