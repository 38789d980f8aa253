"""Budgets across addresses: what no single client's rate limit can see.

Many clients, each within its own limit (``screening.charge``), can still pour comments
onto one thread or one site, post one campaign's text under many names, or invent page
URLs that each make a thread. These budgets belong to the thread, the site and the text,
are site settings (limits syntax, or ``off``), and are counted by the rate limiter — in
memory, or Redis for every instance — so the write path reads nothing more. Beyond them
a comment is held (bursts, campaigns) or refused (new threads: holding would still make
the thread).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from commentbox.domain import spam
from commentbox.errors import RateLimited
from commentbox.store.models import CommentStatus, Site

if TYPE_CHECKING:
    from commentbox.runtime.ratelimit import RateLimiter

SAME_TEXT_MIN_CHARS = 20


def check_new_thread(limiter: RateLimiter, site: Site) -> None:
    """A page's first comment makes its thread: beyond the site's ``new_thread_limits`` it is
    refused (429 with ``Retry-After``), so invented URLs on a registered origin cannot make
    threads without end. Asked inside the write, only when the page has no thread yet."""
    if limiter.within(site.new_thread_limits, "new-thread", site.id):
        return
    raise RateLimited(
        "This site takes no new discussions for a while. Please comment on a page that has "
        "comments already, or try again later.",
        retry_after=limiter.retry_after(site.new_thread_limits, "new-thread", site.id),
    )


def same_text_hold(limiter: RateLimiter, site: Site, body: str) -> CommentStatus | None:
    """The same text from many authors (each with their own address and name) is a campaign,
    not a discussion: beyond the site's ``same_text_limits`` (folded as duplicates compare
    it) it is held as spam. Texts shorter than ``SAME_TEXT_MIN_CHARS`` ("Thanks!", "+1") are
    what many people honestly say, so they are never counted."""
    if len(spam.fold(body).strip()) < SAME_TEXT_MIN_CHARS:
        return None
    key = f"{site.id}|{spam.text_hash(body)}"
    return None if limiter.within(site.same_text_limits, "same-text", key) else CommentStatus.SPAM


def burst_hold(limiter: RateLimiter, site: Site, thread_key: str) -> CommentStatus | None:
    """Budgets across every address: many clients pouring comments onto one thread (or one
    site) each stay within their own rate limit, so the thread's and the site's own
    budgets (``thread_write_limits``, ``site_write_limits``) hold what comes beyond them for
    a moderator instead of publishing it. Counted by the rate limiter (in memory, or Redis
    for every instance), so the write path reads nothing more. Both are charged."""
    on_thread = limiter.within(site.thread_write_limits, "thread", f"{site.id}|{thread_key}")
    on_site = limiter.within(site.site_write_limits, "site", site.id)
    return None if on_thread and on_site else CommentStatus.PENDING
