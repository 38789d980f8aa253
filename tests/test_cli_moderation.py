"""Moderation and accounts from the shell (``commentbox comments …``, ``admin list|remove``,
``site show``), against the database a running app serves, as a site owner scripts them."""

from __future__ import annotations

import io
import json
import os

import pytest
from sqlalchemy import text

from commentbox import cli
from commentbox.domain import sites
from commentbox.store.models import ModerationMode
from tests.support import ARTICLE, TEST_SECRET


@pytest.fixture
def shell(settings, monkeypatch, capsys):
    """Run a command against the app's database; returns (exit code, stdout, stderr)."""
    for name in list(os.environ):
        if name.startswith("COMMENTBOX_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COMMENTBOX_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("COMMENTBOX_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("COMMENTBOX_PUBLIC_URL", "http://testserver")

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def published(client) -> list[int]:
    thread = client.get("/api/v1/threads", params={"site": "blog", "url": ARTICLE}).json()
    return [c["id"] for c in thread["comments"]]


def test_the_queue_is_listed_and_approved_from_the_shell(client, ctx, make_comment, shell):
    sites.update_site(ctx.db, "blog", moderation=ModerationMode.ALL)
    first = make_comment(body="First <script>alert(1)</script> words")["id"]
    second = make_comment(author={"name": "Bo\tTab", "email": "bo@example.com"})["id"]
    code, out, _ = shell("comments", "list", "--pending", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [c["id"] for c in listed] == [second, first]
    assert listed[1]["email"] == "ada@example.com" and listed[1]["status"] == "pending"
    assert listed[1]["body"] == "First <script>alert(1)</script> words"  # the source, as stored
    code, out, _ = shell("comments", "list", "--pending")
    lines = out.splitlines()
    assert len(lines) == 2 and lines[0].split("\t")[0] == str(second)
    assert published(client) == []

    code, out, _ = shell("comments", "approve", str(first), "--json")
    assert (code, json.loads(out)) == (0, {"action": "approve", "changed": 1})
    assert published(client) == [first]  # the server's cached thread knows at once
    assert [c["id"] for c in json.loads(shell("comments", "list", "--pending", "--json")[1])] == [second]


def test_spam_and_delete_from_the_shell_take_comments_out_of_view(client, blog, make_comment, shell, ctx):
    kept, spam, gone = (make_comment()["id"] for _ in range(3))
    assert shell("comments", "spam", str(spam)) == (0, "1 changed\n", "")
    assert shell("comments", "delete", str(gone))[0] == 0
    assert published(client) == [kept]
    listed = json.loads(shell("comments", "list", "--status", "spam", "--json")[1])
    assert [c["id"] for c in listed] == [spam]
    with ctx.db.engine.connect() as connection:
        status = connection.execute(text("SELECT status FROM comment WHERE id = :id"), {"id": gone}).scalar()
    assert status is None  # no reply hangs under it: the row is gone, no tombstone


def test_trash_and_restore_from_the_shell(client, blog, make_comment, shell):
    kept, trashed = (make_comment()["id"] for _ in range(2))
    assert shell("comments", "trash", str(trashed)) == (0, "1 changed\n", "")
    assert published(client) == [kept]
    everything = json.loads(shell("comments", "list", "--json")[1])
    assert [c["id"] for c in everything] == [kept]  # the trash only when asked for
    listed = json.loads(shell("comments", "list", "--status", "trash", "--json")[1])
    assert [(c["id"], c["status"]) for c in listed] == [(trashed, "trash")]
    assert json.loads(shell("comments", "restore", str(trashed), "--json")[1]) == {
        "action": "restore",
        "changed": 1,
    }
    assert published(client) == [kept, trashed]


def test_an_unknown_id_refuses_the_whole_batch_in_one_sentence(client, ctx, make_comment, shell):
    sites.update_site(ctx.db, "blog", moderation=ModerationMode.ALL)
    waiting = make_comment()["id"]
    code, out, err = shell("comments", "approve", str(waiting), "999999")
    assert code == 1 and out == ""
    assert err.startswith("commentbox: ") and err.count("\n") == 1
    assert published(client) == []  # all or nothing


@pytest.mark.parametrize("argv", [["comments", "approve"], ["comments", "spam", "twelve"]])
def test_malformed_moderation_commands_exit_with_usage(shell, argv):
    with pytest.raises(SystemExit) as done:
        shell(*argv)
    assert done.value.code == 2


def test_site_show_prints_every_setting(blog, shell):
    code, out, _ = shell("site", "show", "blog")
    assert code == 0
    shown = dict(line.split("\t", 1) for line in out.splitlines())
    assert shown["origins"] == "https://blog.example" and shown["moderation"] == "none"
    assert {"edit_window_seconds", "same_text_limits", "blocked_words"} <= shown.keys()
    document = json.loads(shell("site", "show", "blog", "--json")[1])
    assert document.keys() == shown.keys() and document["origins"] == ["https://blog.example"]
    assert json.loads(shell("site", "list", "--json")[1]) == [
        {"id": "blog", "name": "blog", "moderation": "none", "origins": ["https://blog.example"]}
    ]
    code, out, err = shell("site", "show", "nosuch")
    assert (code, out) == (1, "") and err.startswith("commentbox: ") and err.count("\n") == 1


def test_admin_accounts_are_listed_and_removed(blog, shell, monkeypatch, ctx):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert (
        shell("admin", "add", "mia", "--site", "blog", "--email", "mia@example.com", "--password-stdin")[0]
        == 0
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("another long password\n"))
    assert shell("admin", "add", "root", "--superuser", "--password-stdin")[0] == 0
    code, out, _ = shell("admin", "list")
    assert out.splitlines() == ["mia\tmia@example.com\tmoderator of blog", "root\t-\tsuperuser (every site)"]
    listed = json.loads(shell("admin", "list", "--json")[1])
    assert listed[0]["roles"] == [{"site": "blog", "role": "moderator"}]
    assert "argon2" not in out and all("password" not in str(a) for a in listed)

    assert shell("admin", "remove", "mia") == (0, "removed mia\n", "")
    assert [a["name"] for a in json.loads(shell("admin", "list", "--json")[1])] == ["root"]
    with ctx.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM site_role")).scalar() == 0
    code, _, err = shell("admin", "remove", "mia")
    assert code == 1 and "mia" in err
