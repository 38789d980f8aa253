"""``commentbox export wxr``: a file WordPress's importer reads, and that ``import wordpress``
reads back into the same comments."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from defusedxml import ElementTree
from sqlalchemy import text

from commentbox.store import exports
from commentbox.store.db import Database
from commentbox.transfer.wxr_export import cdata, plain
from tests.support import BLOG
from tests.transfer_support import fixture, wxr
from tests.xss import PAYLOADS, executable_parts

WP = "{http://wordpress.org/export/1.2/}"

# One comment of a site as a reader would recognise it, ids aside: its page, its parent (by
# the parent's time and text), its time to the second (WXR has no fractions), status, kind.
COMMENTS = """SELECT c.id, t.key, c.parent_id, c.created, c.status, c.html, c.author_name,
 coalesce(s.kind, 'comment') FROM comment c JOIN thread t ON t.id = c.thread_id
 LEFT JOIN comment_source s ON s.comment_id = c.id WHERE t.site_id = '{site}'"""


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible(html: str) -> str:
    """What a reader sees of ``html``: its text, white space collapsed as a browser does."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def comments(query, site: str, *, as_text: bool = False) -> list[tuple]:
    """The site's comments; ``as_text`` compares bodies by what a reader sees (markup that
    WordPress kept and Markdown cannot say, such as a link without an address, is lost in
    conversion, and runs of spaces collapse)."""
    rows = {row[0]: row for row in query(COMMENTS.format(site=site))}
    if as_text:
        rows = {k: (*row[:5], visible(row[5]), *row[6:]) for k, row in rows.items()}

    def second(value) -> str:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).strftime("%Y-%m-%d %H:%M:%S")

    def seen(row) -> tuple:
        parent = rows.get(row[2])
        return (row[1], None if parent is None else (second(parent[3]), parent[5]), second(row[3]), *row[4:])

    return sorted((seen(row) for row in rows.values()), key=repr)


def exported(cli, capsys, tmp_path, site: str, *extra: str):
    path = tmp_path / f"{site}.xml"
    assert cli(["export", "wxr", "--site", site, "--output", str(path), *extra]) == 0
    assert "comments of" in capsys.readouterr().err
    return path, ElementTree.parse(path)  # a strict XML 1.0 parser: well-formed or it raises


def write_sql(database: str, sql: str, **values) -> None:
    db = Database(database)
    try:
        with db.engine.begin() as connection:
            connection.execute(text(sql), values)
    finally:
        db.dispose()


def test_a_site_round_trips_through_wxr(cli, capsys, tmp_path, make_comment, query):
    first = make_comment(body="first *live* comment")
    make_comment(body="a reply with `code`", parent=first["id"])
    for payload in PAYLOADS:
        make_comment(body=payload)
    path = wxr(tmp_path, {}, {"parent": 1}, {"status": "0"}, {"status": "spam"}, {"status": "trash"},
               {"parent": 5, "body": "under a tombstone"}, name="old.xml")  # fmt: skip
    assert cli(["import", "wordpress", str(path), "--site", "blog"]) == 0
    capsys.readouterr()

    path, tree = exported(cli, capsys, tmp_path, "blog")
    channel = tree.getroot().find("channel")
    assert channel.findtext(f"{WP}wxr_version") == "1.2"
    statuses = [c.findtext(f"{WP}comment_approved") for c in channel.iter(f"{WP}comment")]
    assert sorted(set(statuses)) == ["0", "1", "spam", "trash"]
    assert all(not executable_parts(c.findtext(f"{WP}comment_content")) for c in channel.iter(f"{WP}comment"))

    assert cli(["site", "add", "moved", "--origin", BLOG]) == 0
    assert cli(["import", "wordpress", str(path), "--site", "moved", "--json"]) == 0
    capsys.readouterr()
    before, after = comments(query, "blog"), comments(query, "moved")
    assert len(before) == 2 + len(PAYLOADS) + 6
    assert after == before


