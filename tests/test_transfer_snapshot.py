"""``commentbox backup FILE``: a consistent SQLite copy taken while a real server takes posts.

SQLite is what this command copies, so these tests run on a SQLite file of their own even
when the suite runs on PostgreSQL (the refusal on PostgreSQL is in ``test_transfer_copy.py``).
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import httpx
import pytest

from commentbox.store import migrate
from commentbox.store.db import Database
from tests.instances import Instance
from tests.support import BLOG, comment_payload


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    path = tmp_path / "commentbox.sqlite3"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db.engine)
    db.dispose()
    return f"sqlite:///{path}"


def rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()


def test_a_backup_taken_while_posts_are_written_is_whole_and_consistent(
    cli, capsys, blog, database_url, tmp_path
):
    posted: list[int] = []
    stop = threading.Event()
    started = threading.Event()

    def post(instance: Instance) -> None:
        with httpx.Client(base_url=instance.url, headers={"Origin": BLOG}, timeout=10) as client:
            while not stop.is_set():
                response = client.post("/api/v1/comments", json=comment_payload(body=f"post {len(posted)}"))
                assert response.status_code in (201, 202), response.text
                posted.append(response.json()["id"])
                if len(posted) >= 10:
                    started.set()

    with Instance(database_url, tmp_path) as instance:
        writer = threading.Thread(target=post, args=(instance,))
        writer.start()
        try:
            assert started.wait(60), "the server took no posts"
            before = len(posted)
            target = tmp_path / "backups" / "commentbox-backup.sqlite3"
            target.parent.mkdir()
            assert cli(["backup", str(target)]) == 0
            after = len(posted)
            # The server went on taking posts after the copy was made.
            while len(posted) < after + 5 and writer.is_alive():
                stop.wait(0.05)
        finally:
            stop.set()
            writer.join(30)
    assert f"to {target}" in capsys.readouterr().out
    assert rows(target, "PRAGMA integrity_check") == [("ok",)]
    (copied,) = rows(target, "SELECT count(*) FROM comment")[0]
    assert before <= copied <= after < len(posted)
    # One moment of the database: every comment in the copy is counted by its thread.
    assert rows(target, "SELECT comment_count FROM thread") == rows(
        target, "SELECT count(*) FROM comment WHERE status = 'approved'"
    )
    assert rows(target, "SELECT id FROM site") == [("blog",)]
    assert not (tmp_path / "backups" / "commentbox-backup.sqlite3.partial").exists()
    assert not Path(f"{target}-wal").exists()  # one self-contained file


def test_an_existing_file_is_kept_unless_forced(cli, capsys, blog, make_comment, tmp_path):
    make_comment(body="kept")
    target = tmp_path / "backup.sqlite3"
    target.write_bytes(b"an older backup")
    assert cli(["backup", str(target)]) == 1
    error = capsys.readouterr().err
    assert "exists already" in error and "--force" in error and error.count("\n") == 1
    assert target.read_bytes() == b"an older backup"
    assert cli(["backup", str(target), "--force"]) == 0
    assert rows(target, "SELECT body FROM comment") == [("kept",)]


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("missing/backup.sqlite3", "does not exist"),
        ("a-file/backup.sqlite3", "does not exist"),
        (".", "is a folder"),
        ("/sys/backup.sqlite3", "Permission denied"),
        ("commentbox.sqlite3", "is the database itself"),
    ],
)
def test_a_backup_that_cannot_be_written_is_one_sentence(
    cli, capsys, blog, tmp_path, database_url, where, message
):
    (tmp_path / "a-file").write_text("not a folder")
    database = Path(database_url.removeprefix("sqlite:///"))
    target = database.parent / where if not where.startswith("/") else Path(where)
    extra = ["--force"] if where == "commentbox.sqlite3" else []
    assert cli(["backup", str(target), *extra]) == 1
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
    assert rows(database, "PRAGMA integrity_check") == [("ok",)]


def test_backup_needs_a_database(cli, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("COMMENTBOX_DATABASE_URL", f"sqlite:///{tmp_path}/nothing-here.sqlite3")
    assert cli(["backup", str(tmp_path / "b.sqlite3")]) == 1
    assert "There is no commentbox database" in capsys.readouterr().err
    assert not (tmp_path / "b.sqlite3").exists()
