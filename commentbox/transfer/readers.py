"""The import formats read from JSON and SQLite files, as ``commands`` offers them.

Each ``Format`` names its subcommand, the source its comments remember, and how to read a
file into entries. A reader is given the path rather than a stream because an Isso
database is opened by SQLite, and a Commento export is read twice (its commenters and
pages come after its comments in the file, and a comment needs its author's name).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from commentbox.errors import InvalidInput
from commentbox.transfer import artalk, commento, isso, isso_json, remark42
from commentbox.transfer.files import open_export
from commentbox.transfer.model import Entry

Read = Callable[[Path, int], Iterator[Entry]]


@dataclass(frozen=True)
class Format:
    name: str  # the subcommand: ``commentbox import <name>``
    source: str  # what each imported comment's source id starts with
    help: str
    reader: Callable[[argparse.Namespace], Read]
    timezone: bool = False  # whether it takes --timezone, for times written without an offset


def timezone_option(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument("--timezone", metavar="ZONE", help=help)


def zone(name: str | None) -> ZoneInfo | None:
    """The ``--timezone`` given, or None; a name that is no zone is one sentence."""
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"“{name}” is not a time zone name (e.g. Europe/Paris, UTC).") from None


def streamed(read: Callable[[BinaryIO, str], Iterator[Entry]]) -> Read:
    """A reader of a byte stream, given the file (plain, gzip or a zip of one, size-capped)."""

    def run(path: Path, max_bytes: int) -> Iterator[Entry]:
        with open_export(path, max_bytes=max_bytes) as stream:
            yield from read(stream, path.name)

    return run


def _isso(timezone: tzinfo | None) -> Read:
    """The database, or else Isso's generic JSON (what ``isso import --type generic`` reads)."""
    generic = streamed(lambda stream, name: isso_json.read(stream, timezone=timezone, name=name))

    def run(path: Path, max_bytes: int) -> Iterator[Entry]:
        if isso.is_sqlite(path):
            return isso.read(path, max_bytes=max_bytes, name=path.name)
        return generic(path, max_bytes)

    return run


def _artalk(timezone: tzinfo | None) -> Read:
    return streamed(lambda stream, name: artalk.read(stream, timezone=timezone, name=name))


FORMATS = (
    Format(
        "isso",
        isso.SOURCE,
        "an Isso database (comments.db), opened read-only, or Isso's generic JSON",
        lambda args: _isso(zone(args.timezone)),
        timezone=True,
    ),
    Format(
        "remark42",
        remark42.SOURCE,
        "a Remark42 backup (JSON Lines, .gz or not)",
        lambda _args: streamed(lambda stream, name: remark42.read(stream, name=name)),
    ),
    Format(
        "commento",
        commento.SOURCE,
        "a Commento export or a Comentario one (v1 or v3; .json or .json.gz)",
        lambda _args: lambda path, max_bytes: commento.read(path, max_bytes=max_bytes, name=path.name),
    ),
    Format(
        "artalk",
        artalk.SOURCE,
        "an Artalk export (Artrans: .artrans, .json or .gz)",
        lambda args: _artalk(zone(args.timezone)),
        timezone=True,
    ),
)
