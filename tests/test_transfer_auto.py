"""``commentbox import auto``: the format told from the content, said, then imported as that."""

from __future__ import annotations

import gzip
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.transfer_support import WXR, fixture, wxr


@pytest.fixture
def everywhere(cli, capsys):
    """A site with the origins of every real sample used here."""
    origins = [
        "https://356189.xyz", "https://radio-t.com", "https://example.com", "http://example.com",
        "http://127.0.0.1:5500", "http://example.org", "http://localhost:4000", "https://blog.example",
    ]  # fmt: skip
    assert cli(["site", "add", "s", *(arg for o in origins for arg in ("--origin", o))]) == 0
    capsys.readouterr()


@pytest.mark.parametrize(
    ("relative", "format", "created"),
    [
        ("isso/snjlogs/comments.db", "isso", 2),
        ("isso/isso/generic.json", "isso", 0),  # local times: --timezone wanted
        ("remark42/remark42/native_test--TestNative_Import.jsonl", "remark42", 2),
        ("commento/remark42/commento.json", "commento", 3),
        ("commento/comentario/comentario-ok-single-v3.json.gz", "commento", 0),  # localhost:8000: refused
        ("commento/comentario/comentario-ok-empty-v1.json.gz", "commento", 0),
        ("artalk/artransfer/Disqus.artrans", "artalk", 4),
        ("disqus/isso/disqus.xml", "disqus", 5),
        ("disqus/comentario/disqus-ok-single.xml.gz", "disqus", 1),
        ("wxr/comentario/wordpress-ok-single.zip", "wordpress", 1),
    ],
)
def test_real_files_are_recognised_by_content_whatever_their_name(
    cli, capsys, tmp_path, everywhere, relative, format, created
):
    renamed = tmp_path / "export.bin"  # the name says nothing
    shutil.copy(fixture(relative), renamed)
    assert cli(["import", "auto", str(renamed), "--site", "s", "--json"]) == 0
    captured = capsys.readouterr()
    assert f"importing it as `import {format}`" in captured.err
    report = json.loads(captured.out)
    assert report["source"] == format and sum(report["comments"]["created"].values()) == created


def test_a_wordpress_export_with_a_bom_and_options_passed_on(cli, capsys, query, tmp_path, everywhere):
    path = wxr(tmp_path, {"gmt": "0000-00-00 00:00:00"})
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert cli(["import", "auto", str(path), "--site", "s", "--timezone", "UTC", "--dry-run"]) == 0
    captured = capsys.readouterr()
    assert "is a WordPress export: importing it as `import wordpress`" in captured.err
    assert "would create 1" in captured.out
    assert query("SELECT count(*) FROM comment") == [(0,)]


def test_our_own_backup_is_restored(cli, capsys, query, tmp_path, everywhere):
    assert cli(["import", "wordpress", str(wxr(tmp_path, {}, {"parent": 1})), "--site", "s"]) == 0
    backup = tmp_path / "backup.json"
    assert cli(["export", "json", "--site", "s", "--output", str(backup)]) == 0
    capsys.readouterr()
    assert cli(["import", "auto", str(backup), "--site", "copy"]) == 0
    assert "is a commentbox backup: importing it as `import json`" in capsys.readouterr().err
    assert query("SELECT count(*) FROM comment") == [(4,)]
    assert cli(["import", "auto", str(backup), "--site", "copy", "--dry-run"]) == 1
    assert "has no --dry-run" in capsys.readouterr().err


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _two_files(tmp_path: Path) -> Path:
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.xml", WXR.format(comments=""))
        archive.writestr("b.xml", WXR.format(comments=""))
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: _write(d, "x", b"<html><body>hi</body></html>"), "is XML, but neither a WordPress"),
        (lambda d: _write(d, "x", b'<?xml version="1.0"?><!-- hi --><feed/>'), "(its root is <feed>)"),
        (lambda d: _write(d, "x", b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "aaa">]><rss/>'),
         "declares a DTD or entities"),
        (lambda d: _write(d, "x", b'{"name": "package", "version": "1.0"}'), "its keys: name, version"),
        (lambda d: _write(d, "x", b'{"version": 1, "comm'), "is not valid JSON"),
        (lambda d: _write(d, "x", b"\x00\x01binary"), "is not an export commentbox can read"),
        (lambda d: _write(d, "x", b""), "is not an export commentbox can read"),
        (lambda d: _write(d, "x.gz", gzip.compress(b"[" * 1000)[:20]), "damaged or truncated"),
        (_two_files, "should hold one export, but holds 2 files"),
        (lambda d: d / "missing", "Cannot read"),
    ],
)  # fmt: skip
def test_what_is_no_known_export_is_one_sentence(cli, capsys, query, tmp_path, everywhere, make, message):
    assert cli(["import", "auto", str(make(tmp_path)), "--site", "s"]) == 1
    captured = capsys.readouterr()
    assert message in captured.err and captured.err.count("\n") == 1 and captured.out == ""
    assert query("SELECT count(*) FROM comment") == query("SELECT count(*) FROM thread") == [(0,)]


def test_a_file_recognised_then_refused_says_both(cli, capsys, query, tmp_path, everywhere):
    path = _write(tmp_path, "x", b"[" + b"[" * 100 + b"]" * 101)
    assert cli(["import", "auto", str(path), "--site", "s"]) == 1
    said, refused = capsys.readouterr().err.splitlines()
    assert said.endswith("importing it as `import artalk`.") and "nests values more than 32" in refused
    assert query("SELECT count(*) FROM comment") == [(0,)]
