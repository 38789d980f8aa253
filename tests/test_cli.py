"""The ``commentbox`` command as a site owner uses it, including a real ``serve`` process."""

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from commentbox.cli import main
from commentbox.domain.spam import issue_form_token
from commentbox.keys import Keys


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("COMMENTBOX_"):
            monkeypatch.delenv(name)
    return tmp_path


def test_site_add_list_update_remove(in_tmp, capsys):
    assert main(["site", "add", "myblog", "--origin", "https://Blog.Example/", "--name", "My blog"]) == 0
    assert main(["site", "list"]) == 0
    assert "myblog\tMy blog\tnone\thttps://blog.example" in capsys.readouterr().out
    assert (
        main(["site", "update", "myblog", "--add-origin", "http://localhost:3000", "--moderation", "all"])
        == 0
    )
    assert "all\thttps://blog.example http://localhost:3000" in capsys.readouterr().out
    assert main(["site", "remove", "myblog"]) == 2  # needs --yes
    assert main(["site", "remove", "myblog", "--yes"]) == 0
    capsys.readouterr()
    assert main(["site", "list"]) == 0
    assert capsys.readouterr().out == ""


def test_the_first_setup_command_makes_the_data_folder_and_says_where(in_tmp, capsys):
    assert main(["site", "add", "myblog", "--origin", "https://blog.example"]) == 0
    assert "created a new database in commentbox-data/commentbox.sqlite3" in capsys.readouterr().err
    assert [p.name for p in in_tmp.iterdir()] == ["commentbox-data"]
    secret = in_tmp / "commentbox-data" / "commentbox.secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert main(["site", "list"]) == 0
    assert "myblog" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["site", "list"],
        ["site", "update", "myblog", "--name", "x"],
        ["import", "wordpress", "export.xml", "--site", "myblog"],
    ],
)
def test_other_commands_refuse_where_there_is_no_database_and_write_nothing(in_tmp, capsys, argv):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "There is no commentbox database at commentbox-data/commentbox.sqlite3." in err
    assert "COMMENTBOX_DATA_DIR" in err and "commentbox migrate" in err
    assert list(in_tmp.iterdir()) == []  # no database, no secret, no folder


def test_the_data_folder_is_a_setting(in_tmp, monkeypatch, capsys):
    elsewhere = in_tmp / "srv" / "comments"
    monkeypatch.setenv("COMMENTBOX_DATA_DIR", str(elsewhere))
    assert main(["migrate"]) == 0
    assert (elsewhere / "commentbox.sqlite3").exists() and (elsewhere / "commentbox.secret").exists()
    assert main(["site", "list"]) == 0  # found there from any folder


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["site", "add", "Bad Id", "--origin", "https://x.example"], "site id"),
        (["site", "add", "ok", "--origin", "ftp://x.example"], "not a valid origin"),
        (["site", "update", "ghost", "--name", "x"], "no site called"),
    ],
)
def test_mistakes_are_one_clear_line(in_tmp, capsys, argv, message):
    assert main(["migrate"]) == 0
    capsys.readouterr()
    assert main(argv) == 1
    assert message in capsys.readouterr().err


def test_adding_a_site_twice_is_refused(in_tmp, capsys):
    main(["site", "add", "a", "--origin", "https://a.example"])
    assert main(["site", "add", "a", "--origin", "https://a.example"]) == 1
    assert "exists already" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["serve"],
        ["migrate"],
        ["site"],
        ["site", "add"],
        ["site", "list"],
        ["site", "update"],
        ["site", "remove"],
        ["site", "show"],
        ["admin", "list"],
        ["admin", "remove"],
        ["comments"],
        ["comments", "list"],
        ["comments", "approve"],
    ],
)
def test_every_command_has_help(argv, capsys):
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    assert "usage: commentbox" in capsys.readouterr().out


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_with_no_settings_creates_everything_and_shows_the_demo(in_tmp):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTBOX_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])  # this checkout, whatever is installed
    process = subprocess.Popen(
        [sys.executable, "-m", "commentbox", "serve", "--port", str(port)],
        cwd=in_tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert (
            process.stdout.readline()
            == "commentbox: created a new database in commentbox-data/commentbox.sqlite3\n"
        )
        line = process.stdout.readline()
        assert f"listening on http://127.0.0.1:{port}/" in line
        assert "commentbox-data/commentbox.sqlite3" in line
        assert process.stdout.readline().strip() == f"open http://127.0.0.1:{port}/ for the demo article"
        assert process.stdout.readline().strip().startswith("press Ctrl+C to stop")
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 15
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.1)
        config = httpx.get(f"{base}/api/v1/sites/demo/config").json()
        assert config["form_token"]
        # As if the form had been on screen for a minute: signed with the generated secret.
        secret = (in_tmp / "commentbox-data" / "commentbox.secret").read_text().strip().encode()
        posted = httpx.post(
            f"{base}/api/v1/comments",
            json={
                "site": "demo",
                "url": f"{base}/",
                "body": "hi",
                "author": {"name": "A", "email": "a@b.io"},
                "form_token": issue_form_token(Keys(secret), "demo", time.time() - 60),
            },
            headers={"Origin": base},
        )
        assert posted.status_code == 201, posted.text
        demo = httpx.get(f"{base}/")
        assert demo.status_code == 200 and "commentbox" in demo.text
        assert "content-security-policy" in demo.headers
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
    secret = in_tmp / "commentbox-data" / "commentbox.secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert (in_tmp / "commentbox-data" / "commentbox.sqlite3").exists()
    assert [p.name for p in in_tmp.iterdir()] == ["commentbox-data"]  # nothing else in the folder
    assert secret.read_text().strip() not in line


def test_site_update_turns_feeds_off_and_on(in_tmp, capsys):
    assert main(["site", "add", "myblog", "--origin", "https://blog.example"]) == 0
    assert main(["site", "update", "myblog", "--feeds", "off"]) == 0
    capsys.readouterr()
    assert main(["site", "show", "myblog"]) == 0
    assert "feeds\tFalse" in capsys.readouterr().out.splitlines()
    assert main(["site", "update", "myblog", "--feeds", "on"]) == 0
    capsys.readouterr()
    assert main(["site", "show", "myblog", "--json"]) == 0
    assert '"feeds": true' in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["site", "update", "myblog", "--feeds", "maybe"])
