"""``export json`` and ``import json``: a site restored into a fresh database is the same site."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from commentbox.store import migrate
from commentbox.store.backups import SITE_FIELDS
from commentbox.store.db import Database
from tests.support import BLOG, form_token
from tests.transfer_support import WXR, fixture, wxr

ORIGIN = {"Origin": BLOG}

# Every column of every row a site owns, with the database's own ids replaced by what they
# stand for (a comment by its nonce, a thread by its key, a user by their provider id), so
# two databases holding the same site compare equal.
DUMP = {
    "site": "SELECT id, name, origins, moderation, edit_window_seconds, allow_images, query_params,"
    " user_edit_window_seconds, created, max_links, min_post_seconds, blocked_words, blocked_names,"
    " close_after_days, notify_moderators FROM site",
    "thread": "SELECT site_id, key, url, title, version, comment_count, locked, created FROM thread",
    "comment": "SELECT t.key, p.nonce, u.provider, u.provider_user_id, c.author_name, c.author_email,"
    " c.author_website, c.body, c.html, c.status, c.score, c.created, c.edited, c.ip_hash,"
    " c.client_hash, c.nonce, c.pinned, c.text_hash FROM comment c JOIN thread t ON t.id = c.thread_id"
    " LEFT JOIN comment p ON p.id = c.parent_id LEFT JOIN user u ON u.id = c.user_id",
    "vote": "SELECT c.nonce, v.voter, v.value FROM vote v JOIN comment c ON c.id = v.comment_id",
    "source": "SELECT s.site_id, s.source, s.kind, c.nonce FROM comment_source s"
    " JOIN comment c ON c.id = s.comment_id",
    "user": "SELECT provider, provider_user_id, name, avatar, email, created, updated FROM user",
}


_TIME = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d")


def _plain(value: object) -> str | None:
    """A value as text, the same on both engines: a time as UTC in one spelling (SQLite keeps
    the text it was given), a boolean as 0/1, JSON as JSON."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, list | dict):
        return json.dumps(value)
    if isinstance(value, datetime):
        value = value.isoformat()
    text_value = str(value)
    if _TIME.match(text_value):
        parsed = datetime.fromisoformat(text_value)
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    return text_value


def dump(url: str) -> dict[str, list]:
    db = Database(url)
    with db.engine.connect() as connection:
        found = {}
        for table, sql in DUMP.items():
            sql = sql.replace(" user ", ' "user" ').replace("FROM user", 'FROM "user"')
            rows = [tuple(_plain(v) for v in row) for row in connection.execute(text(sql))]
            found[table] = sorted(rows, key=lambda r: tuple("" if v is None else v for v in r))
    db.dispose()
    return found


@pytest.fixture
def fresh_url(tmp_path):
    path = tmp_path / "fresh.sqlite3"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db.engine)
    db.dispose()
    return f"sqlite:///{path}"


def vote(client, comment_id, value, address):
    """A reader's vote from their own address (a guest votes as their address, and not on
    what was written from it)."""
    reader = TestClient(client.app, base_url=str(client.base_url), client=(address, 4000))
    response = reader.post(f"/api/v1/comments/{comment_id}/vote", json={"value": value}, headers=ORIGIN)
    assert response.status_code == 200, response.text


