"""``commentbox webhook …`` as a site owner uses it, against a real receiver on 127.0.0.1."""

import os

import orjson
import pytest

from commentbox.cli import main
from commentbox.outbound.fetch import NOT_ALLOWED


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("COMMENTBOX_"):
            monkeypatch.delenv(name)
    assert main(["site", "add", "myblog", "--origin", "https://blog.example"]) == 0
    return tmp_path


def test_add_list_test_and_remove_an_endpoint(in_tmp, capsys, monkeypatch, webhook_receiver):
    url = f"{webhook_receiver.url}/hook/ok"
    capsys.readouterr()
    events = "comment.created,comment.deleted"
    assert main(["webhook", "add", "myblog", url, "--events", events, "--json"]) == 0
    added = orjson.loads(capsys.readouterr().out)
    assert added["events"] == ["comment.created", "comment.deleted"]
    assert added["secret"].startswith("whsec_")
    webhook_receiver.secret = added["secret"]

    # Without the allow-list, the fetcher refuses 127.0.0.1: the owner is told why.
    assert main(["webhook", "test", str(added["id"])]) == 1
    assert capsys.readouterr().out == f"not delivered: {NOT_ALLOWED}\n"
    assert webhook_receiver.received == []

    monkeypatch.setenv("COMMENTBOX_OUTBOUND_ALLOW_HOSTS", '["127.0.0.1"]')
    assert main(["webhook", "test", str(added["id"])]) == 0
    assert capsys.readouterr().out == f"delivered: {url} answered HTTP 204\n"
    (got,) = webhook_receiver.received
    assert got.verified and got.payload["type"] == "webhook.test"

    assert main(["webhook", "list", "myblog"]) == 0
    assert capsys.readouterr().out == f"{added['id']}\t{url}\tcomment.created,comment.deleted\tdelivered\n"

    assert main(["webhook", "disable", str(added["id"])]) == 0
    assert capsys.readouterr().out == f"endpoint {added['id']} ({url}) disabled\n"
    assert main(["webhook", "list", "myblog"]) == 0
    assert f"{url} (disabled)\t" in capsys.readouterr().out
    assert main(["webhook", "enable", str(added["id"])]) == 0
    assert capsys.readouterr().out == f"endpoint {added['id']} ({url}) enabled\n"

    assert main(["webhook", "remove", str(added["id"])]) == 0
    assert "removed endpoint" in capsys.readouterr().out
    assert main(["webhook", "list", "myblog", "--json"]) == 0
    assert orjson.loads(capsys.readouterr().out) == []
    assert main(["webhook", "remove", str(added["id"])]) == 1
    assert capsys.readouterr().err == "commentbox: There is no such webhook endpoint.\n"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("javascript:alert(1)", "The endpoint URL must start with https:// (or http://)."),
        ("hooks.example/in", "The endpoint URL must start with https:// (or http://)."),
        ("https://hooks.example/" + "x" * 2000, "The endpoint URL is at most 2000 characters."),
    ],
)
def test_hostile_urls_get_one_sentence_and_a_failing_exit(in_tmp, capsys, url, says):
    capsys.readouterr()
    assert main(["webhook", "add", "myblog", url]) == 1
    assert capsys.readouterr().err == f"commentbox: {says}\n"
    assert main(["webhook", "list", "myblog"]) == 0
    assert capsys.readouterr().out == ""


def test_unknown_events_and_sites_are_refused(in_tmp, capsys):
    capsys.readouterr()
    assert main(["webhook", "add", "myblog", "https://hooks.example/", "--events", "comment.liked"]) == 1
    assert "Unknown event 'comment.liked'" in capsys.readouterr().err
    assert main(["webhook", "add", "nosite", "https://hooks.example/"]) == 1
    assert capsys.readouterr().err.startswith("commentbox: ")
