"""The local spam layers that look at one submission: form token timing, honeypot, links,
blocked words and names, and the fingerprint used for duplicate detection.

Each check raises a domain error whose sentence tells the visitor what to change; none of
them stores anything. ``screening.py`` runs them in order, with the layers that need the
database (bans, duplicates, locks) and the network (Akismet).
"""

from __future__ import annotations

import hashlib
import math
import re
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from itsdangerous import BadSignature

from commentbox.errors import InvalidInput, RateLimited
from commentbox.keys import Keys

FORM_TOKEN_SALT = "commentbox.form-token"  # noqa: S105 (a salt, not a secret)
FORM_TOKEN_MAX_AGE_SECONDS = 2 * 24 * 3600
_LINK = re.compile(r"(?i)\b(?:https?://|www\.)|(?<![\w/])//[\w-]+\.")
_ANCHOR = re.compile(r"<a\s", re.IGNORECASE)
_ANCHOR_ELEMENT = re.compile(r"<a\s.*?</a>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_BARE_URL = re.compile(r"(?i)(?:https?://|www\.|(?<![\w/])//[\w-]+\.)\S*")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class RequestFacts:
    """What the request said about the sender, needed only by Akismet (raw IP never stored)."""

    ip: str = ""
    user_agent: str = ""
    referrer: str = ""


# Form token: issued with the site config, proves a form was shown some seconds ago ----------


def issue_form_token(keys: Keys, site_id: str, issued: float | None = None) -> str:
    """A signed ``{site, issued}`` the widget sends back with a new comment."""
    return keys.serializer(FORM_TOKEN_SALT).dumps(
        {"s": site_id, "t": time.time() if issued is None else issued}
    )


def check_form_token(keys: Keys, site_id: str, token: str | None, min_seconds: int) -> None:
    """Refuse a post sent without a form shown first, or sooner than ``min_seconds`` after it.

    Bots post straight to the API or within milliseconds of loading the page; people read
    first. A too-early post gets 429 with ``Retry-After`` so an honest fast typist can resend.
    """
    if min_seconds <= 0:
        return
    reload = "Reload the page and send your comment again."
    if not token:
        raise InvalidInput(f"The comment form was not loaded properly. {reload}", field="form_token")
    try:
        data = keys.serializer(FORM_TOKEN_SALT).loads(token)
    except BadSignature:
        raise InvalidInput(f"The comment form is not valid. {reload}", field="form_token") from None
    issued = data.get("t") if isinstance(data, dict) else None
    if not isinstance(issued, int | float) or data.get("s") != site_id:
        raise InvalidInput(f"The comment form belongs to another site. {reload}", field="form_token")
    age = time.time() - issued
    if age > FORM_TOKEN_MAX_AGE_SECONDS:
        raise InvalidInput(f"The comment form has expired. {reload}", field="form_token")
    if age < min_seconds:
        wait = max(1, math.ceil(min_seconds - age))
        raise RateLimited(
            f"That was quick! Please wait {wait} second{'s' if wait > 1 else ''} and send it again.",
            retry_after=wait,
        )


def check_honeypot(value: str | None) -> None:
    """The form's hidden ``url_confirm`` input: people never see it, form-filling bots do."""
    if value:
        raise InvalidInput(
            "This looks automated: a hidden field that people leave empty was filled in.", field="hp"
        )


# Content -------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Compatibility-folded, case-folded, without invisible format characters: how we compare
    words, so that ``Ｃａｓｉｎｏ`` or ``ca\u200bsino`` is still ``casino``."""
    if text.isascii():  # most comments: NFKC leaves ASCII as it is, and none of it is Cf
        return text.casefold()
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf").casefold()


def text_hash(body: str) -> str:
    """The fingerprint duplicate detection compares: folded, whitespace collapsed."""
    return hashlib.sha256(_WHITESPACE.sub(" ", fold(body)).strip().encode()).hexdigest()


def count_links(body: str, html: str) -> int:
    """Links in a comment: typed URLs (which spammers paste bare) or rendered anchors, whichever
    is more."""
    return max(len(_LINK.findall(body)), len(_ANCHOR.findall(html)))


def link_only(body: str, html: str) -> bool:
    """Whether a comment is nothing but links: no word is left once every link (its text
    too) and every typed URL is taken away. Spammers drop a bare link and go; people say
    something about what they link to."""
    if not count_links(body, html):
        return False
    text = _TAG.sub(" ", _ANCHOR_ELEMENT.sub(" ", html))
    return not any(ch.isalnum() for ch in _BARE_URL.sub(" ", text))


def check_links(body: str, html: str, max_links: int) -> None:
    found = count_links(body, html)
    if found > max_links:
        allowed = "no links" if max_links == 0 else f"at most {max_links} link{'s' if max_links > 1 else ''}"
        raise InvalidInput(
            f"Your comment has {found} links; this site accepts {allowed}. Remove some and send it again.",
            field="body",
        )


def find_blocked(patterns: Sequence[str], text: str) -> str | None:
    """The first blocked word or phrase that occurs in ``text`` as a whole word, if any."""
    if not patterns:
        return None
    folded = fold(text)
    for pattern in patterns:
        needle = fold(pattern).strip()
        if needle and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", folded):
            return pattern
    return None


def check_blocked(
    *, words: Sequence[str], names: Sequence[str], body: str, name: str, extra: Iterable[str] = ()
) -> None:
    """Refuse a comment containing a site's blocked word (in any field) or blocked name."""
    for field, text in (("body", body), ("author.name", name), *(("author", e) for e in extra)):
        found = find_blocked(words, text)
        if found:
            raise InvalidInput(
                f"Your comment contains “{found}”, which this site does not accept.", field=field
            )
    found = find_blocked(names, name)
    if found:
        raise InvalidInput(
            f"The name “{name}” cannot be used on this site. Choose another one.", field="author.name"
        )
