"""``commentbox import commento``: the real CLI on Commento's and Comentario's real exports and
on ones made here."""

from __future__ import annotations

import gzip
import json
from functools import partial
from pathlib import Path

import pytest

from tests.transfer_support import fixture, import_report
from tests.xss import PAYLOADS, executable_parts

ANONYMOUS = "anonymous"


def v1_comment(hex: str, **changes) -> dict:
    return {"commentHex": hex, "domain": "blog.example", "url": "/post/", "commenterHex": "ann",
            "markdown": f"comment *{hex}*", "html": "", "parentHex": "root", "score": 0, "state": "approved",
            "creationDate": "2021-07-01T12:00:00.1Z", "deleted": False} | changes  # fmt: skip


ANN = {"commenterHex": "ann", "email": "ann@example.org", "name": "Ann", "link": "undefined",
       "photo": "undefined", "provider": "commento", "joinDate": "2021-01-01T00:00:00Z"}  # fmt: skip


def export(tmp_path: Path, document: dict, name: str = "commento.json.gz") -> Path:
    path = tmp_path / name
    data = json.dumps(document).encode()
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


imported = partial(import_report, "commento")


def test_remark42s_commento_sample_with_its_anonymous_and_sso_commenters(cli, capsys, query):
    cli(["site", "add", "s", "--origin", "https://example.com"])
    capsys.readouterr()
    report = imported(cli, capsys, fixture("commento/remark42/commento.json"), "s")
    assert report["comments"]["created"] == {"approved": 3}
    assert sorted(query("SELECT key FROM thread")) == [
        ("https://example.com/blog/post/1",),
        ("https://example.com/blog/post/2",),
    ]
    assert sorted(query("SELECT author_name, author_email FROM comment")) == [
        ("Anonymous", None),
        ("Saturnin Uf", "moregreatmail@gmail.com"),
        ("User5276", "somegreatmail@gmail.com"),
    ]
    [(reply_parent,)] = query("SELECT p.author_name FROM comment c JOIN comment p ON p.id = c.parent_id")
    assert reply_parent == "User5276"
    again = imported(cli, capsys, fixture("commento/remark42/commento.json"), "s")
    assert again["comments"]["already_imported"] == 3 and again["comments"]["created"] == {}


def test_an_export_with_emptied_bodies_keeps_its_replies_under_tombstones(cli, capsys, query):
    cli(["site", "add", "s", "--origin", "https://example.com"])
    capsys.readouterr()
    report = imported(cli, capsys, fixture("commento/remark42-rest-api/commento.json"), "s")
    assert report["comments"]["created"] == {"deleted": 7}  # every body is empty in this sample
    assert query("SELECT count(*) FROM comment WHERE parent_id IS NOT NULL") == [(2,)]
    people = query("SELECT DISTINCT author_name, author_email, author_website FROM comment")
    assert people == [("", None, None)]  # tombstones; and "undefined" would be no address


@pytest.mark.parametrize(
    ("name", "created", "thread"),
    [
        ("comentario-ok-single-v1.json.gz", {"approved": 1}, "https://example.com/"),
        ("comentario-ok-single-v3.json.gz", {"approved": 1}, "http://localhost:8000/"),
        ("comentario-ok-empty-v1.json.gz", {}, None),
    ],
)
def test_comentarios_exports(cli, capsys, query, name, created, thread):
    cli(["site", "add", "s", "--origin", "https://example.com", "--origin", "http://localhost:8000"])
    capsys.readouterr()
    report = imported(cli, capsys, fixture(f"commento/comentario/{name}"), "s")
    assert report["comments"]["created"] == created
    assert query("SELECT key FROM thread") == ([(thread,)] if thread else [])
    if thread:
        assert query("SELECT author_name, author_email, body FROM comment") == [
            ("Bugs Bunny", "bugsy@bigsy", "Yay, imported")
        ]
        assert query("SELECT score FROM comment") == [(23,)]  # its votes, as one imported vote


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("comentario-bad-version.json.gz", "is a Commento export of version 481, which this version cannot"),
        ("comentario-bad-format.json.gz", "is not valid JSON (lexical error: invalid char in json text)"),
    ],
)
def test_comentarios_bad_exports_are_refused(cli, capsys, query, blog_site, name, message):
    assert cli(["import", "commento", str(fixture(f"commento/comentario/{name}")), "--site", "blog"]) == 1
    assert message in capsys.readouterr().err
    assert query("SELECT count(*) FROM comment") == [(0,)]