def test_the_theme_unit_test_data_round_trips_with_its_pingbacks_and_deep_thread(
    cli, capsys, tmp_path, query
):
    origin = "https://wpthemetestdata.wordpress.com"
    assert cli(["site", "add", "theme", "--origin", origin]) == 0
    source = fixture("wxr/wordpress-importer/theme-unit-test-data.xml")
    assert cli(["import", "wordpress", str(source), "--site", "theme"]) == 0
    capsys.readouterr()
    path, tree = exported(cli, capsys, tmp_path, "theme")
    items = tree.getroot().find("channel").findall("item")
    assert len(items) == 7 and all(item.findtext("title") and item.findtext("link") for item in items)
    kinds = sorted(c.findtext(f"{WP}comment_type") for c in tree.iter(f"{WP}comment"))
    assert kinds.count("pingback") == 2 and kinds.count("trackback") == 2

    assert cli(["site", "add", "again", "--origin", origin]) == 0
    capsys.readouterr()
    assert cli(["import", "wordpress", str(path), "--site", "again", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["comments"]["created"] == {"approved": 30, "pending": 3}
    assert comments(query, "again", as_text=True) == comments(query, "theme", as_text=True)


def test_parents_get_lower_ids_and_times_are_local_and_utc(cli, capsys, tmp_path, query, blog):
    # A reply before its parent in the file gets the lower id here; WordPress's importer
    # only keeps parents inserted before their replies (it inserts by id).
    path = wxr(tmp_path, {"id": 9, "parent": 10, "body": "reply"}, {"id": 10, "body": "parent"})
    assert cli(["import", "wordpress", str(path), "--site", "blog"]) == 0
    capsys.readouterr()
    (reply_id,) = query("SELECT id FROM comment WHERE parent_id IS NOT NULL")[0]
    (parent_id,) = query("SELECT parent_id FROM comment WHERE parent_id IS NOT NULL")[0]
    assert reply_id < parent_id

    _, tree = exported(cli, capsys, tmp_path, "blog", "--timezone", "Europe/Paris")
    found = {c.findtext(f"{WP}comment_content"): c for c in tree.iter(f"{WP}comment")}
    reply, parent = found["<p>reply</p>"], found["<p>parent</p>"]
    assert reply.findtext(f"{WP}comment_parent") == parent.findtext(f"{WP}comment_id")
    assert int(reply.findtext(f"{WP}comment_id")) > int(parent.findtext(f"{WP}comment_id")) == parent_id
    assert parent.findtext(f"{WP}comment_date_gmt") == "2021-07-01 12:00:00"
    assert parent.findtext(f"{WP}comment_date") == "2021-07-01 14:00:00"  # Paris in summer
    assert reply.find(f"{WP}comment_author_IP") is None  # we keep only keyed hashes


def test_hostile_text_stays_well_formed_xml(cli, capsys, tmp_path, make_comment, database_url):
    comment = make_comment(body="plain")
    tail = " ok \u202eevil\u202c <b>&amp;</b> 👩‍👩‍👧 שלום 漢字"
    nul = "" if database_url.startswith("postgresql") else "\x00"  # PostgreSQL's text cannot hold it
    nasty = "end]]>here " + nul + "\x01\x08\x0b\x0c\x1b\x7f\ufffe\uffff" + tail
    write_sql(
        database_url,
        "UPDATE comment SET author_name = :name, html = :nasty, author_website = :url WHERE id = :id",
        name=nasty, nasty=nasty, url="https://x.example/?a=1&b=<2>]]>", id=comment["id"],
    )  # fmt: skip
    write_sql(database_url, "UPDATE thread SET title = :nasty", nasty=nasty)
    path, tree = exported(cli, capsys, tmp_path, "blog")
    (element,) = tree.iter(f"{WP}comment")
    clean = "end]]>here \x7f" + tail
    assert element.findtext(f"{WP}comment_author") == clean
    assert element.findtext(f"{WP}comment_content") == clean
    assert element.findtext(f"{WP}comment_author_url") == "https://x.example/?a=1&b=<2>]]>"
    assert tree.getroot().find("channel/item/title").text == clean
    assert "]]]]><![CDATA[>" in path.read_text(encoding="utf-8")


def test_cdata_and_plain_text_drop_what_xml_forbids():
    assert cdata("a]]>b]]>") == "<![CDATA[a]]]]><![CDATA[>b]]]]><![CDATA[>]]>"
    assert cdata("\ud800lone\udfff surrogates\x00") == "<![CDATA[lone surrogates]]>"
    assert plain("<a&b>\x1f") == "&lt;a&amp;b&gt;"
    assert ElementTree.fromstring(f"<x>{cdata('x]]>y')}</x>").text == "x]]>y"


def test_an_empty_site_is_a_valid_file_without_items(cli, capsys, tmp_path, blog):
    _, tree = exported(cli, capsys, tmp_path, "blog")
    assert tree.getroot().find("channel").findall("item") == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "wxr", "--site", "ghost"], "no site called"),
        (["export", "wxr", "--site", "blog", "--timezone", "Mars/Olympus"], "is not a time zone name"),
        (["export", "wxr", "--site", "blog", "--output", "/nonexistent/dir/x.xml"], "Cannot write"),
    ],
)
def test_bad_exports_are_one_sentence(cli, capsys, blog, argv, message):
    assert cli(argv) == 1
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1


def test_the_export_reads_pages_across_thread_boundaries(ctx, blog, make_comment):
    # Pages of two rows, keyed by (thread, id): every comment once, in thread then id order.
    for page in ("one", "two", "three"):
        for n in range(3):
            make_comment(url=f"{BLOG}/{page}/", body=f"{page} {n}")
    with ctx.db.read() as session:
        small = [r["id"] for r in exports.comments_by_thread(session.connection(), "blog", page=2)]
        whole = [(r["thread_id"], r["id"]) for r in exports.comments_by_thread(session.connection(), "blog")]
    assert len(whole) == 9 and whole == sorted(whole)
    assert small == [comment_id for _, comment_id in whole]
