"""``commentbox import isso``: the real CLI on a real Isso database and on ones made here."""

from __future__ import annotations

import sqlite3
from functools import partial
from pathlib import Path

import pytest

from tests.support import BLOG
from tests.transfer_support import fixture, import_report
from tests.xss import PAYLOADS, executable_parts

SCHEMA = """
CREATE TABLE preferences (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
CREATE TABLE comments (tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
    created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR, text VARCHAR NOT NULL,
    author VARCHAR, email VARCHAR, website VARCHAR, likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0,
    voters BLOB NOT NULL, notification INTEGER DEFAULT 0);
"""
JULY_2021 = 1625140800.0  # 2021-07-01 12:00:00 UTC


def isso_db(tmp_path: Path, threads: dict[int, str], *comments: dict, name: str = "comments.db") -> Path:
    """An Isso database as Isso 0.13 creates it, holding ``comments`` (id = position)."""
    path = tmp_path / name
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA)
    connection.executemany("INSERT INTO threads (id, uri, title) VALUES (?, ?, ?)",
                           [(i, uri, f"Title {i}") for i, uri in threads.items()])  # fmt: skip
    for number, changes in enumerate(comments, 1):
        row = {"tid": 1, "id": number, "parent": None, "created": JULY_2021 + number, "mode": 1,
               "remote_addr": "192.0.2.0", "text": f"comment *{number}*", "author": "Ann",
               "email": "ann@example.org", "website": None, "voters": b""} | changes  # fmt: skip
        connection.execute(
            f"INSERT INTO comments ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",  # noqa: S608
            list(row.values()),
        )
    connection.commit()
    connection.close()
    return path


imported = partial(import_report, "isso")


def test_a_real_isso_database_imports_its_thread_and_reply_once(cli, capsys, query):
    path = fixture("isso/snjlogs/comments.db")
    before = path.read_bytes()
    cli(["site", "add", "s", "--origin", "https://356189.xyz"])
    capsys.readouterr()
    report = imported(cli, capsys, path, "s")
    assert report["comments"]["created"] == {"approved": 2} and report["threads"]["created"] == 1
    assert query("SELECT key, title FROM thread") == [("https://356189.xyz/logs/helloworld", "Hello World")]
    assert query("SELECT count(*) FROM comment WHERE parent_id IS NOT NULL") == [(1,)]
    [(email, ip_hash, created)] = query(
        "SELECT author_email, ip_hash, created FROM comment WHERE parent_id IS NULL"
    )
    assert email == "suryanj@proton.me" and ip_hash and "117.195" not in ip_hash
    assert str(created).startswith("2026-05-09 09:29:00")  # epoch seconds read as UTC
    again = imported(cli, capsys, path, "s")
    assert again["comments"]["already_imported"] == 2 and again["comments"]["created"] == {}
    assert path.read_bytes() == before  # opened read-only


def test_modes_parents_and_markdown(cli, capsys, query, tmp_path, blog_site):
    path = isso_db(
        tmp_path,
        {1: "/post/", 2: "my-custom-id"},
        {"parent": 3},  # a reply that comes before its parent
        {"mode": 2},
        {"mode": 4, "text": "", "author": None, "email": None},  # a tombstone with a reply
        {"parent": 3, "text": "**reply** <script>x</script>"},
        {"mode": 7},  # unknown: never published
        {"tid": 2},
        {"parent": 99},  # its parent is not in the database
    )
    report = imported(cli, capsys, path)
    assert report["comments"]["created"] == {"approved": 4, "pending": 2, "deleted": 1}
    assert report["reparented"] == {"reply to a comment not in the import, shown at the top level": 1}
    assert sorted(query("SELECT key, url FROM thread")) == [
        ("https://blog.example/post", "https://blog.example/post"),
        ("id:my-custom-id", ""),
    ]
    [(tombstone,)] = query("SELECT id FROM comment WHERE status = 'deleted'")
    assert query(f"SELECT count(*) FROM comment WHERE parent_id = {tombstone}") == [(2,)]  # noqa: S608
    [(html,)] = query("SELECT html FROM comment WHERE body LIKE '**reply**%'")
    assert html.startswith("<p><strong>reply</strong> &lt;script&gt;")
    assert query("SELECT html FROM comment WHERE body = 'comment *2*'") == [("<p>comment <em>2</em></p>",)]


def test_hostile_and_odd_values_in_every_field(cli, capsys, query, tmp_path, blog_site):
    rows = [{"text": p, "author": p, "website": p, "email": p} for p in PAYLOADS]
    rows += [
        {"text": "nul\x00 and more", "author": "bidi\u202eeman\x00"},
        {"text": b"\xff\xfe not utf-8"},  # a BLOB where text should be
        {"created": "yesterday"},
        {"created": 1e300},
        {"text": ">" * 40 + " deep"},  # more nesting than the renderer takes
    ]
    report = imported(cli, capsys, isso_db(tmp_path, {1: "/post/"}, *rows))
    assert sum(report["comments"]["created"].values()) == len(PAYLOADS) + 2
    assert report["skipped"] == {
        "an impossible date": 2,
        "a body the renderer refuses (nested too deep)": 1,
    }
    for html, name, website in query("SELECT html, author_name, author_website FROM comment"):
        assert executable_parts(html) == []
        assert "\x00" not in html + name and "\u202e" not in name
        assert website is None or website.startswith(("http://", "https://"))
    emails = query("SELECT DISTINCT author_email FROM comment WHERE author_email IS NOT NULL")
    assert emails == [("ann@example.org",)]  # payloads are no addresses


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _other_sqlite(tmp_path: Path) -> Path:
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE comments (id INTEGER PRIMARY KEY, body TEXT)")
    connection.execute("CREATE TABLE threads (id INTEGER PRIMARY KEY, uri TEXT)")
    connection.commit()
    connection.close()
    return path


