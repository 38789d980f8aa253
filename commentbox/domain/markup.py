"""Markdown → sanitized HTML: the only path from user text to HTML (new, edit, preview, import).

Two layers on purpose: markdown-it (CommonMark, raw HTML off, its own link validation)
produces HTML, then nh3's allow-list decides what may reach a page. A bug in either one
alone cannot smuggle script, event handlers, ``style`` or ``javascript:``/``data:`` URLs.

markdown-it is the Rust port (``markdown-it-pyrs``): the same CommonMark rules at about a
fourteenth of the Python version's cost, which was a quarter of the CPU of every post. The
port panics on a few inputs (a body of just ``[`` and a backtick does, in 0.4.0); those are
rendered by the Python version (``markdown-it-py``) with the same rules instead, so no text
can fail a post.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

import nh3
from markdown_it import MarkdownIt as PythonMarkdownIt
from markdown_it_pyrs import MarkdownIt

from commentbox.errors import InvalidInput

LINK_REL = "nofollow ugc noopener noreferrer"
# Quotes and lists nested deeper than this are refused: each level costs the parser and
# the sanitizer a pass, so 3,300 levels within the length cap took most of a second and
# 160 KB of HTML. No conversation needs more than a handful.
MAX_NESTING = 16
# One container opening at the start of a line: a quote marker, a bullet or an ordered
# list number (CommonMark allows up to three spaces before each).
_CONTAINER = re.compile(r"[ \t]{0,3}(?:>|[-+*](?=[ \t])|[0-9]{1,9}[.)](?=[ \t]))[ \t]?")
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_TEXT_TAGS = frozenset(
    {
        "p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    }
)  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}


# CommonMark's rules without raw HTML (typed tags show as text), plus ~~strikethrough~~.
_RULES: Final = (
    "blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
    "autolink", "backticks", "emphasis", "entity", "escape", "link", "newline", "strikethrough",
)  # fmt: skip


@cache
def _parser(allow_images: bool) -> MarkdownIt:
    # Without images, ``![alt](src)`` stays a plain link to the picture.
    return MarkdownIt("zero").enable_many([*_RULES, "image"] if allow_images else list(_RULES))


@cache
def _python_parser(allow_images: bool) -> PythonMarkdownIt:
    rules = [*_RULES, "image"] if allow_images else list(_RULES)
    return PythonMarkdownIt("zero").enable(rules)


def _to_html(source: str, allow_images: bool) -> str:
    try:
        return _parser(allow_images).render(source)
    except BaseException as panic:  # pyo3 raises a Rust panic as a BaseException
        if type(panic).__name__ != "PanicException":
            raise
        return _python_parser(allow_images).render(source)


@cache
def _cleaner(allow_images: bool) -> nh3.Cleaner:
    # Built once: nh3.clean() with arguments builds a new allow-list on every call, which
    # cost as much as the sanitizing itself.
    tags = _TEXT_TAGS | {"img"} if allow_images else _TEXT_TAGS
    return nh3.Cleaner(
        tags=set(tags),
        attributes={tag: set(attrs) for tag, attrs in _ATTRIBUTES.items() if tag in tags},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(source: str, *, allow_images: bool = False) -> str:
    """Render a comment's Markdown to HTML that is safe to insert into any page.

    >>> render_markdown("[x](javascript:alert(1)) **hi**")
    '<p>[x](javascript:alert(1)) <strong>hi</strong></p>'
    """
    if any(_nesting(line) > MAX_NESTING for line in source.splitlines()):
        raise InvalidInput(f"Quotes and lists may nest at most {MAX_NESTING} levels deep.", field="body")
    return _cleaner(allow_images).clean(_to_html(source, allow_images)).strip()


def _nesting(line: str) -> int:
    """How many quotes and list items this line opens at its start (stops past the limit)."""
    depth = position = 0
    while depth <= MAX_NESTING and (found := _CONTAINER.match(line, position)):
        if found.end() == position:
            break
        depth, position = depth + 1, found.end()
    return depth


# Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the
# ones that can start or end Markdown (or an entity) when plain text is read as it.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~=&])")


def escape_markdown(text: str) -> str:
    """Plain text as Markdown that renders as the same text: ``*hi*`` → ``\\*hi\\*``."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


_ANCHOR = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)


def for_email(html: str) -> str:
    """A stored comment's HTML under the stricter mail policy: no images, and every link's
    target written out next to its text (a mail reader cannot hover to see where it goes)."""
    shown = _ANCHOR.sub(lambda m: f"{m.group(2)} [{m.group(1)}]", html)
    return nh3.clean(
        shown, tags=set(_TEXT_TAGS - {"a"}), attributes={"ol": {"start"}}, strip_comments=True
    ).strip()
