"""``commentbox import artalk``: the real CLI on Artransfer's real Artrans files and on ones made here."""

from __future__ import annotations

import gzip
import json
from functools import partial
from pathlib import Path

import pytest

from tests.transfer_support import fixture, import_report
from tests.xss import PAYLOADS, executable_parts


def artran(id: str, **changes) -> dict:
    return {"id": id, "rid": "", "content": f"comment **{id}**", "is_pending": "false",
            "created_at": "2022-04-09 17:28:47 +0800 CST", "nick": "Ann", "email": "ann@example.org",
            "link": "", "page_key": "https://blog.example/post/", "page_title": "Post",
            "site_name": "Blog", "vote_up": "0"} | changes  # fmt: skip


def artrans(tmp_path: Path, *comments: dict, name: str = "comments.artrans") -> Path:
    path = tmp_path / name
    data = json.dumps(list(comments)).encode()
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


imported = partial(import_report, "artalk")


TWIN = "the same id twice in the file (the first is kept)"


@pytest.mark.parametrize(
    ("name", "origin", "created", "replies", "skipped"),
    [
        ("Disqus.artrans", "http://127.0.0.1:5500", 4, 2, {}),
        ("WordPress.artrans", "http://10.90.1.130:8099", 5, 2, {}),
        # Twikoo's converted sample holds two different comments with one id ("special _id")
        ("Twikoo.artrans", "https://twikoo.example", 6, 0, {TWIN: 1}),
        ("Valine.artrans", "https://valine.example", 2, 1, {}),
    ],
)
def test_artransfers_real_files_import_every_comment_once(
    cli, capsys, query, name, origin, created, replies, skipped
):
    cli(["site", "add", "s", "--origin", origin])
    capsys.readouterr()
    path = fixture(f"artalk/artransfer/{name}")
    report = imported(cli, capsys, path, "s")
    assert report["comments"]["created"] == {"approved": created} and report["skipped"] == skipped
    assert query("SELECT count(*) FROM comment WHERE parent_id IS NOT NULL") == [(replies,)]
    again = imported(cli, capsys, path, "s")
    assert again["comments"]["already_imported"] == created and again["comments"]["created"] == {}


def test_paths_land_on_the_site_and_html_is_read_as_html(cli, capsys, query):
    cli(["site", "add", "s", "--origin", "https://valine.example"])
    capsys.readouterr()
    imported(cli, capsys, fixture("artalk/artransfer/Valine.artrans"), "s")
    assert query("SELECT DISTINCT key FROM thread") == [("https://valine.example/",)]
    assert ("<p>测试！</p>",) in query("SELECT html FROM comment")
    assert str(query("SELECT min(created) FROM comment")[0][0]).startswith("2021-10-26 13:00:41")


def test_artalks_own_times_statuses_and_markdown(cli, capsys, query, tmp_path, blog_site):
    path = artrans(
        tmp_path,
        artran("2", rid="1"),  # before its parent
        artran("1", vote_up=4, vote_down="1", is_pinned="true"),
        artran("3", is_pending=True, created_at="2022-04-09T09:28:47.000Z"),
        artran("4", rid="0", page_key="/other/", site_urls="https://blog.example,https://old.example"),
        artran("5", created_at="2022-04-09 17:28:47"),  # no offset: the Artalk server's local time
        artran("6", page_key=""),
        artran("7", created_at="soon"),
    )
    report = imported(cli, capsys, path)
    assert report["comments"]["created"] == {"approved": 3, "pending": 1}
    assert report["skipped"] == {
        "a comment without its page (page_key)": 1,
        "an impossible date": 1,
        "only a local time (no UTC offset): give --timezone": 1,
    }
    assert query("SELECT DISTINCT created FROM comment WHERE body LIKE 'comment%'")[0][0] is not None
    assert {str(c)[:19] for (c,) in query("SELECT created FROM comment")} == {"2022-04-09 09:28:47"}
    assert sorted(k for (k,) in query("SELECT key FROM thread")) == [
        "https://blog.example/other",
        "https://blog.example/post",
    ]
    assert ("<p>comment <strong>1</strong></p>", 3, True) in [
        (html, score, bool(pinned))
        for html, score, pinned in query("SELECT html, score, pinned FROM comment")
    ]
    zoned = imported(cli, capsys, path, "blog", "--timezone", "Asia/Shanghai")
    assert zoned["comments"]["created"] == {"approved": 1}
    assert {str(c)[:19] for (c,) in query("SELECT created FROM comment")} == {"2022-04-09 09:28:47"}


def test_hostile_values_in_every_field(cli, capsys, query, tmp_path, blog_site):
    rows = [artran(f"x{n}", content=p, nick=p, email=p, link=p, page_title=p) for n, p in enumerate(PAYLOADS)]
    rows += [
        artran("odd", content="nul\u0000 \U0001f600 \u202e", nick=["a", "list"], is_pending={"x": 1}),
        artran("num", content=12345, rid=None, vote_up="lots"),
        artran("", content="no id"),
        artran("js", page_key="javascript:alert(1)"),
    ]
    report = imported(cli, capsys, artrans(tmp_path, *rows))
    empty = report["skipped"].pop("an empty body", 0)  # HTML that was only <script> and the like
    assert report["skipped"] == {"a comment without an id": 1, "its page is not imported (listed below)": 1}
    assert sum(report["comments"]["created"].values()) == len(PAYLOADS) + 2 - empty
    for html, name, email, website in query(
        "SELECT html, author_name, author_email, author_website FROM comment"
    ):
        assert executable_parts(html) == [] and "\x00" not in html
        assert "\u202e" not in name and email in (None, "ann@example.org")
        assert website is None or website.startswith(("http://", "https://"))


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: _write(d, "a.artrans", b'{"version": 1, "comments": []}'), "is not an Artrans file"),
        (lambda d: _write(d, "a.artrans", b'["just", "strings"]'), "is not an Artrans file"),
        (lambda d: _write(d, "a.artrans", b"{}"), "is not an Artrans file"),
        (lambda d: _write(d, "a.artrans", b'"text"'), "is not an Artrans file"),
        (lambda d: _write(d, "a.artrans", b"[" * 10000), "nests values more than 32 levels deep"),
        (lambda d: _write(d, "a.artrans", b'[{"id": "1", "content": "cut'), "is not valid JSON"),
        (
            lambda d: _write(d, "a.artrans.gz", gzip.compress(b"[" + b'{"id": "1"},' * 99 + b"{}]")[:40]),
            "damaged or truncated",
        ),
        (lambda d: _write(d, "a.artrans", b"[" + b'{"id": "1"},' * 200000 + b"{}]"), "larger than the limit"),
    ],
)
def test_bad_files_get_one_sentence_and_change_nothing(
    cli, capsys, query, tmp_path, blog_site, make, message
):
    path = make(tmp_path)
    assert cli(["import", "artalk", str(path), "--site", "blog", "--max-size", "1"]) == 1
    captured = capsys.readouterr()
    assert message in captured.err and captured.err.count("\n") == 1 and captured.out == ""
    assert query("SELECT count(*) FROM comment") == query("SELECT count(*) FROM thread") == [(0,)]
