"""Imported bodies: HTML from the old system becomes Markdown, then goes through ``markup.py``.

Why convert instead of keeping the HTML: a comment's ``body`` is its editable source and
``markup.py`` is the only path to stored HTML, so an imported comment is edited and
rendered exactly like a live one. Conversion (markdownify) keeps paragraphs, line breaks,
emphasis, code, quotes, lists and links; everything else becomes its text. It is not what
makes the result safe — ``render_markdown`` is (raw HTML off, then the allow-list), so
``<script>`` or ``onerror=`` in an old export ends up as nothing or as text.
"""

from __future__ import annotations

import html as html_module
import re
from typing import Any

from bs4 import BeautifulSoup, Tag
from markdownify import MarkdownConverter

from commentbox.domain.markup import escape_markdown, render_markdown
from commentbox.errors import InvalidInput
from commentbox.transfer.model import BodyFormat

_BLANK_LINES = re.compile(r"\n[ \t]*\n+")
_LINK_TEXT = re.compile(r"([\\\[\]*_`])")
_BLOCK = re.compile(r"<(?:p|div|pre|blockquote|ul|ol|table|h[1-6])[\s>]", re.IGNORECASE)


class _NearestParent:
    """``find_parent(name)`` as a walk up the tree: markdownify asks it of every element (is
    it inside a ``<pre>``?), and bs4's general matcher built a filter object for each ask,
    a fifth of a conversion. Same answer: the nearest ancestor of that name, or None."""

    parent: Any

    def find_parent(self, name: Any = None, attrs: Any = None, **kwargs: Any) -> Any:
        if not isinstance(name, str) or attrs is not None or kwargs:
            return super().find_parent(name, attrs, **kwargs)  # type: ignore[misc]
        parent = self.parent
        while parent is not None and parent.name != name:
            parent = parent.parent
        return parent


class _Tag(_NearestParent, Tag):
    pass


class _Soup(_NearestParent, BeautifulSoup):
    pass


class _Converter(MarkdownConverter):
    """markdownify's rules, except that a picture becomes a link to it named by its alt text:
    images are a site setting (``allow_images``), and an unnamed link would show as nothing."""

    def convert(self, html: str) -> str:
        return str(self.convert_soup(_Soup(html, "html.parser", element_classes={Tag: _Tag})))

    def convert_img(self, el: Any, text: str, parent_tags: Any) -> str:
        src = (el.attrs.get("src") or "").strip()
        if not src:
            return ""
        alt = _LINK_TEXT.sub(r"\\\1", (el.attrs.get("alt") or "").strip() or "image")
        return f"[{alt}]({src})"


_CONVERTER = _Converter(heading_style="ATX", bullets="-", escape_misc=True)


class Unrenderable(ValueError):
    """A body the renderer refuses (lists or quotes nested past its limit)."""


def paragraphs(text: str) -> str:
    """WordPress keeps paragraphs as blank lines and line breaks as newlines (its ``wpautop``
    adds the tags at display); make them tags so the conversion keeps them."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if _BLOCK.search(text):
        return text
    return "".join("<p>" + part.strip().replace("\n", "<br>\n") + "</p>" for part in _BLANK_LINES.split(text))


def _plain_to_markdown(text: str) -> str:
    """A body without tags, as Markdown that renders as the same text: entities decoded,
    punctuation escaped, WordPress' paragraphs and line breaks kept. (Most old comments are
    plain text; this skips the HTML parser for them, which was most of an import's time.)"""
    paragraphs_ = _BLANK_LINES.split(text.replace("\r\n", "\n").replace("\r", "\n").strip())
    return "\n\n".join(
        "  \n".join(escape_markdown(line.strip()) for line in part.strip().split("\n"))
        for part in (html_module.unescape(p) for p in paragraphs_)
    )


def html_to_markdown(html: str) -> str:
    """Markdown for an HTML body, e.g. ``<p>Hi <b>you</b></p>`` → ``Hi **you**``."""
    if "<" not in html:
        return _plain_to_markdown(html)
    converted = _CONVERTER.convert(paragraphs(html))
    return _BLANK_LINES.sub("\n\n", converted).strip()


def render(body: str, body_format: BodyFormat, *, allow_images: bool) -> tuple[str, str]:
    """``(markdown source, safe html)`` for an imported body."""
    source = html_to_markdown(body) if body_format is BodyFormat.HTML else body.strip()
    try:
        return source, render_markdown(source, allow_images=allow_images)
    except InvalidInput as exc:
        raise Unrenderable(str(exc)) from None
