"""``export wxr``: a site's comments as WXR 1.2, the file WordPress's importer (Tools → Import →
WordPress) reads, streamed thread by thread.

What WordPress's importer does with it decides the shape (``../shared/IMPORT-FORMATS.md`` §1):

- One ``<item>`` per thread that has comments, with the page's title and link. The importer
  attaches the comments to an existing post of the same title (``post_exists`` compares the
  date only when the item carries one, so ``wp:post_date`` is left empty); where there is no
  such post it creates one, as a **draft**, so nothing empty is published.
- ``wp:comment_id`` is our comment id. The importer sorts a post's comments by id and maps a
  parent only if it was inserted earlier, so a parent must have the lower id: a reply whose
  parent has a higher id (an import may have written them so) gets a fresh id above every
  comment id of the database.
- Statuses in WordPress' words: approved ``1``, pending ``0``, ``spam``, deleted ``trash``
  (kept so the replies under a tombstone keep their place); pingbacks and trackbacks keep
  their ``comment_type``.
- ``comment_date`` is the blog's local time (``--timezone``, UTC by default) and
  ``comment_date_gmt`` UTC. IP addresses are not exported: we keep only keyed hashes.
- Texts are CDATA with ``]]>`` split, as WordPress writes them; the characters XML 1.0 forbids
  (most control characters, lone surrogates, U+FFFE/U+FFFF) are dropped, so the file is
  well-formed whatever a comment holds. Bodies are our sanitized HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, tzinfo
from email.utils import format_datetime
from itertools import groupby
from operator import itemgetter
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from sqlalchemy import Connection

from commentbox.errors import NotFound
from commentbox.store import backups, exports
from commentbox.store.db import Database
from commentbox.store.models import CommentStatus

APPROVED = {
    CommentStatus.APPROVED: "1",
    CommentStatus.PENDING: "0",
    CommentStatus.SPAM: "spam",
    CommentStatus.DELETED: "trash",
}
_DATE = "%Y-%m-%d %H:%M:%S"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!-- A WordPress eXtended RSS file written by commentbox: Tools > Import > WordPress reads it. -->
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>{title}</title>
<link>{link}</link>
<description></description>
<pubDate>{now}</pubDate>
<language></language>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>{link}</wp:base_site_url>
<wp:base_blog_url>{link}</wp:base_blog_url>
<generator>commentbox</generator>
"""
FOOT = "</channel>\n</rss>\n"


def cdata(text: str) -> str:
    """``text`` as one or more CDATA sections, e.g. ``a]]>b`` → ``<![CDATA[a]]]]><![CDATA[>b]]>``."""
    return "<![CDATA[" + _NOT_XML.sub("", text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def plain(text: str) -> str:
    """``text`` as escaped character data (for the elements WordPress writes without CDATA)."""
    return escape(_NOT_XML.sub("", text))


def export(db: Database, site_id: str, out: BinaryIO, *, timezone: tzinfo = UTC) -> int:
    """Write site ``site_id``'s comments to ``out`` as WXR; the number of comments written."""
    written = 0
    with db.read() as session:
        connection = session.connection()
        site = backups.site_values(connection, site_id)
        if site is None:
            raise NotFound(f"There is no site called “{site_id[:64]}”.")
        link = site["origins"][0] if site["origins"] else ""
        now = format_datetime(datetime.now(UTC))
        out.write(HEAD.format(title=cdata(site["name"] or site_id), link=plain(link), now=now).encode())
        fresh = _Fresh(connection)
        rows = exports.comments_by_thread(connection, site_id)
        for _thread_id, group in groupby(rows, key=itemgetter("thread_id")):
            comments = list(group)  # one thread at a time
            out.write(_item(comments, fresh, timezone).encode())
            written += len(comments)
        out.write(FOOT.encode())
    return written


class _Fresh:
    """Ids above every comment id of the database, for replies whose parent has a higher id."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._next: int | None = None

    def take(self) -> int:
        if self._next is None:
            self._next = exports.highest_comment_id(self._connection) + 1
        self._next += 1
        return self._next - 1


def wxr_ids(comments: list[dict[str, Any]], fresh: _Fresh) -> dict[int, int]:
    """Each comment's ``wp:comment_id``: its own id, or a fresh one where that would not be
    above its parent's (parents are numbered first, whatever the rows' order)."""
    by_id = {c["id"]: c for c in comments}
    ids: dict[int, int] = {}

    def number(comment: dict[str, Any]) -> int:
        chain = [comment]
        while (parent := by_id.get(chain[-1]["parent_id"])) is not None and parent["id"] not in ids:
            if parent in chain:  # a loop (never written by us): number it from here
                break
            chain.append(parent)
        for item in reversed(chain):
            above = ids.get(item["parent_id"], 0)
            ids[item["id"]] = item["id"] if item["id"] > above else fresh.take()
        return ids[comment["id"]]

    for comment in comments:
        if comment["id"] not in ids:
            number(comment)
    return ids


def _item(comments: list[dict[str, Any]], fresh: _Fresh, zone: tzinfo) -> str:
    first = comments[0]
    ids = wxr_ids(comments, fresh)
    created = _utc(first["thread_created"])
    title = first["title"] or first["url"]
    head = f"""<item>
