"""``commentbox import wordpress``: the real CLI on real WXR files and on hostile ones."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import time
import zipfile
from functools import partial
from pathlib import Path

import pytest

from tests.transfer_support import WXR, fixture, import_report, wxr
from tests.xss import PAYLOADS, executable_parts

imported = partial(import_report, "wordpress")


def depth(query) -> int:
    parents = dict(query("SELECT id, parent_id FROM comment"))
    deepest = 0
    for comment in parents:
        level, node = 1, parents[comment]
        while node is not None:
            level, node = level + 1, parents[node]
        deepest = max(deepest, level)
    return deepest


def test_the_theme_unit_test_export_imports_whole_and_once(cli, capsys, query):
    assert cli(["site", "add", "theme", "--origin", "https://wpthemetestdata.wordpress.com"]) == 0
    capsys.readouterr()
    path = fixture("wxr/wordpress-importer/theme-unit-test-data.xml")
    report = imported(cli, capsys, path, "theme")
    assert report["comments"]["created"] == {"approved": 30, "pending": 3}
    assert report["comments"]["kinds"] == {"pingback": 2, "trackback": 2}
    assert report["threads"] == {"created": 7, "existing": 0}
    assert depth(query) == 10  # its "Level 01" … "Level 10" thread keeps its shape
    again = imported(cli, capsys, path, "theme")
    assert again["comments"] == {"created": {}, "already_imported": 33, "kinds": {}}
    assert query("SELECT count(*) FROM comment") == [(33,)]


@pytest.mark.parametrize(
    ("relative", "origin", "created", "extra"),
    [
        ("wxr/artransfer/WordPress.sample", "http://10.90.1.130:8099", {"approved": 5}, []),
        ("wxr/isso/wordpress.xml", "http://example.tld", {"approved": 8}, []),
        (
            "wxr/remark42/wordpress_test--xmlTestWP.xml",
            "https://realmenweardress.es",
            {"approved": 3, "pending": 1},
            [],
        ),
        (
            "wxr/wordpress-importer/test-serialized-comment-meta.xml",
            "http://test.wordpress.org",
            {"approved": 1},
            [],
        ),
        ("wxr/comentario/wordpress-ok-single.zip", "https://example.com", {"approved": 1}, []),
        ("wxr/comentario/wordpress-ok-long.zip", "https://example.com", {"approved": 1}, []),
    ],
)
def test_real_exports_import_every_comment(cli, capsys, relative, origin, created, extra):
    assert cli(["site", "add", "s", "--origin", origin]) == 0
    capsys.readouterr()
    report = imported(cli, capsys, fixture(relative), "s", *extra)
    assert report["comments"]["created"] == created
    assert report["skipped"] == {}


def test_block_notes_are_never_imported(cli, capsys, query):
    cli(["site", "add", "s", "--origin", "https://playground.wordpress.net"])
    capsys.readouterr()
    report = imported(cli, capsys, fixture("wxr/wordpress-importer/wxr-with-note-comments.xml"), "s")
    assert report["comments"]["created"] == {"approved": 1}
    assert report["skipped"] == {"a WordPress block note (private, editorial)": 2}


def test_wordpress_query_links_stay_apart_when_the_site_keeps_p(cli, capsys, query):
    cli(["site", "add", "s", "--origin", "http://example.tld"])
    cli(["site", "update", "s", "--query-param", "p"])
    capsys.readouterr()
    imported(cli, capsys, fixture("wxr/isso/wordpress.xml"), "s")
    assert sorted(k for (k,) in query("SELECT key FROM thread")) == [
        "http://example.tld/2014/test",
        "http://example.tld/?p=4",
    ]


def test_utc_times_come_from_comment_date_gmt(cli, capsys, query):
    cli(["site", "add", "s", "--origin", "http://10.90.1.130:8099"])
    capsys.readouterr()
    imported(cli, capsys, fixture("wxr/artransfer/WordPress.sample"), "s")
    [(created,)] = query("SELECT created FROM comment WHERE author_name = '一位WordPress评论者'")
    assert str(created).startswith("2022-04-09 09:28:47")


def test_entities_in_pingback_authors_and_a_newline_before_the_declaration(cli, capsys, query):
    cli(["site", "add", "s", "--origin", "https://realmenweardress.es"])
    capsys.readouterr()
    imported(cli, capsys, fixture("wxr/remark42/wordpress_test--xmlTestWP.xml"), "s")
    names = [
        n
        for (n,) in query(
            "SELECT c.author_name FROM comment c JOIN comment_source s ON s.comment_id = c.id"
            " WHERE s.kind = 'pingback'"
        )
    ]
    assert names and names[0].startswith("Wednesday Reading « Cynwise's")


def test_statuses_mean_what_they_meant(cli, capsys, query, tmp_path, blog_site):
    statuses = ["1", "0", "spam", "trash", "post-trashed"]
    report = imported(cli, capsys, wxr(tmp_path, *({"status": s} for s in statuses)), "blog")
    assert report["comments"]["created"] == {"approved": 1, "pending": 1, "spam": 1, "deleted": 2}
    assert query("SELECT comment_count FROM thread") == [(1,)]


def test_a_local_time_needs_the_sites_time_zone(cli, capsys, query, tmp_path, blog_site):
    path = wxr(tmp_path, {"gmt": "0000-00-00 00:00:00", "local": "2021-07-01 14:00:00"})
    refused = imported(cli, capsys, path, "blog")
    assert refused["skipped"] == {"only a site-local time (no valid comment_date_gmt): give --timezone": 1}
    report = imported(cli, capsys, path, "blog", "--timezone", "Europe/Paris")
    assert report["comments"]["created"] == {"approved": 1}
    [(created,)] = query("SELECT created FROM comment")
    assert str(created).startswith("2021-07-01 12:00:00")  # summer time: UTC+2
    assert cli(["import", "wordpress", str(path), "--site", "blog", "--timezone", "Mars/Olympus"]) == 1
    assert "not a time zone" in capsys.readouterr().err


def test_a_dry_run_prints_the_report_and_writes_nothing(cli, capsys, query, tmp_path, blog_site):
    path = wxr(tmp_path, {}, {"parent": 1})
    assert cli(["import", "wordpress", str(path), "--site", "blog", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dry run: nothing written" in out and "would create 2 (2 approved)" in out
    assert query("SELECT count(*) FROM comment") == query("SELECT count(*) FROM thread") == [(0,)]


def test_map_url_moves_a_site_and_other_origins_are_reported(cli, capsys, query, tmp_path, blog_site):
    path = wxr(tmp_path, {})
    path.write_text(path.read_text().replace("https://blog.example/post/", "http://old.example/post/"))
    report = imported(cli, capsys, path, "blog")
    assert report["refused_pages"] == {"http://old.example/post/": "outside the site's origins"}
    moved = imported(cli, capsys, path, "blog", "--map-url", "http://old.example=https://blog.example")
    assert moved["comments"]["created"] == {"approved": 1}
    assert query("SELECT key FROM thread") == [("https://blog.example/post",)]


def test_hostile_bodies_come_out_without_anything_executable(cli, capsys, query, tmp_path, blog_site):
    bodies = [p.replace("]]>", "") for p in PAYLOADS]
    imported(cli, capsys, wxr(tmp_path, *({"body": b} for b in bodies)), "blog")
    for (html,) in query("SELECT html FROM comment"):
        assert executable_parts(html) == []


BOMB = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<rss><channel><item><title>&d;</title></item></channel></rss>"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&x;</title></item></channel></rss>"""


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: _write(d, "bomb.xml", BOMB.encode()), "declares a DTD or entities"),
        (lambda d: _write(d, "external.xml", EXTERNAL.encode()), "declares a DTD or entities"),
        (lambda d: _write(d, "cut.xml", WXR.format(comments="").encode()[:200]), "not well-formed XML (line"),
        (
            lambda d: _write(d, "cut.xml.gz", gzip.compress(WXR.format(comments="").encode())[:60]),
            "damaged or truncated",
        ),
        (
            lambda d: _write(d, "disqus.xml", b'<disqus xmlns="http://disqus.com"></disqus>'),
            "use `import disqus`",
        ),
        (
            lambda d: _write(d, "page.html", b"<html><body>hi</body></html>"),
            "not the export expected (its root is <html>",
        ),
        (lambda d: d / "missing.xml", "Cannot read"),
        (
            lambda d: _write(d, "big.xml", WXR.format(comments=" " * (2 * 1024**2)).encode()),
            "larger than the limit",
        ),
    ],
)
def test_bad_files_get_one_sentence_and_change_nothing(
    cli, capsys, query, tmp_path, blog_site, make, message
):
    path = make(tmp_path)
    assert cli(["import", "wordpress", str(path), "--site", "blog", "--max-size", "1"]) == 1
    captured = capsys.readouterr()
    assert message in captured.err and captured.err.count("\n") == 1 and captured.out == ""
    assert query("SELECT count(*) FROM comment") == query("SELECT count(*) FROM thread") == [(0,)]


