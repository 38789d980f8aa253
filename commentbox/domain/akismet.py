"""Akismet's ``comment-check``, optional: only used when ``COMMENTBOX_AKISMET_KEY`` is set.

The endpoint is a setting (``COMMENTBOX_AKISMET_URL``) so tests run against a local fake
(allowed by ``COMMENTBOX_OUTBOUND_ALLOW_HOSTS``: the request goes through the safe fetcher,
like everything that leaves the server). Akismet being slow, down or confused never loses a
comment: the caller holds it for a moderator instead (``Verdict.UNKNOWN``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode

from commentbox.outbound.fetch import Fetcher, FetchRefused

log = logging.getLogger(__name__)


class Verdict(StrEnum):
    HAM = "ham"
    SPAM = "spam"
    DISCARD = "discard"  # blatant spam (Akismet's "X-akismet-pro-tip: discard")
    UNKNOWN = "unknown"  # no answer we can trust


@dataclass(frozen=True)
class AkismetQuery:
    """What Akismet looks at; ``blog`` is the site's front page, ``permalink`` the article."""

    blog: str
    user_ip: str
    user_agent: str
    referrer: str
    permalink: str
    author: str
    author_email: str
    author_url: str
    content: str
    comment_type: str = "comment"


ANSWER_BYTES = 4096  # "true" or "false"; anything longer is not an answer


class Akismet:
    def __init__(self, fetcher: Fetcher, url: str, key: str, timeout: float) -> None:
        self._fetcher = fetcher
        self._url = url.rstrip("/") + "/comment-check"
        self._key = key
        self._timeout = timeout

    def check(self, query: AkismetQuery) -> Verdict:
        form = {
            "api_key": self._key,
            "blog": query.blog,
            "user_ip": query.user_ip,
            "user_agent": query.user_agent,
            "referrer": query.referrer,
            "permalink": query.permalink,
            "comment_type": query.comment_type,
            "comment_author": query.author,
            "comment_author_email": query.author_email,
            "comment_author_url": query.author_url,
            "comment_content": query.content,
            "blog_charset": "UTF-8",
        }
        try:
            response = self._fetcher.post(
                self._url,
                content=urlencode(form).encode(),
                content_type="application/x-www-form-urlencoded",
                accept={"text/plain"},
                max_bytes=ANSWER_BYTES,
                deadline=self._timeout,
            )
        except FetchRefused as exc:
            log.warning("Akismet unreachable (%s); holding the comment for moderation", exc.reason)
            return Verdict.UNKNOWN
        answer = response.text().strip()
        if response.status != 200 or answer not in ("true", "false"):
            log.warning(
                "Akismet answered %s %r (%s); holding the comment for moderation",
                response.status,
                answer[:40],
                response.headers.get("x-akismet-debug-help", ""),
            )
            return Verdict.UNKNOWN
        if answer == "false":
            return Verdict.HAM
        if response.headers.get("x-akismet-pro-tip", "").lower() == "discard":
            return Verdict.DISCARD
        return Verdict.SPAM