def test_a_restored_backup_has_every_row_of_the_site(
    cli, capsys, client, make_comment, signed_in_as, database_url, fresh_url, tmp_path, monkeypatch, query
):
    # A site with settings, live comments (a guest's, a signed-in user's, a reply, votes),
    # and imported ones (statuses, a pingback, source ids).
    assert (
        cli(["site", "update", "blog", "--query-param", "p", "--blocked-words", "casino", "--max-links", "5"])
        == 0
    )
    first = make_comment(body="first *live*")
    reply = make_comment(body="a reply", parent=first["id"])
    token = signed_in_as()
    signed = client.post(
        "/api/v1/comments",
        json={"site": "blog", "url": f"{BLOG}/posts/hello/", "body": "signed in", "form_token": form_token()},
        headers={**ORIGIN, "Authorization": f"Bearer {token}"},
    )
    assert signed.status_code == 201, signed.text
    vote(client, first["id"], 1, "192.0.2.1")
    vote(client, first["id"], 1, "192.0.2.2")
    vote(client, reply["id"], -1, "192.0.2.1")
    path = wxr(tmp_path, {}, {"parent": 1}, {"status": "0"}, {"status": "spam"}, {"status": "trash"})
    assert cli(["import", "wordpress", str(path), "--site", "blog"]) == 0
    capsys.readouterr()
    backup = tmp_path / "backup.json"
    assert cli(["export", "json", "--site", "blog", "--output", str(backup)]) == 0
    assert "exported 8 comments of blog" in capsys.readouterr().err

    before = dump(database_url)
    assert len(before["comment"]) == 8 and len(before["vote"]) == 3 and len(before["source"]) == 5
    monkeypatch.setenv("COMMENTBOX_DATABASE_URL", fresh_url)
    assert cli(["import", "json", str(backup), "--site", "blog", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["site_created"] and report["comments"]["created"] == {
        "approved": 5, "pending": 1, "spam": 1, "deleted": 1,
    }  # fmt: skip
    after = dump(fresh_url)
    assert after == before

    # Restoring again adds nothing.
    assert cli(["import", "json", str(backup), "--site", "blog", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["comments"]["already_imported"] == 8
    assert dump(fresh_url) == before


def test_export_streams_to_standard_output_and_gzip_restores(
    cli, capsys, blog, make_comment, fresh_url, tmp_path, monkeypatch
):
    make_comment(body="hello")
    assert cli(["export", "json", "--site", "blog"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert json.loads(lines[0])["commentbox_export"] == 1
    assert [next(iter(json.loads(line))) for line in lines[1:]] == ["thread", "comment"]
    packed = tmp_path / "backup.json.gz"
    packed.write_bytes(gzip.compress("\n".join(lines).encode()))
    monkeypatch.setenv("COMMENTBOX_DATABASE_URL", fresh_url)
    assert cli(["import", "json", str(packed), "--site", "copy"]) == 0
    assert "site copy created" in capsys.readouterr().out


def test_exporting_an_unknown_site_is_one_sentence(cli, capsys):
    assert cli(["export", "json", "--site", "ghost"]) == 1
    assert "no site called" in capsys.readouterr().err


HEADER = json.dumps({"commentbox_export": 1, "site": dict.fromkeys(SITE_FIELDS)}).encode() + b"\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json\n", "line 1 is not JSON"),
        (b'{"hello": 1}\n', "not a commentbox export"),
        (b'{"commentbox_export": 99, "site": {}}\n', "version 99"),
        (b'{"commentbox_export": 1}\n', "line 1 is not a site"),
        (HEADER + b'{"comment": {"id": 1}}\n', "line 2: the comment lacks"),
        (HEADER + b"[1, 2]\n", "line 2 is not a site, user, thread or comment"),
        (HEADER + b'{"thread": {"created": "yesterday"}}\n', "line 2: the thread lacks"),
        (WXR.format(comments="").encode(), "is not JSON"),
    ],
)
def test_bad_backups_are_one_sentence_and_change_nothing(cli, capsys, query, tmp_path, content, message):
    path = tmp_path / "backup.json"
    path.write_bytes(content)
    assert cli(["import", "json", str(path), "--site", "blog"]) == 1
    assert message in capsys.readouterr().err
    assert query("SELECT count(*) FROM site") == [(0,)]


def test_a_backup_whose_comment_comes_before_its_thread_changes_nothing(
    cli, capsys, blog, make_comment, query, tmp_path
):
    make_comment(body="hello")
    assert cli(["export", "json", "--site", "blog"]) == 0
    header, thread, comment = capsys.readouterr().out.splitlines()
    path = tmp_path / "backup.json"
    path.write_text("\n".join([header, comment, thread]))
    assert cli(["import", "json", str(path), "--site", "other"]) == 1
    assert "thread is not earlier in the file" in capsys.readouterr().err
    assert query("SELECT count(*) FROM site") == [(1,)]


def test_the_theme_unit_test_export_round_trips(cli, capsys, database_url, fresh_url, tmp_path, monkeypatch):
    assert cli(["site", "add", "theme", "--origin", "https://wpthemetestdata.wordpress.com"]) == 0
    assert (
        cli(
            [
                "import",
                "wordpress",
                str(fixture("wxr/wordpress-importer/theme-unit-test-data.xml")),
                "--site",
                "theme",
            ]
        )
        == 0
    )
    capsys.readouterr()
    backup = Path(tmp_path / "b.json")
    assert cli(["export", "json", "--site", "theme", "--output", str(backup)]) == 0
    monkeypatch.setenv("COMMENTBOX_DATABASE_URL", fresh_url)
    assert cli(["import", "json", str(backup), "--site", "theme"]) == 0
    assert dump(fresh_url) == dump(database_url)
