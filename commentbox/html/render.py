"""HTML from the Jinja2 templates in ``templates/widget``: the one renderer of comments.

The thread fragment (``/embed/thread``), a single new or edited comment (``?fragment=`` on
the comments API) and the no-JavaScript page all come from the same macros. Fragments are
the same for every viewer, so they are cached per thread *version* (see ``reading.py``):
a write anywhere bumps the version and the next read renders afresh.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlmodel import Session

from commentbox import TEMPLATES
from commentbox.domain import threads
from commentbox.domain.feeds import feed_path
from commentbox.domain.reading import Builder
from commentbox.domain.schemas import CommentPublic, Limits
from commentbox.html.i18n import Catalogue, catalogue
from commentbox.store.models import Site

PROVIDER_NAMES = {"google": "Google", "twitter": "X", "facebook": "Facebook", "demo": "Demo"}
# Server strings the loader needs too (headings it updates, labels it names in errors).
_SHARED_WITH_CLIENT = (
    "count",
    "count_none",
    "body_label",
    "name_label",
    "email_label",
    "website_label",
    "cancel",
    "deleted",
    "pending",
    "in_reply_to",
    "preview",
    "write",
)


def safe_url(value: str | None) -> str | None:
    """``value`` if it is an absolute http(s) URL, else nothing: no ``javascript:`` in an href."""
    if not value:
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def _host(url: str) -> str:
    """The site a linkback comes from, as readers know it: ``https://www.a.example/x`` → ``a.example``."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _exact(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@cache
def environment() -> Environment:
    """The one template environment of the package: widget fragments, the pages under
    ``/auth``, ``/admin`` and the demo, and email. HTML is autoescaped, the plain-text
    parts of emails are not, and an undefined name is an error, never an empty string.
    Built once: a new environment parses and compiles every template again."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        safe_url=safe_url,
        host=_host,
        iso=_iso,
        exact=_exact,
        provider_name=lambda p: PROVIDER_NAMES.get(p, str(p).title()),
    )
    return env


def client_strings(cat: Catalogue) -> str:
    """The loader's strings as JSON, carried in the fragment's ``data-strings`` attribute."""
    shared = {key: cat.server[key] for key in _SHARED_WITH_CLIENT}
    return json.dumps({**cat.client, **shared}, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Pages:
    """What the rendered pages need besides the rows: how comments are presented, the
    sign-in providers the form offers, and the form's limits."""

    presentation: threads.Presentation
    providers: tuple[str, ...]
    limits: Limits

    def form_limits(self) -> dict[str, int]:
        return {"body_chars": self.limits.body_chars, "name_chars": self.limits.name_chars}


def fragment_builder(pages: Pages, lang: str) -> Builder:
    """``/embed/thread``: the thread, its form and controls, as one sanitized HTML fragment
    (served and cached per thread version by ``reading.read_rendered``)."""

    def build(session: Session, read: threads.ReadRequest) -> bytes:
        cat = catalogue(lang)
        return (
            environment()
            .get_template("widget/thread.html")
            .render(
                page=threads.build_page(pages.presentation, session, read),
                cat=cat,
                strings=client_strings(cat),
                providers=pages.providers,
                limits=pages.form_limits(),
                sort=str(read.sort),
                max_depth=pages.presentation.max_depth,
            )
            .encode()
        )

    return build


def comment_fragment(comment: CommentPublic, lang: str) -> str:
    """One comment as the ``<li>`` the thread fragment would hold (for new and edited comments)."""
    return environment().get_template("widget/comment.html").render(c=comment, cat=catalogue(lang))


def linkback_endpoints(base_url: str, site: Site) -> dict[str, str] | None:
    """Where other sites send this site's Webmentions and pingbacks (None while it takes none)."""
    if not site.linkbacks:
        return None
    return {"webmention": f"{base_url}/webmention/{site.id}", "pingback": f"{base_url}/pingback/{site.id}"}


def page_builder(pages: Pages, lang: str, path: str) -> Builder:
    """``/threads/{site}``: a complete, script-free page of the thread (cached like fragments),
    announcing the thread's Atom feed where the site publishes feeds."""

    def build(session: Session, read: threads.ReadRequest) -> bytes:
        page = threads.build_page(pages.presentation, session, read)
        query = {"url": read.ref.url} if read.ref.page_id is None else {"page_id": read.ref.page_id}
        next_url = f"{path}?{urlencode({**query, 'lang': lang, 'cursor': page.next})}" if page.next else None
        feed_url = None
        if read.site.feeds and page.thread.id is not None:  # autodiscovery of the thread's feed
            feed = feed_path(read.site.id, page.thread.url, read.ref.page_id)
            feed_url = pages.presentation.base_url + feed
        return (
            environment()
            .get_template("widget/page.html")
            .render(
                page=page,
                cat=catalogue(lang),
                title=page.thread.title or page.thread.url or read.site.name,
                page_url=safe_url(page.thread.url),
                next_url=next_url,
                feed_url=feed_url,
                base_url=pages.presentation.base_url,
                linkbacks=linkback_endpoints(pages.presentation.base_url, read.site),
            )
            .encode()
        )

    return build
