"""Sites: who may embed commentbox, from which origins, with which rules."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlmodel import Session

from commentbox.domain.urls import InvalidURL, origin_of
from commentbox.errors import Conflict, Forbidden, InvalidInput, NotFound
from commentbox.runtime.ratelimit import checked_rules
from commentbox.store import rows
from commentbox.store.db import Database
from commentbox.store.models import ModerationMode, NotifyModerators, Site

SITE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_ORIGINS = 100
MAX_EDIT_WINDOW = 365 * 86400


def get_site(session: Session, site_id: str) -> Site:
    site = rows.site_by_id(session, site_id)
    if site is None:
        raise NotFound(f"There is no site called “{site_id[:64]}”.")
    return site


def check_origin(site: Site, origin: str | None) -> None:
    """Refuse a browser request sent from a page that is not one of the site's origins.

    Requests without ``Origin`` come from non-browser clients, which carry no ambient
    credentials to forge; browsers always send it on writes.
    """
    if origin is None:
        return
    try:
        normalized = origin_of(origin)
    except InvalidURL:
        normalized = origin
    if normalized not in site.origins:
        raise Forbidden("This page's origin is not registered for this site.")


def normalize_origins(origins: Sequence[str]) -> list[str]:
    result = []
    for origin in origins:
        try:
            normalized = origin_of(origin)
        except InvalidURL as exc:
            raise InvalidInput(f"“{origin}” is not a valid origin: {exc}.", field="origin") from None
        if normalized not in result:
            result.append(normalized)
    return result


def add_site(
    db: Database,
    site_id: str,
    *,
    origins: Sequence[str],
    name: str | None = None,
    moderation: ModerationMode = ModerationMode.NONE,
) -> Site:
    if not SITE_ID.match(site_id):
        raise InvalidInput("A site id is 1–64 lower-case letters, digits, '-' or '_'.", field="id")
    if not origins:
        raise InvalidInput("Give at least one origin the site is served from.", field="origin")
    site = Site(id=site_id, name=name or site_id, origins=normalize_origins(origins), moderation=moderation)
    with db.write() as session:
        if rows.site_by_id(session, site_id) is not None:
            raise Conflict(f"The site “{site_id}” exists already.")
        rows.save(session, site)
    return site


def ensure_site(db: Database, site_id: str, *, origins: Sequence[str], name: str) -> Site:
    """The site with at least these origins: added when missing (the demo site at each start)."""
    with db.write() as session:
        site = rows.site_by_id(session, site_id)
        if site is None:
            site = Site(id=site_id, name=name, origins=normalize_origins(origins))
        else:
            site.origins = site.origins + [o for o in normalize_origins(origins) if o not in site.origins]
        rows.save(session, site)
    return site


def load_site(db: Database, site_id: str) -> Site:
    with db.read() as session:
        return get_site(session, site_id)


def list_sites(db: Database) -> list[Site]:
    with db.read() as session:
        return list(rows.all_sites(session))


def update_site(
    db: Database,
    site_id: str,
    *,
    name: str | None = None,
    origins: Sequence[str] | None = None,
    add_origins: Sequence[str] = (),
    remove_origins: Sequence[str] = (),
    moderation: ModerationMode | None = None,
    edit_window_seconds: int | None = None,
    user_edit_window_seconds: int | None = None,
    allow_images: bool | None = None,
    query_params: Sequence[str] | None = None,
    max_links: int | None = None,
    min_post_seconds: int | None = None,
    blocked_words: Sequence[str] | None = None,
    blocked_names: Sequence[str] | None = None,
    close_after_days: int | None = None,
    notify_moderators: NotifyModerators | None = None,
    hold_link_only: bool | None = None,
    thread_write_limits: str | None = None,
    site_write_limits: str | None = None,
    new_thread_limits: str | None = None,
    same_text_limits: str | None = None,
    feeds: bool | None = None,
    linkbacks: bool | None = None,
    publish_linkbacks: bool | None = None,
    ip_hash_days: int | None = None,
    guest_email_days: int | None = None,
) -> Site:
    """Change what is given; ``origins`` replaces the list (the admin page's), ``add_origins``
    and ``remove_origins`` change it (the CLI's); ``close_after_days=0`` keeps threads open
    for good, and ``guest_email_days=0`` keeps guests' emails as long as their comments.

    ``linkbacks`` turns receiving Webmentions and pingbacks on or off (``commentbox site
    update ID --linkbacks on|off``); ``publish_linkbacks`` shows verified ones at once
    instead of holding them for a moderator."""
    with db.write() as session:
        site = get_site(session, site_id)
        removed = set(normalize_origins(remove_origins))
        kept = site.origins if origins is None else normalize_origins(origins)
        new_origins = [o for o in kept if o not in removed]
        new_origins += [o for o in normalize_origins(add_origins) if o not in new_origins]
        if not new_origins:
            raise InvalidInput("A site needs at least one origin.", field="origin")
        if len(new_origins) > MAX_ORIGINS:
            raise InvalidInput(f"A site has at most {MAX_ORIGINS} origins.", field="origin")
        site.origins = new_origins
        if name is not None:
            site.name = name
        if moderation is not None:
            site.moderation = moderation
        if edit_window_seconds is not None:
            site.edit_window_seconds = _window(edit_window_seconds, "edit_window_seconds")
        if user_edit_window_seconds is not None:
            site.user_edit_window_seconds = _window(user_edit_window_seconds, "user_edit_window_seconds")
        if allow_images is not None:
            site.allow_images = allow_images
        if query_params is not None:
            site.query_params = sorted(set(query_params))
        if max_links is not None:
            site.max_links = _at_least(0, max_links, "max_links")
        if min_post_seconds is not None:
            site.min_post_seconds = _at_least(0, min_post_seconds, "min_post_seconds")
        if blocked_words is not None:
            site.blocked_words = _word_list(blocked_words, "blocked_words")
        if blocked_names is not None:
            site.blocked_names = _word_list(blocked_names, "blocked_names")
        if close_after_days is not None:
            site.close_after_days = _at_least(0, close_after_days, "close_after_days") or None
        if notify_moderators is not None:
            site.notify_moderators = notify_moderators
        if hold_link_only is not None:
            site.hold_link_only = hold_link_only
        if thread_write_limits is not None:
            site.thread_write_limits = _rules(thread_write_limits, "thread_write_limits")
        if site_write_limits is not None:
            site.site_write_limits = _rules(site_write_limits, "site_write_limits")
        if new_thread_limits is not None:
            site.new_thread_limits = _rules(new_thread_limits, "new_thread_limits")
        if same_text_limits is not None:
            site.same_text_limits = _rules(same_text_limits, "same_text_limits")
        if feeds is not None:
            site.feeds = feeds
        if linkbacks is not None:
            site.linkbacks = linkbacks
        if publish_linkbacks is not None:
            site.publish_linkbacks = publish_linkbacks
        if ip_hash_days is not None:
            site.ip_hash_days = _days(ip_hash_days, "ip_hash_days", low=1)
        if guest_email_days is not None:
            site.guest_email_days = _days(guest_email_days, "guest_email_days", low=0) or None
        rows.save(session, site)
    return site


def _days(value: int, field: str, *, low: int) -> int:
    """A retention period: from ``low`` to 100 years."""
    if not low <= value <= 36500:
        raise InvalidInput(f"“{field}” must be a number of days from {low} to 36500.", field=field)
    return value


def _at_least(low: int, value: int, field: str) -> int:
    if value < low:
        raise InvalidInput(f"“{field}” must be {low} or more.", field=field)
    return value


def _window(seconds: int, field: str) -> int:
    """An edit window: 0 (guests: none; signed-in authors: no limit) up to a year."""
    if not 0 <= seconds <= MAX_EDIT_WINDOW:
        raise InvalidInput(
            f"“{field}” is a number of seconds from 0 to {MAX_EDIT_WINDOW} (a year).", field=field
        )
    return seconds


def _rules(value: str, field: str) -> str:
    try:
        rules = checked_rules(value)
    except ValueError as exc:
        raise InvalidInput(f"“{field}” {exc}.", field=field) from None
    if len(rules) > 100:
        raise InvalidInput(f"“{field}” is at most 100 characters.", field=field)
    return rules


def _word_list(words: Sequence[str], field: str) -> list[str]:
    """Blocked words or names: trimmed, without blanks or repeats, in the order given."""
    result: list[str] = []
    for word in words:
        word = " ".join(word.split())
        if len(word) > 100:
            raise InvalidInput("A blocked word or name is at most 100 characters.", field=field)
        if word and word.casefold() not in {w.casefold() for w in result}:
            result.append(word)
    if len(result) > 1000:
        raise InvalidInput("Block at most 1000 words or names.", field=field)
    return result


def remove_site(db: Database, site_id: str) -> None:
    with db.write() as session:
        rows.remove(session, get_site(session, site_id))
