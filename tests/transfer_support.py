"""What the import and export tests share: the real CLI on the test's database, SQL on it,
the real sample exports, and small WXR files written by the tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from commentbox.cli import main
from commentbox.store.db import Database
from tests.conftest import required_or_skip
from tests.support import TEST_SECRET

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "imports"


def import_report(kind: str, cli, capsys, path: Path, site: str = "blog", *extra: str) -> dict:
    """``commentbox import KIND PATH --site SITE --json``, which must succeed: its report.
    Each format's tests bind their own: ``imported = partial(import_report, "isso")``."""
    assert cli(["import", kind, str(path), "--site", site, "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def fixture(relative: str) -> Path:
    path = FIXTURES / relative
    if not path.exists():
        required_or_skip(
            f"the real sample exports are not at {FIXTURES} (see shared/fixtures/imports/SOURCES.md)"
        )
    return path


@pytest.fixture
def cli(database_url, monkeypatch, tmp_path):
    """``main(argv)`` on the test's database, as a site owner runs it."""
    for name in list(os.environ):
        if name.startswith("COMMENTBOX_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMMENTBOX_DATABASE_URL", database_url)
    monkeypatch.setenv("COMMENTBOX_SECRET_KEY", TEST_SECRET)
    return main


@pytest.fixture
def blog_site(cli, capsys):
    """The site ``blog`` on https://blog.example, registered by the CLI as an owner does."""
    assert cli(["site", "add", "blog", "--origin", "https://blog.example"]) == 0
    capsys.readouterr()


@pytest.fixture
def query(database_url):
    db = Database(database_url)

    def run(sql: str) -> list[tuple]:
        with db.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]

    yield run
    db.dispose()


WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Post</title><link>https://blog.example/post/</link><wp:post_id>7</wp:post_id>
{comments}
</item></channel></rss>
"""
COMMENT = """<wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_author>A</wp:comment_author>
<wp:comment_date>{local}</wp:comment_date><wp:comment_date_gmt>{gmt}</wp:comment_date_gmt>
<wp:comment_content><![CDATA[{body}]]></wp:comment_content><wp:comment_approved>{status}</wp:comment_approved>
<wp:comment_type></wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"""


def wxr(tmp_path: Path, *comments: dict, name: str = "export.xml") -> Path:
    parts = []
    for number, changes in enumerate(comments, 1):
        values = {"id": number, "local": "2021-07-01 14:00:00", "gmt": "2021-07-01 12:00:00",
                  "body": f"comment {number}", "status": "1", "parent": 0} | changes  # fmt: skip
        parts.append(COMMENT.format(**values))
    path = tmp_path / name
    path.write_text(WXR.format(comments="\n".join(parts)), encoding="utf-8")
    return path
