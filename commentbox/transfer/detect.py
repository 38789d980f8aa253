"""``import auto``: which format a file is, from its content (never its name).

An Isso database starts with SQLite's magic. Everything else is opened as every import opens
it (plain, gzip or a zip of one file, size-capped) and its first bytes decide: ``<`` is XML,
whose root element names WordPress (``rss``) or Disqus (``disqus``); ``[`` is Artalk's array
of comments or Isso's generic array of threads (``comments``); ``{`` is one of three JSON
shapes, told apart by the first object's keys — ours
(``commentbox_export``), Remark42's header (``users``/``posts``, or a comment's ``locator``)
or Commento's (``comments``/``commenters``/``pages``). Only the first object is read, as it
streams, so detecting costs nothing on a large file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO

import ijson

from commentbox.transfer.files import BadFile, open_export
from commentbox.transfer.isso import MAGIC

SNIFF = 64 * 1024
# The first element's name, past the XML declaration, comments and processing instructions.
_ROOT = re.compile(rb"\A(?:\s|<\?.*?\?>|<!--.*?-->)*<([A-Za-z_][\w.:-]*)", re.DOTALL)
_DOCTYPE = re.compile(rb"\A(?:\s|<\?.*?\?>|<!--.*?-->)*<!DOCTYPE", re.DOTALL | re.IGNORECASE)
_XML_ROOTS = {"rss": "wordpress", "disqus": "disqus"}
NAMES = {
    "wordpress": "a WordPress export",
    "disqus": "a Disqus export",
    "isso": "an Isso database",
    "isso-json": "Isso's generic JSON",
    "remark42": "a Remark42 backup",
    "commento": "a Commento or Comentario export",
    "artalk": "an Artalk export (Artrans)",
    "json": "a commentbox backup",
}
_JSON_KEYS = {
    "commentbox_export": "json",
    "users": "remark42",
    "posts": "remark42",
    "locator": "remark42",
    "comments": "commento",
    "commenters": "commento",
    "pages": "commento",
}


def command(kind: str) -> str:
    """The ``import`` subcommand that reads a kind of file ``detect`` names."""
    return "isso" if kind == "isso-json" else kind


def detect(path: Path, *, max_bytes: int) -> str:
    """What the file is (a key of ``NAMES``), or ``BadFile`` saying it is nothing we read."""
    try:
        with path.open("rb") as raw:
            if raw.read(len(MAGIC)) == MAGIC:
                return "isso"
    except OSError as exc:
        raise BadFile(f"Cannot read {path}: {exc.strerror}.") from None
    with open_export(path, max_bytes=max_bytes) as stream:
        start = stream.peek(SNIFF)[:SNIFF].removeprefix(b"\xef\xbb\xbf")  # type: ignore[attr-defined]
        if start.startswith(b"<"):
            return _xml(start, path.name)
        if start.startswith((b"[", b"{")):
            return _json(stream, path.name)
    raise BadFile(f"{path.name} is not an export commentbox can read (not XML, JSON nor an Isso database).")


def _xml(start: bytes, name: str) -> str:
    if _DOCTYPE.match(start):  # what the XML readers refuse too, in the same words
        raise BadFile(f"{name} declares a DTD or entities, which an export never does: refused unread.")
    found = _ROOT.match(start)
    root = found.group(1).decode("ascii", "replace").rpartition(":")[2] if found else ""
    if root in _XML_ROOTS:
        return _XML_ROOTS[root]
    shown = f"<{root[:40]}>" if root else "none found"
    raise BadFile(f"{name} is XML, but neither a WordPress nor a Disqus export (its root is {shown}).")


def _json(stream: BinaryIO, name: str) -> str:
    """The format named by the first keys of the first object: at the top level of an object
    root, or of an array root's first element (Isso's generic threads hold ``comments``,
    Artalk's comments do not)."""
    depth = 0
    keys: list[str] = []
    in_array = False
    try:
        for event, value in ijson.basic_parse(stream, multiple_values=True):
            if event in ("start_map", "start_array"):
                in_array = in_array or (depth == 0 and event == "start_array")
                depth += 1
            elif event in ("end_map", "end_array"):
                depth -= 1
                if depth == int(in_array):
                    break  # the first object is read: Remark42's header is one line of many
            elif event == "map_key" and depth == 1 + int(in_array):
                if in_array:
                    return "isso-json" if value == "comments" else "artalk"
                if value in _JSON_KEYS:
                    return _JSON_KEYS[value]
                keys.append(value)
    except ijson.JSONError:
        raise BadFile(f"{name} is not valid JSON.") from None
    if in_array or keys == ["version"]:
        return "artalk" if in_array else "commento"  # an empty array; Comentario's {"version": 1}
    listed = ", ".join(k[:30] for k in keys[:5]) or "none"
    raise BadFile(f"{name} is JSON, but not an export commentbox knows (its keys: {listed}).")