<title>{cdata(title)}</title>
<link>{plain(first["url"])}</link>
<pubDate>{format_datetime(created)}</pubDate>
<dc:creator><![CDATA[]]></dc:creator>
<guid isPermaLink="false">{plain(first["url"])}</guid>
<description></description>
<content:encoded><![CDATA[]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>{first["thread_id"]}</wp:post_id>
<wp:post_date><![CDATA[]]></wp:post_date>
<wp:post_date_gmt><![CDATA[]]></wp:post_date_gmt>
<wp:comment_status><![CDATA[{"closed" if first["locked"] else "open"}]]></wp:comment_status>
<wp:ping_status><![CDATA[closed]]></wp:ping_status>
<wp:post_name><![CDATA[]]></wp:post_name>
<wp:status><![CDATA[draft]]></wp:status>
<wp:post_parent>0</wp:post_parent>
<wp:menu_order>0</wp:menu_order>
<wp:post_type><![CDATA[post]]></wp:post_type>
<wp:post_password><![CDATA[]]></wp:post_password>
<wp:is_sticky>0</wp:is_sticky>
"""
    return head + "".join(_comments(comments, ids, zone)) + "</item>\n"


def _comments(comments: Iterable[dict[str, Any]], ids: dict[int, int], zone: tzinfo) -> Iterator[str]:
    for c in comments:
        created = _utc(c["created"])
        kind = c["kind"] if c["kind"] in ("pingback", "trackback") else "comment"
        yield f"""<wp:comment>
<wp:comment_id>{ids[c["id"]]}</wp:comment_id>
<wp:comment_author>{cdata(c["author_name"])}</wp:comment_author>
<wp:comment_author_email>{cdata(c["author_email"] or "")}</wp:comment_author_email>
<wp:comment_author_url>{plain(c["author_website"] or "")}</wp:comment_author_url>
<wp:comment_date>{cdata(created.astimezone(zone).strftime(_DATE))}</wp:comment_date>
<wp:comment_date_gmt>{cdata(created.strftime(_DATE))}</wp:comment_date_gmt>
<wp:comment_content>{cdata(c["html"])}</wp:comment_content>
<wp:comment_approved>{cdata(APPROVED.get(c["status"], "0"))}</wp:comment_approved>
<wp:comment_type>{cdata(kind)}</wp:comment_type>
<wp:comment_parent>{ids.get(c["parent_id"], 0)}</wp:comment_parent>
<wp:comment_user_id>0</wp:comment_user_id>
</wp:comment>
"""


def _utc(value: datetime) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
