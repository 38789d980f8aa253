"""The one way imports read XML: streamed, hardened, and failing with one sentence.

defusedxml's ``iterparse`` (expat) refuses a DTD of any kind before anything is expanded —
neither WordPress nor Disqus exports carry one, so an entity bomb or an external entity can
only be an attack — and fetches nothing. Each record (a child of the root) is handed over
complete and then dropped from the tree, so memory stays flat whatever the file's size.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO, NoReturn
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from commentbox.transfer.files import BadFile

# Root elements of the formats we read, and what to tell an owner who gave the wrong command.
FORMATS = {
    "rss": "a WordPress export: use `import wordpress`",
    "disqus": "a Disqus export: use `import disqus`",
}


def local(tag: str) -> str:
    """``{namespace}name`` → ``name``."""
    return tag.rpartition("}")[2]


CHUNK = 1 << 20


def _wrong_root(name: str, found: str, root: str) -> BadFile:
    hint = FORMATS.get(found)
    return BadFile(
        f"{name} looks like {hint}." if hint else f"{name} is not the export expected "
        f"(its root is <{found[:40]}>, not <{root}>)."
    )  # fmt: skip


def _refused(name: str) -> BadFile:
    return BadFile(f"{name} declares a DTD or entities, which an export never does: refused unread.")


def _malformed(name: str, line: int, column: int) -> BadFile:
    return BadFile(f"{name} is not well-formed XML (line {line}, column {column}).")


def check(stream: BinaryIO, root: str, name: str) -> None:
    """What ``records`` would refuse, refused the same way (the same sentences), without
    building a single element: expat alone, with no handler past the root's. An import's
    first read of the whole file (nothing is written from a file that fails halfway) costs
    a tenth of a full read this way."""
    parser = expat.ParserCreate(namespace_separator="}")

    def start(tag: str, _attributes: Any) -> None:
        if local(tag) != root:
            raise _wrong_root(name, local(tag), root)
        parser.StartElementHandler = None

    def doctype(*_args: Any) -> NoReturn:
        raise _refused(name)

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    try:
        while chunk := stream.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _malformed(name, exc.lineno, exc.offset) from None


def records(stream: BinaryIO, root: str, name: str, *, depth: int = 1) -> Iterator[Any]:
    """The complete elements ``depth`` levels below the root element ``root`` (WXR's items sit
    at 2, under ``channel``; Disqus' records at 1), in file order."""
    try:
        level = 0
        parents: list[Any] = []
        for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                if level == 0 and local(element.tag) != root:
                    raise _wrong_root(name, local(element.tag), root)
                parents.append(element)
                level += 1
                continue
            level -= 1
            parents.pop()
            if level == depth:
                yield element
                parents[-1].remove(element)  # read records go, so memory stays flat
    except DefusedXmlException:
        raise _refused(name) from None
    except ParseError as exc:
        raise _malformed(name, *exc.position) from None
