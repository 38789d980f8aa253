"""The import core: neutral entries written through the store, on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlmodel import select

from commentbox.domain.markup import render_markdown
from commentbox.keys import Keys
from commentbox.store.models import Comment, CommentStatus, Thread
from commentbox.transfer import bodies
from commentbox.transfer.bodies import html_to_markdown
from commentbox.transfer.loader import MISSING_PARENT, PAGE_REFUSED, SPAM_PARENT, Options, load
from commentbox.transfer.model import BodyFormat, ImportedComment, ImportedThread, Kind, Skipped
from commentbox.transfer.pages import UrlMap
from tests.support import TEST_SECRET
from tests.xss import PAYLOADS, executable_parts

KEYS = Keys(TEST_SECRET.encode())
POST = ImportedThread("https://blog.example/posts/hello/", "Hello")
T0 = datetime(2020, 5, 1, 12, 0, tzinfo=UTC)


def entry(source_id: str, parent: str | None = None, **changes) -> ImportedComment:
    values = {
        "source_id": source_id,
        "thread": POST,
        "parent_id": parent,
        "created": T0 + timedelta(minutes=int(source_id) if source_id.isdigit() else 0),
        "body": f"<p>comment {source_id}</p>",
        "body_format": BodyFormat.HTML,
        "status": CommentStatus.APPROVED,
        "author_name": "Ada",
        "author_email": "Ada@Example.com",
        "ip": "192.0.2.7",
    }
    values.update(changes)
    return ImportedComment(**values)


def run(ctx, entries, **options):
    return load(ctx.db, "blog", entries, Options(source="test", **options), hash_ip=KEYS.hash_ip)


def rows(ctx, query: str) -> list[tuple]:
    with ctx.db.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(query))]


def by_body(ctx) -> dict[str, tuple]:
    """comment body → (parent's body or None, status)."""
    found = rows(
        ctx,
        "SELECT c.body, p.body, c.status FROM comment c LEFT JOIN comment p ON p.id = c.parent_id",
    )
    return {body: (parent, status) for body, parent, status in found}


def test_replies_keep_their_parents_whatever_the_order_in_the_file(ctx, blog):
    # 3 answers 2, which answers 1; the file lists the deepest reply first.
    report = run(ctx, [entry("3", "2"), entry("2", "1"), entry("1")], batch_size=1)
    assert report.created == {"approved": 3}
    assert by_body(ctx) == {
        "comment 1": (None, "approved"),
        "comment 2": ("comment 1", "approved"),
        "comment 3": ("comment 2", "approved"),
    }
    assert rows(ctx, "SELECT comment_count, title FROM thread") == [(3, "Hello")]


def test_a_reply_to_spam_hangs_from_the_nearest_ancestor_that_is_not(ctx, blog):
    entries = [
        entry("1"),
        entry("2", "1", status=CommentStatus.SPAM),
        entry("3", "2", status=CommentStatus.SPAM),
        entry("4", "3"),
        entry("5", "99"),  # its parent is nowhere
        entry("6", "7", status=CommentStatus.DELETED),
        entry("7"),
    ]
    report = run(ctx, entries)
    found = by_body(ctx)
    assert found["comment 4"] == ("comment 1", "approved")
    assert found["comment 5"] == (None, "approved")
    assert found[""] == ("comment 7", "deleted")  # a tombstone keeps its place, without its text
    assert report.reparented == {SPAM_PARENT: 2, MISSING_PARENT: 1}
    assert report.created == {"approved": 4, "spam": 2, "deleted": 1}
    # Spam stays spam and is not counted as published; the tombstone shows no author.
    assert rows(ctx, "SELECT comment_count FROM thread") == [(4,)]
    assert rows(ctx, "SELECT author_name, author_email FROM comment WHERE status = 'deleted'") == [("", None)]


def test_pending_stays_pending_and_spam_stays_spam(ctx, blog):
    run(ctx, [entry("1", status=CommentStatus.PENDING), entry("2", status=CommentStatus.SPAM)])
    assert sorted(s for _, s in by_body(ctx).values()) == ["pending", "spam"]
    assert rows(ctx, "SELECT comment_count FROM thread") == [(0,)]


def test_importing_the_same_entries_again_adds_nothing_and_a_newer_export_adds_what_is_new(ctx, blog):
    first = run(ctx, [entry("1"), entry("2", "1")])
    again = run(ctx, [entry("1"), entry("2", "1")])
    newer = run(ctx, [entry("1"), entry("2", "1"), entry("3", "2")])
    assert first.created == {"approved": 2}
    assert again.created == {} and again.already_imported == 2
    assert newer.created == {"approved": 1} and newer.already_imported == 2
    assert by_body(ctx)["comment 3"] == ("comment 2", "approved")
    assert rows(ctx, "SELECT count(*) FROM comment") == [(3,)]
    assert rows(ctx, "SELECT comment_count FROM thread") == [(3,)]


def test_a_reply_in_a_later_file_finds_its_parent_from_an_earlier_import(ctx, blog):
    run(ctx, [entry("1")])
    report = run(ctx, [entry("2", "1")])
    assert report.reparented == {}
    assert by_body(ctx)["comment 2"] == ("comment 1", "approved")


def test_an_import_stopped_between_batches_is_finished_by_running_it_again(ctx, blog):
    def stopped():
        yield entry("2", "1")  # written in the first batch, before its parent
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(ctx, stopped(), batch_size=1)
    assert by_body(ctx) == {"comment 2": (None, "approved")}
    report = run(ctx, [entry("2", "1"), entry("1")], batch_size=1)
    assert report.already_imported == 1 and report.created == {"approved": 1}
    assert by_body(ctx)["comment 2"] == ("comment 1", "approved")


def test_pages_go_through_the_canonical_url_policy_and_map_url(ctx, make_site):
    make_site(query_params=["p"])
    variants = [
        "http://old.example/?p=4&utm_source=x",
        "https://blog.example/?p=4",
        "https://BLOG.example:443/?p=4#comments",
    ]
    entries = [entry(str(i), thread=ImportedThread(url)) for i, url in enumerate(variants, 1)]
    entries.append(entry("9", thread=ImportedThread("https://elsewhere.example/post")))
    report = run(ctx, entries, url_map=UrlMap.parse(["http://old.example/=https://blog.example/"]))
    assert rows(ctx, "SELECT key, comment_count FROM thread") == [("https://blog.example/?p=4", 3)]
    assert report.threads_created == 1
    assert report.skipped == {PAGE_REFUSED: 1}
    assert report.refused_pages == {"https://elsewhere.example/post": "outside the site's origins"}


def test_map_url_refuses_a_rule_without_an_equals_sign():
    with pytest.raises(Exception, match="OLD_PREFIX=NEW_PREFIX"):
        UrlMap.parse(["https://old.example"])


def test_times_keep_their_zone_and_threads_start_with_their_oldest_comment(ctx, blog):
    local = timezone(timedelta(hours=8))
    run(ctx, [entry("1", created=datetime(2019, 1, 2, 17, 28, tzinfo=local))])
    with ctx.db.read() as session:
        comment = session.exec(select(Comment)).one()
        thread = session.exec(select(Thread)).one()
    assert comment.created == datetime(2019, 1, 2, 9, 28, tzinfo=UTC)
    assert thread.created == comment.created


def test_a_naive_time_is_refused_by_the_model():
    with pytest.raises(ValueError, match="time zone"):
        entry("1", created=datetime(2020, 1, 1))


def test_people_stay_private_guests_with_hashed_addresses(ctx, blog):
    run(
        ctx,
        [entry("1", author_website="javascript:alert(1)"), entry("2", author_website="https://ada.example")],
    )
    assert rows(
        ctx, "SELECT user_id, author_email, ip_hash, author_website FROM comment ORDER BY created"
    ) == [
        (None, "ada@example.com", KEYS.hash_ip("192.0.2.7"), None),
        (None, "ada@example.com", KEYS.hash_ip("192.0.2.7"), "https://ada.example"),
    ]


def test_a_dry_run_reports_the_same_and_writes_nothing(ctx, blog, row_count):
    entries = [entry("2", "1"), entry("1"), Skipped("a block note (private)", "n1")]
    report = run(ctx, entries, dry_run=True)
    assert report.dry_run and report.created == {"approved": 2} and report.threads_created == 1
    assert report.skipped == {"a block note (private)": 1}
    assert row_count("comment") == row_count("thread") == row_count("comment_source") == 0


def test_pingbacks_are_kept_as_their_own_kind(ctx, blog):
    report = run(ctx, [entry("1", kind=Kind.PINGBACK)])
    assert report.kinds == {"pingback": 1}
    assert rows(ctx, "SELECT source, kind FROM comment_source") == [("test:1", "pingback")]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_html_bodies_come_out_safe(ctx, blog, payload):
    report = run(ctx, [entry("1", body=payload), entry("2", body=payload, body_format=BodyFormat.MARKDOWN)])
    for (html,) in rows(ctx, "SELECT html FROM comment"):
        assert executable_parts(html) == []
    assert sum(report.created.values()) + sum(report.skipped.values()) == 2


def test_wordpress_paragraphs_and_line_breaks_survive_the_conversion():
    assert html_to_markdown("Hello\nworld\n\nSecond <b>bold</b>") == "Hello  \nworld\n\nSecond **bold**"


PLAIN = [
    "# not a heading\n1. not a list\n- nor this\n> nor a quote",
    "a_b_c *x* [a](https://x.example) `code` ~~s~~ <not a tag> &amp; &#8217; \\ back",
    "Hello\nworld\n\n\nSecond paragraph    \n  indented",
    "مرحبا 这篇 😀👍🏽 e\u0301",
    "1) x\n+ y\n***\n---\n===",
]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_bodies_skip_the_html_parser_and_render_the_same(text):
    escaped = text.replace("<not a tag>", "&lt;not a tag&gt;")
    fast = bodies.html_to_markdown(escaped)
    parsed = bodies._CONVERTER.convert(bodies.paragraphs(escaped))
    assert render_markdown(fast) == render_markdown(parsed.strip())
