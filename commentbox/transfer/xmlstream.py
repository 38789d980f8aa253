"""The one way imports read XML: streamed, hardened, and failing with one sentence.

defusedxml's ``iterparse`` (expat) refuses a DTD of any kind before anything is expanded —
neither WordPress nor Disqus exports carry one, so an entity bomb or an external entity can
only be an attack — and fetches nothing. Each record (a child of the root) is handed over
complete and then dropped from the tree, so memory stays flat whatever the file's size.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO
from xml.etree.ElementTree import ParseError

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


def records(stream: BinaryIO, root: str, name: str, *, depth: int = 1) -> Iterator[Any]:
    """The complete elements ``depth`` levels below the root element ``root`` (WXR's items sit
    at 2, under ``channel``; Disqus' records at 1), in file order."""
    try:
        level = 0
        parents: list[Any] = []
        for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                if level == 0 and local(element.tag) != root:
                    found = local(element.tag)
                    hint = FORMATS.get(found)
                    raise BadFile(
                        f"{name} looks like {hint}." if hint else f"{name} is not the export expected "
                        f"(its root is <{found[:40]}>, not <{root}>)."
                    )  # fmt: skip
                parents.append(element)
                level += 1
                continue
            level -= 1
            parents.pop()
            if level == depth:
                yield element
                parents[-1].remove(element)  # read records go, so memory stays flat
    except DefusedXmlException:
        raise BadFile(
            f"{name} declares a DTD or entities, which an export never does: refused unread."
        ) from None
    except ParseError as exc:
        line, column = exc.position
        raise BadFile(f"{name} is not well-formed XML (line {line}, column {column}).") from None
