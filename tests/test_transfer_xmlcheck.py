"""``xmlstream.check`` (the import's first, element-free read of a WordPress file) must refuse
exactly what ``xmlstream.records`` (the read that builds the entries) refuses, with the same
sentence, and pass exactly what it passes: otherwise a file could fail halfway through the
write, or be refused for nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from commentbox.transfer import xmlstream
from commentbox.transfer.files import BadFile
from tests.transfer_support import fixture

GOOD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:wp="http://wordpress.org/export/1.2/">'
    "<channel><item><wp:comment><wp:comment_id>1</wp:comment_id></wp:comment></item></channel></rss>"
)
INPUTS = {
    "good": GOOD.encode(),
    "truncated": GOOD.encode()[:-20],
    "broken tag late": GOOD.replace("</channel>", "<broken></channel>").encode(),
    "empty": b"",
    "only a declaration": b'<?xml version="1.0"?>\n',
    "undefined entity": GOOD.replace("<wp:comment_id>1", "<wp:comment_id>&nbsp;1").encode(),
    "entity bomb": b"<?xml version='1.0'?>"
    b'<!DOCTYPE rss [<!ENTITY a "aa"><!ENTITY b "&a;&a;">]><rss>&b;</rss>',
    "external entity": b'<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss>&x;</rss>',
    "bare doctype": b"<!DOCTYPE rss><rss/>",
    "doctype after an error": b"<rss><a></b></rss>",
    "wrong root, known": b"<disqus><thread/></disqus>",
    "wrong root, namespaced": b'<x:feed xmlns:x="http://www.w3.org/2005/Atom"/>',
    "wrong root, html": b"<html><body>hi</body></html>",
    "wrong root, then malformed": b"<html><body></html>",
    "latin-1 declared": '<?xml version="1.0" encoding="ISO-8859-1"?><rss>café</rss>'.encode("latin-1"),
    "bad utf-8": b"<rss>\xff\xfe</rss>",
    "two roots": b"<rss/><rss/>",
    "text after the root": b"<rss/>trailing",
    "cdata end in text": b"<rss><a>]]></a></rss>",
}


def _outcome(read) -> str:
    try:
        read()
    except BadFile as refused:
        return str(refused)
    return "read"


def _same(data: bytes, root: str = "rss", depth: int = 2) -> None:
    by_records = _outcome(lambda: list(xmlstream.records(io.BytesIO(data), root, "f.xml", depth=depth)))
    by_check = _outcome(lambda: xmlstream.check(io.BytesIO(data), root, "f.xml"))
    assert by_check == by_records


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_check_refuses_what_records_refuses_with_the_same_sentence(name):
    _same(INPUTS[name])


def test_an_error_past_the_first_chunk_is_placed_alike():
    comment = "<wp:comment><wp:comment_id>1</wp:comment_id></wp:comment>"
    data = GOOD.replace("<wp:comment>", comment * 40_000 + "<wp:comment>&bad;", 1).encode()
    assert len(data) > 2 * xmlstream.CHUNK
    _same(data)


def test_the_real_wordpress_exports_are_judged_alike():
    files = [p for p in fixture("wxr").rglob("*.xml") if p.is_file()]
    assert len(files) >= 5
    for path in files:
        _same(Path(path).read_bytes())
