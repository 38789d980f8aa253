"""``commentbox copy --to URL``: a populated SQLite instance moves to an empty PostgreSQL, which
then serves it; and ``commentbox backup`` on PostgreSQL says to use pg_dump.

The source is always a SQLite file of the test's own; the target a fresh PostgreSQL database
made by the test on 127.0.0.1:5432 (trust auth, user postgres) and dropped after it.
"""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel
from starlette.testclient import TestClient

from commentbox.store import migrate
from commentbox.store.db import Database
from tests.conftest import required_or_skip
from tests.instances import Instance
from tests.support import ARTICLE, BLOG, comment_payload, form_token
from tests.transfer_support import wxr

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The instance that moves: SQLite, whatever engine the suite runs on."""
    path = tmp_path / "commentbox.sqlite3"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db.engine)
    db.dispose()
    return f"sqlite:///{path}"


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    name = f"commentbox_copy_{secrets.token_hex(4)}"
    server = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        server.dispose()
        required_or_skip("needs PostgreSQL on 127.0.0.1:5432 with trust auth for user postgres")
    try:
        yield f"{SERVER}/{name}"
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def every_row(url: str) -> dict[str, list[str]]:
    """Every row of every table, ids included, in one spelling (times as UTC)."""

    def spelled(value: object) -> str:
        if isinstance(value, datetime):
            value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
        return repr(value)

    engine = create_engine(url)
    with engine.connect() as connection:
        found = {
            table.name: sorted(repr([spelled(v) for v in row]) for row in connection.execute(select(table)))
            for table in SQLModel.metadata.sorted_tables
        }
    engine.dispose()
    return found


def populate(cli, capsys, client, make_comment, signed_in_as, tmp_path, monkeypatch) -> None:
    """Live comments (a reply, a signed-in user's, votes), imported ones (one of them a reply
    that holds a lower id than its parent), and a site owner's account."""
    first = make_comment(body="first *live*")
    make_comment(body="a reply", parent=first["id"])
    token = signed_in_as()
    signed = client.post(
        "/api/v1/comments",
        json={"site": "blog", "url": ARTICLE, "body": "signed in", "form_token": form_token()},
        headers={"Origin": BLOG, "Authorization": f"Bearer {token}"},
    )
    assert signed.status_code == 201, signed.text
    reader = TestClient(client.app, base_url=str(client.base_url), client=("192.0.2.1", 4000))
    vote = reader.post(f"/api/v1/comments/{first['id']}/vote", json={"value": 1}, headers={"Origin": BLOG})
    assert vote.status_code == 200, vote.text
    path = wxr(tmp_path, {"id": 5, "parent": 6, "body": "early reply"}, {"id": 6}, {"status": "spam"})
    assert cli(["import", "wordpress", str(path), "--site", "blog"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough owner passphrase 42\n"))
    assert cli(["admin", "add", "mia", "--site", "blog", "--role", "owner", "--password-stdin"]) == 0
    capsys.readouterr()


@pytest.mark.postgres
def test_an_instance_moves_to_postgresql_and_is_served_from_it(
    cli, capsys, client, make_comment, signed_in_as, database_url, fresh_postgres, tmp_path, monkeypatch
):
    populate(cli, capsys, client, make_comment, signed_in_as, tmp_path, monkeypatch)
    before = every_row(database_url)
    assert len(before["comment"]) == 6 and len(before["vote"]) == 1 and len(before["user_session"]) == 1
    assert len(before["admin_account"]) == 1 and len(before["site_role"]) == 1

    assert cli(["copy", "--to", fresh_postgres]) == 0
    out = capsys.readouterr().out
    assert "comment: 6 rows" in out and "counts and checksums match" in out
    assert every_row(fresh_postgres) == before

    with Instance(fresh_postgres, tmp_path) as instance:
        thread = httpx.get(
            f"{instance.url}/api/v1/threads", params={"site": "blog", "url": ARTICLE}, timeout=10
        )
        assert thread.status_code == 200, thread.text
        bodies = {c["html"] for c in thread.json()["comments"]}
        assert "<p>first <em>live</em></p>" in bodies and "<p>signed in</p>" in bodies
        # The id sequences were moved past the copied rows: a new post takes a new id.
        posted = httpx.post(
            f"{instance.url}/api/v1/comments",
            json=comment_payload(body="the first on PostgreSQL"),
            headers={"Origin": BLOG},
            timeout=10,
        )
        assert posted.status_code == 201, posted.text
        # The site's owner signs in on the copy with the password set on SQLite.
        with httpx.Client(base_url=instance.url, headers={"Origin": instance.url}, timeout=10) as owner:
            form = owner.get("/admin/login")
            csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert csrf, form.text
            fields = {"csrf": csrf.group(1), "name": "mia", "password": "a long enough owner passphrase 42"}
            assert owner.post("/admin/login", data=fields).status_code == 303
            assert owner.get("/admin", follow_redirects=False).status_code == 200
    engine = create_engine(fresh_postgres)
    with engine.connect() as connection:
        ids = [i for (i,) in connection.execute(text("SELECT id FROM comment ORDER BY id"))]
    assert len(ids) == 7 and ids[-1] == posted.json()["id"]
    engine.dispose()


@pytest.mark.postgres
def test_a_target_that_is_not_empty_is_refused(cli, capsys, blog, make_comment, fresh_postgres):
    make_comment(body="once")
    assert cli(["copy", "--to", fresh_postgres]) == 0
    capsys.readouterr()
    make_comment(body="twice")
    assert cli(["copy", "--to", fresh_postgres]) == 1
    error = capsys.readouterr().err
    assert "is not empty" in error and error.count("\n") == 1
    assert len(every_row(fresh_postgres)["comment"]) == 1


@pytest.mark.postgres
def test_another_applications_database_is_refused_untouched(cli, capsys, blog, fresh_postgres):
    engine = create_engine(fresh_postgres)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE wp_posts (id integer primary key)"))
    assert cli(["copy", "--to", fresh_postgres]) == 1
    assert "not commentbox's (wp_posts)" in capsys.readouterr().err
    with engine.connect() as connection:
        tables = connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        assert [name for (name,) in tables] == ["wp_posts"]
    engine.dispose()


@pytest.mark.postgres
def test_a_copy_that_fails_midway_writes_nothing(
    cli, capsys, blog, make_comment, database_url, fresh_postgres
):
    make_comment(body="fine")
    broken = make_comment(body="to be broken")
    source = Database(database_url)
    with source.engine.begin() as connection:  # SQLite keeps a NUL in text; PostgreSQL refuses it
        connection.execute(
            text("UPDATE comment SET body = :body WHERE id = :id"), {"body": "a\x00b", "id": broken["id"]}
        )
    source.dispose()
    assert cli(["copy", "--to", fresh_postgres]) == 1
    error = capsys.readouterr().err
    assert "failed and wrote nothing" in error and error.count("\n") == 1
    assert all(rows == [] for rows in every_row(fresh_postgres).values())
    # Fixed, the same command finishes the move.
    source = Database(database_url)
    with source.engine.begin() as connection:
        connection.execute(text("UPDATE comment SET body = 'ab' WHERE id = :id"), {"id": broken["id"]})
    source.dispose()
    assert cli(["copy", "--to", fresh_postgres]) == 0
    assert len(every_row(fresh_postgres)["comment"]) == 2


@pytest.mark.postgres
def test_backup_on_postgresql_says_to_use_pg_dump(cli, capsys, fresh_postgres, tmp_path, monkeypatch):
    db = Database(fresh_postgres)
    migrate.upgrade(db.engine)
    db.dispose()
    monkeypatch.setenv("COMMENTBOX_DATABASE_URL", fresh_postgres)
    assert cli(["backup", str(tmp_path / "b.sqlite3")]) == 1
    error = capsys.readouterr().err
    assert "pg_dump" in error and error.count("\n") == 1
    assert not (tmp_path / "b.sqlite3").exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense", "is not a database URL"),
        ("sqlite:///elsewhere.sqlite3", "commentbox backup FILE"),
        ("mysql://root@127.0.0.1/commentbox", "not to mysql"),
        ("postgresql+psycopg://postgres@127.0.0.1:5432", "names no database"),
        ("postgresql+nodriver://postgres@127.0.0.1/db", "No driver"),
        ("postgresql://postgres:secret@127.0.0.1:1/commentbox", "Cannot connect to"),
    ],
)
def test_bad_targets_are_one_sentence(cli, capsys, blog, url, message):
    assert cli(["copy", "--to", url]) == 1
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
    assert "secret" not in error  # the password is never printed