def _truncated(tmp_path: Path) -> Path:
    whole = isso_db(tmp_path, {1: "/post/"}, *({"text": "x" * 3000} for _ in range(200)), name="whole.db")
    return _write(tmp_path, "cut.db", whole.read_bytes()[: 40 * 1024])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda d: _write(d, "comments.db", b"<rss></rss>"),
            "is neither an Isso database nor Isso's generic",
        ),
        (lambda d: _write(d, "comments.db", b'{"version": 1}'), "is neither an Isso database nor Isso's"),
        (_other_sqlite, "is an SQLite database but not Isso's (no comments table with created, mode, "),
        (_truncated, "is a damaged SQLite database"),
        (lambda d: _write(d, "junk.db", b"SQLite format 3\x00" + b"\xff" * 5000), "is a damaged SQLite"),
        (lambda d: d / "missing.db", "Cannot read"),
        (lambda d: isso_db(d, {1: "/p/"}, *({"text": "x" * 5000} for _ in range(300))), "larger than the"),
    ],
)
def test_bad_databases_get_one_sentence_and_change_nothing(
    cli, capsys, query, tmp_path, blog_site, make, message
):
    path = make(tmp_path)
    assert cli(["import", "isso", str(path), "--site", "blog", "--max-size", "1"]) == 1
    captured = capsys.readouterr()
    assert message in captured.err and captured.err.count("\n") == 1 and captured.out == ""
    assert query("SELECT count(*) FROM comment") == query("SELECT count(*) FROM thread") == [(0,)]


def test_isso_generic_json_is_read_in_the_time_zone_given(cli, capsys, query, tmp_path):
    cli(["site", "add", "s", "--origin", "https://blog.example"])
    capsys.readouterr()
    path = fixture("isso/isso/generic.json")
    without = imported(cli, capsys, path, "s")
    assert without["skipped"] == {"only a local time (no UTC offset): give --timezone": 2}
    report = imported(cli, capsys, path, "s", "--timezone", "America/Chicago")
    assert report["comments"]["created"] == {"approved": 2} and report["threads"]["created"] == 2
    assert sorted(query("SELECT key, title FROM thread")) == [
        ("https://blog.example/posts/0001", "Test+post"),
        ("https://blog.example/posts/0007", "Nat+%26+Miguel"),
    ]  # both sample threads hold a comment 0: ids are per thread
    assert {str(c)[:19] for (c,) in query("SELECT created FROM comment")} == {
        "2005-02-24 10:03:37",  # CST, UTC-6
        "2005-05-08 11:50:26",  # CDT, UTC-5
    }
    again = imported(cli, capsys, path, "s", "--timezone", "America/Chicago")
    assert again["comments"]["already_imported"] == 2


def test_our_own_database_is_not_taken_for_isso(cli, capsys, query, database_url, blog_site):
    ours = database_url.removeprefix("sqlite:///")
    if not ours.endswith(".sqlite3"):
        pytest.skip("the test database is not SQLite here")
    assert cli(["import", "isso", ours, "--site", "blog"]) == 1
    assert "not Isso's" in capsys.readouterr().err


def test_likes_and_dislikes_become_the_score_that_live_votes_add_to(cli, capsys, query, tmp_path, client):
    assert cli(["site", "add", "blog", "--origin", BLOG]) == 0
    capsys.readouterr()
    path = isso_db(
        tmp_path,
        {1: "/post/"},
        {"likes": 5, "dislikes": 2, "modified": JULY_2021 + 3600},
        {"likes": 1, "dislikes": 1},
        {"mode": 4, "likes": 9},
    )
    imported(cli, capsys, path)
    assert query("SELECT body, score FROM comment ORDER BY id") == [
        ("comment *1*", 3),
        ("comment *2*", 0),
        ("", 0),
    ]
    assert query("SELECT voter, value FROM vote") == [("imported", 3)]
    assert str(query("SELECT edited FROM comment WHERE score = 3")[0][0]).startswith("2021-07-01 13:00:00")
    [(comment_id,)] = query("SELECT id FROM comment WHERE score = 3")
    voted = client.post(f"/api/v1/comments/{comment_id}/vote", json={"value": 1},
                        headers={"Origin": BLOG, "X-Commentbox-Client": "b1"})  # fmt: skip
    assert voted.status_code == 200 and voted.json()["score"] == 4
    again = imported(cli, capsys, path)
    assert again["comments"]["created"] == {} and query("SELECT count(*) FROM vote") == [(2,)]
