"""``commentbox import disqus``: the real CLI on real Disqus exports and on hand-made ones."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from commentbox.transfer.loader import SPAM_PARENT
from tests.transfer_support import WXR, fixture, import_report

DISQUS = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
{records}
</disqus>
"""
THREAD = """<thread dsq:id="{id}"><id>{identifier}</id><link>{link}</link><title>{title}</title>
<createdAt>2020-01-01T00:00:00Z</createdAt><isDeleted>{deleted}</isDeleted></thread>"""
POST = """<post dsq:id="{id}"><id /><message><![CDATA[{message}]]></message>
<createdAt>{created}</createdAt><isDeleted>{deleted}</isDeleted><isSpam>{spam}</isSpam>
<author><name>{name}</name><isAnonymous>true</isAnonymous></author>
<thread dsq:id="{thread}" />{parent}</post>"""


def thread(id: str = "t1", **changes: str) -> str:
    values = {"id": id, "identifier": "", "link": "https://blog.example/post/", "title": "Post",
              "deleted": "false"} | changes  # fmt: skip
    return THREAD.format(**values)


def post(id: str, parent: str | None = None, **changes: str) -> str:
    values = {"id": id, "message": f"<p>post {id}</p>", "created": "2020-01-02T03:04:05Z", "deleted": "false",
              "spam": "false", "name": "Guest", "thread": "t1"} | changes  # fmt: skip
    values["parent"] = f'<parent dsq:id="{parent}" />' if parent else ""
    return POST.format(**values)


def export(tmp_path: Path, *records: str) -> Path:
    path = tmp_path / "disqus.xml"
    path.write_text(DISQUS.format(records="\n".join(records)), encoding="utf-8")
    return path


imported = partial(import_report, "disqus")


def test_issos_sample_keeps_the_reply_under_a_deleted_post_and_reports_the_orphan(cli, capsys, query):
    cli(["site", "add", "s", "--origin", "http://example.org", "--origin", "http://localhost:4000"])
    capsys.readouterr()
    report = imported(cli, capsys, fixture("disqus/isso/disqus.xml"), "s")
    assert report["comments"]["created"] == {"approved": 4, "deleted": 1}
    assert report["skipped"] == {"its thread is not in the file": 1}
    [(parent_status,)] = query(
        "SELECT p.status FROM comment c JOIN comment p ON p.id = c.parent_id WHERE c.body = 'Hello, World.'"
        " AND p.status = 'deleted'"
    )
    assert parent_status == "deleted"
    assert "http://localhost:4000/blog/2013/02/12/redacted/index.html" in [
        k for (k,) in query("SELECT key FROM thread")
    ]


def test_a_pretty_printed_export_is_read_trimmed_with_its_chain_of_replies(cli, capsys, query):
    cli(["site", "add", "s", "--origin", "http://127.0.0.1:5500"])
    capsys.readouterr()
    report = imported(cli, capsys, fixture("disqus/artransfer/Disqus.sample"), "s")
    assert report["comments"]["created"] == {"approved": 4}
    assert query("SELECT key FROM thread") == [("http://127.0.0.1:5500/disqus.html",)]
    assert query("SELECT count(*) FROM comment WHERE parent_id IS NOT NULL") == [(2,)]
    assert "what？" in [n for (n,) in query("SELECT author_name FROM comment")]


@pytest.mark.parametrize(("name", "created"), [("disqus-ok-single.xml.gz", 1), ("disqus-ok-empty.xml.gz", 0)])
def test_comentarios_gzip_exports(cli, capsys, name, created):
    cli(["site", "add", "s", "--origin", "http://example.com"])
    capsys.readouterr()
    report = imported(cli, capsys, fixture(f"disqus/comentario/{name}"), "s")
    assert sum(report["comments"]["created"].values()) == created


@pytest.mark.parametrize(
    "relative",
    [
        "disqus/comentario/disqus-bad-format.xml.gz",
        "disqus/remark42/disqus.xml",  # a stray backtick before the declaration
        "disqus/remark42/disqus-deleted-thread.xml",
    ],
)
def test_malformed_real_exports_are_refused_with_where(cli, capsys, query, blog_site, relative):
    assert cli(["import", "disqus", str(fixture(relative)), "--site", "blog"]) == 1
    assert "is not well-formed XML (line" in capsys.readouterr().err
    assert query("SELECT count(*) FROM comment") == [(0,)]


def test_spam_and_deleted_flags_mean_what_they_meant(cli, capsys, query, tmp_path, blog_site):
    path = export(
        tmp_path,
        thread(),
        thread("t2", link="https://blog.example/gone/", deleted="true"),
        post("1"),
        post("2", spam="true"),
        post("3", spam="123"),  # neither true nor false: never published
        post("4", deleted="true"),
        post("5", "2"),  # a reply to spam
        post("6", thread="t2"),
    )
    report = imported(cli, capsys, path)
    assert report["comments"]["created"] == {"approved": 2, "spam": 2, "deleted": 1}
    assert report["skipped"] == {"its thread was deleted on Disqus": 1}
    assert report["reparented"] == {SPAM_PARENT: 1}
    assert query("SELECT parent_id FROM comment WHERE body = 'post 5'") == [(None,)]
    assert query("SELECT comment_count FROM thread") == [(2,)]


def test_identifiers_become_page_ids_when_asked(cli, capsys, query, tmp_path, blog_site):
    path = export(
        tmp_path,
        thread("t1", identifier="post-42"),
        thread("t2", link="https://blog.example/other/"),  # no identifier: keyed by its link
        post("1"),
        post("2", thread="t2"),
    )
    imported(cli, capsys, path, "blog", "--disqus-ids-as-page-ids")
    assert sorted(query("SELECT key, url FROM thread")) == [
        ("https://blog.example/other", "https://blog.example/other"),
        ("id:post-42", "https://blog.example/post"),
    ]


def test_a_post_before_its_thread_and_a_time_without_zone(cli, capsys, query, tmp_path, blog_site):
    path = export(tmp_path, post("1", created="2012-12-12T12:12:12"), post("2", "1"), thread())
    report = imported(cli, capsys, path)
    assert report["comments"]["created"] == {"approved": 2}
    first, _ = query("SELECT created FROM comment ORDER BY id")
    assert str(first[0]).startswith("2012-12-12 12:12:12")
    again = imported(cli, capsys, path)
    assert again["comments"]["already_imported"] == 2 and again["comments"]["created"] == {}


def test_a_wordpress_file_given_to_import_disqus_says_which_command(cli, capsys, tmp_path, blog_site):
    path = tmp_path / "export.xml"
    path.write_text(WXR.format(comments=""))
    assert cli(["import", "disqus", str(path), "--site", "blog"]) == 1
    assert "looks like a WordPress export: use `import wordpress`" in capsys.readouterr().err