def test_a_file_malformed_after_its_first_comments_writes_none_of_them(
    cli, capsys, query, tmp_path, blog_site
):
    path = wxr(tmp_path, *({} for _ in range(600)))
    path.write_bytes(path.read_bytes().replace(b"</channel>", b"<broken></channel>"))
    assert cli(["import", "wordpress", str(path), "--site", "blog"]) == 1
    assert "not well-formed" in capsys.readouterr().err
    assert query("SELECT count(*) FROM comment") == [(0,)]


@pytest.mark.parametrize("fixture_name", ["wordpress-bad-format.zip", "wordpress-bad-two-files.zip"])
def test_comentarios_bad_zips_are_refused(cli, capsys, query, blog_site, fixture_name):
    path = fixture(f"wxr/comentario/{fixture_name}")
    assert cli(["import", "wordpress", str(path), "--site", "blog"]) == 1
    err = capsys.readouterr().err
    assert ("not well-formed" in err) if "format" in fixture_name else ("holds 2 files" in err)
    assert query("SELECT count(*) FROM comment") == [(0,)]


def test_a_zip_bomb_is_refused_as_it_inflates(cli, capsys, tmp_path, blog_site):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.xml", WXR.format(comments=" " * (3 * 1024**2)))
    assert path.stat().st_size < 64 * 1024
    assert cli(["import", "wordpress", str(path), "--site", "blog", "--max-size", "1"]) == 1
    assert "larger than the limit" in capsys.readouterr().err