def test_states_parents_and_hosts(cli, capsys, query, tmp_path, blog_site):
    document = {
        "version": 1,
        "comments": [
            v1_comment("c2", parentHex="c1"),  # before its parent
            v1_comment("c1"),
            v1_comment("c3", state="unapproved"),
            v1_comment("c4", state="flagged"),
            v1_comment("c5", deleted=True),
            v1_comment("c6", markdown="[deleted]", parentHex="c4"),  # under spam
            v1_comment("c7", state="weird"),
            v1_comment("c8", commenterHex=ANONYMOUS, domain="BLOG.example"),
            v1_comment("c9", domain="elsewhere.example"),
            v1_comment("c10", creationDate="0001-01-01T00:00:00Z"),
        ],
        "commenters": [ANN],  # after the comments, as Commento writes them
    }
    report = imported(cli, capsys, export(tmp_path, document))
    assert report["comments"]["created"] == {"approved": 3, "pending": 2, "spam": 1, "deleted": 2}
    assert report["skipped"] == {
        "an impossible date": 1,
        "its page is not imported (listed below)": 1,
    }
    assert report["refused_pages"] == {"//elsewhere.example/post/": "outside the site's origins"}
    assert query("SELECT DISTINCT key FROM thread") == [("https://blog.example/post",)]
    people = query("SELECT author_name, author_email, author_website FROM comment")
    assert ("Ann", "ann@example.org", None) in people


def test_a_byte_order_mark_is_no_problem(cli, capsys, tmp_path, blog_site):
    path = export(tmp_path, {"version": 1, "comments": [v1_comment("c1")]}, name="bom.json")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert imported(cli, capsys, path)["comments"]["created"] == {"approved": 1}


def test_hostile_values_in_every_field(cli, capsys, query, tmp_path, blog_site):
    comments = [v1_comment(f"x{n}", markdown=p, commenterHex=f"p{n}") for n, p in enumerate(PAYLOADS)]
    people = [{"commenterHex": f"p{n}", "name": p, "email": p, "link": p} for n, p in enumerate(PAYLOADS)]
    comments += [
        v1_comment("odd", markdown="nul\u0000 and \U0001f600", commenterHex={"a": [1]}),
        v1_comment("nest", markdown=[[["deep"]]], url={"x": 1}),
        v1_comment({"not": "an id"}),
    ]
    document = {"version": 1, "comments": comments, "commenters": people}
    report = imported(cli, capsys, export(tmp_path, document))
    assert report["skipped"] == {"a comment without an id": 1}
    assert sum(report["comments"]["created"].values()) == len(PAYLOADS) + 2
    for html, name, email, website in query(
        "SELECT html, author_name, author_email, author_website FROM comment"
    ):
        assert executable_parts(html) == [] and "\x00" not in html
        assert "\u202e" not in name and email is None
        assert website is None or website.startswith(("http://", "https://"))


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: _write(d, "c.json", b'{"version": 1, "comments": [' + b"[" * 100 + b"]" * 100 + b"]}"),
         "nests values more than 32 levels deep"),
        (lambda d: _write(d, "c.json", b'[{"id": "1"}]'), "is not a Commento or Comentario export (it"),
        (lambda d: _write(d, "c.json", b'{"comments": []}'), "it names no version"),
        (lambda d: _write(d, "c.json", b"42"), "is not a Commento or Comentario export (it"),
        (lambda d: _write(d, "c.json", b'{"version": true}'), "of version true"),
        (lambda d: _write(d, "c.json", b"<rss></rss>"), "is not valid JSON"),
        (lambda d: _write(d, "c.json", b'{"version": "\xff"}'), "(lexical error: invalid bytes"),
        (lambda d: _write(d, "c.json", b'{"version": "\xed\xa0\x80"}'), "is not valid JSON (its text is not"),
        (lambda d: _write(d, "c.json", b""), "is not valid JSON"),
        (lambda d: _write(d, "c.json.gz", gzip.compress(b'{"version": 1}')[:15]), "damaged or truncated"),
        (lambda d: _write(d, "c.json", b'{"version": 1, "x": "' + b"a" * (2 * 1024**2) + b'"}'),
         "larger than the limit"),
    ],
)  # fmt: skip
def test_bad_exports_get_one_sentence_and_change_nothing(
    cli, capsys, query, tmp_path, blog_site, make, message
):
    path = make(tmp_path)
    assert cli(["import", "commento", str(path), "--site", "blog", "--max-size", "1"]) == 1
    captured = capsys.readouterr()
    assert message in captured.err and captured.err.count("\n") == 1 and captured.out == ""
    assert query("SELECT count(*) FROM comment") == query("SELECT count(*) FROM thread") == [(0,)]
