"""Canonical page URLs: one thread per page, however the visitor's browser spelled its address.

The policy (also in docs/widget.md, "One thread per page"):
- only ``http``/``https``; scheme and host lower-cased, IDNs to their ASCII (punycode) form,
  default ports dropped, user info dropped;
- fragment dropped; query dropped, except parameters the site allow-lists (kept sorted by
  name); tracking parameters (``utm_*``, ``fbclid``, ``gclid``, …) are dropped always;
- path: dot-segments resolved, percent-escapes of unreserved characters decoded, other
  escapes upper-cased, non-ASCII characters percent-encoded as UTF-8, an empty path is
  ``/`` and a trailing slash on any other path is dropped (``/post/`` = ``/post``).
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
from functools import lru_cache
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import idna

MAX_URL_CHARS = 2000
DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "yclid", "igshid", "_ga", "ref_src"}
)
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# Characters that may stand unescaped in a path (RFC 3986 pchar and "/"), plus "%" for escapes.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


class InvalidURL(ValueError):
    """The text is not an absolute http(s) URL we can key a thread by."""


def _normalize_host(host: str) -> str:
    host = host.rstrip(".").lower()
    if not host:
        raise InvalidURL("the URL has no host")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return f"[{address.compressed}]" if address.version == 6 else address.compressed
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise InvalidURL(f"the host is not a valid domain name ({exc})") from None


def _normalize_escape(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else "%" + match.group(1).upper()


def _normalize_path(path: str) -> str:
    path = quote(path, safe=_PATH_SAFE)
    path = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", path)  # a stray "%" is a literal percent sign
    path = _ESCAPE.sub(_normalize_escape, path)
    if not path.startswith("/"):
        path = "/" + path
    resolved = posixpath.normpath(path)
    if resolved.startswith("//"):  # normpath keeps a leading "//"; it is just a slash here
        resolved = "/" + resolved.lstrip("/")
    return resolved if resolved == "/" else resolved.rstrip("/")


def _is_tracking(name: str) -> bool:
    return name.lower().startswith("utm_") or name.lower() in TRACKING_PARAMS


def _split_origin(url: str) -> tuple[str, str, int | None]:
    """Parse ``url`` into (scheme, host, port-or-None) with scheme and host normalized."""
    if len(url) > MAX_URL_CHARS:
        raise InvalidURL(f"the URL is longer than {MAX_URL_CHARS} characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(str(exc)) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidURL("only http and https URLs are accepted")
    host = _normalize_host(parts.hostname or "")
    if port == DEFAULT_PORTS[scheme]:
        port = None
    return scheme, host, port


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` points at this machine only (127.0.0.0/8, ::1 or localhost)."""
    try:
        _, host, _ = _split_origin(url)
    except InvalidURL:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@lru_cache(maxsize=4096)
def origin_of(url: str) -> str:
    """``https://Blog.Example:443/x`` → ``https://blog.example``: what the browser calls the origin.
    (Remembered: every write checks its ``Origin`` header, and a site's visitors send few.)"""
    scheme, host, port = _split_origin(url)
    return f"{scheme}://{host}" + (f":{port}" if port else "")


def same_origin(value: str) -> str:
    """``origin_of`` for comparisons: a value that is not a URL stays itself (and matches nothing)."""
    try:
        return origin_of(value)
    except InvalidURL:
        return value


def canonical_url(url: str, keep_params: frozenset[str] | set[str] = frozenset()) -> str:
    """The thread key of a page address, following the policy in this module's docstring."""
    origin = origin_of(url)
    parts = urlsplit(url.strip())
    query = ""
    if keep_params:
        kept = [
            (name, value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
            if name in keep_params and not _is_tracking(name)
        ]
        query = urlencode(sorted(kept, key=lambda item: item[0]))
    scheme, netloc = origin.split("://", 1)
    return urlunsplit((scheme, netloc, _normalize_path(parts.path), query, ""))