def test_crazy_cdata_is_refused_and_its_escaped_twin_is_read(cli, capsys, blog_site):
    bad = fixture("wxr/wordpress-importer/crazy-cdata.xml")
    assert cli(["import", "wordpress", str(bad), "--site", "blog"]) == 1
    assert "not well-formed XML (line 18, column 71)" in capsys.readouterr().err
    good = fixture("wxr/wordpress-importer/crazy-cdata-escaped.xml")
    assert cli(["import", "wordpress", str(good), "--site", "blog"]) == 0


def test_an_unknown_site_is_one_sentence(cli, capsys, tmp_path):
    assert cli(["import", "wordpress", str(wxr(tmp_path, {})), "--site", "ghost"]) == 1
    assert "no site called" in capsys.readouterr().err


def test_an_import_killed_midway_is_finished_by_running_it_again(cli, capsys, query, tmp_path, blog_site):
    total = 4000
    replies = {n for n in range(2, total + 1) if n % 3}  # each answers the one before it
    path = wxr(tmp_path, *({"parent": n - 1 if n in replies else 0} for n in range(1, total + 1)))
    env = {
        k: v for k, v in os.environ.items() if k.startswith("COMMENTBOX_") or not k.startswith("COMMENTBOX")
    }
    command = [sys.executable, "-m", "commentbox", "import", "wordpress", str(path), "--site", "blog"]
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while query("SELECT count(*) FROM comment") == [(0,)] and child.poll() is None:
        assert time.monotonic() < deadline, "the import wrote nothing in two minutes"
        time.sleep(0.01)
    child.kill()  # SIGKILL: no handler runs, the open batch's transaction is simply lost
    child.wait()
    [(written,)] = query("SELECT count(*) FROM comment")
    assert 0 < written < total, "the import was not stopped midway"
    report = imported(cli, capsys, path, "blog")
    assert report["comments"]["already_imported"] == written
    assert sum(report["comments"]["created"].values()) == total - written
    assert query("SELECT count(*), count(DISTINCT source) FROM comment_source") == [(total, total)]
    assert query("SELECT count(*) FROM comment WHERE parent_id IS NOT NULL") == [(len(replies),)]
    assert query("SELECT comment_count FROM thread") == [(total,)]
