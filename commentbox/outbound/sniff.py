"""What a body really is, from its first bytes, checked against what the server declared.

Why both: a declared ``Content-Type`` is the server's word, and the reason to ask for an image
is to serve it again. An HTML page sent as ``image/png`` must not become an "avatar" that a
browser might render, so an image must prove itself by its signature, and a body that looks
like HTML, an image or an archive is refused wherever the caller did not ask for that kind.
The patterns follow the WHATWG MIME Sniffing standard (the HTML and image signatures).
"""

from __future__ import annotations

import re
from collections.abc import Collection

SNIFF_BYTES = 512

_IMAGES: tuple[tuple[str, re.Pattern[bytes]], ...] = (
    ("image/png", re.compile(rb"\A\x89PNG\r\n\x1a\n")),
    ("image/jpeg", re.compile(rb"\A\xff\xd8\xff")),
    ("image/gif", re.compile(rb"\AGIF8[79]a")),
    ("image/webp", re.compile(rb"\ARIFF.{4}WEBPVP", re.DOTALL)),
    ("image/avif", re.compile(rb"\A.{4}ftypavi[fs]", re.DOTALL)),
    ("image/x-icon", re.compile(rb"\A\x00\x00[\x01\x02]\x00")),
)
_BINARY = re.compile(rb"\A(?:%PDF-|PK\x03\x04|\x1f\x8b|\x00\x00\x00.ftyp)", re.DOTALL)
# WHATWG's "scriptable" patterns: a tag name followed by a space or ">", after whitespace.
_HTML = re.compile(
    rb"\A[\t\n\x0c\r ]*(?:<!--|<(?:!DOCTYPE HTML|HTML|HEAD|SCRIPT|IFRAME|H1|DIV|FONT|TABLE|A|STYLE"
    rb"|TITLE|B|BODY|BR|P)[ >])",
    re.IGNORECASE,
)
_XML = re.compile(rb"\A(?:\xef\xbb\xbf)?[\t\n\x0c\r ]*<\?xml")
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/vnd.microsoft.icon": "image/x-icon",
}


def media_type(content_type: str) -> str:
    """``'Text/HTML; charset=utf-8'`` → ``'text/html'``; aliases of one image type agree."""
    bare = content_type.partition(";")[0].strip().lower()
    return _ALIASES.get(bare, bare)


def sniff(prefix: bytes) -> str | None:
    """The kind the bytes show: an image type, ``text/html``, ``text/xml``,
    ``application/octet-stream`` for archives and documents, or None for anything else."""
    for kind, signature in _IMAGES:
        if signature.match(prefix):
            return kind
    if _BINARY.match(prefix):
        return "application/octet-stream"
    if _XML.match(prefix):
        return "text/xml"
    if _HTML.match(prefix):
        return "text/html"
    return None


def accepts(accept: Collection[str], declared: str) -> bool:
    """Whether the declared media type is one the caller named (``image/*`` names a family)."""
    family = declared.partition("/")[0] + "/*"
    return declared in accept or family in accept


def body_matches(declared: str, prefix: bytes) -> bool:
    """Whether the first bytes are consistent with the declared media type."""
    found = sniff(prefix)
    if declared.startswith("image/"):
        return found == declared
    if found is None:
        return True
    if found == "text/html":
        return declared in ("text/html", "application/xhtml+xml")
    if found == "text/xml":
        return declared in ("text/html", "text/xml") or declared.endswith(("/xml", "+xml"))
    return False  # an image, an archive or a document where none was declared
