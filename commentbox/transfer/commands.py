"""``commentbox import …``, ``export …``, ``backup`` and ``copy``: parse the arguments, call the transfer.

``cli.py`` calls ``add_parsers`` with its subcommands and hands over the commands named in
``COMMANDS``; everything about imports, exports and moving an instance on the command line
lives here (``moving`` runs ``backup`` and ``copy``).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from commentbox.config import Settings
from commentbox.errors import InvalidInput
from commentbox.keys import Keys
from commentbox.store.db import Database
from commentbox.transfer import backup, detect, disqus, moving, readers, wordpress, wxr_export, xmlstream
from commentbox.transfer.files import DEFAULT_MAX_BYTES, open_export
from commentbox.transfer.loader import Options, load
from commentbox.transfer.model import Entry
from commentbox.transfer.pages import UrlMap
from commentbox.transfer.report import Report

COMMANDS = frozenset({"import", "export", "backup", "copy"})
PROGRESS_EVERY = 1000


def add_parsers(commands: Any) -> None:
    """Add ``import`` (one subcommand per format) to the CLI's subcommands."""
    importing = commands.add_parser("import", help="bring comments from another system")
    formats = importing.add_subparsers(dest="import_format", required=True, metavar="FORMAT")
    wxr = formats.add_parser("wordpress", help="a WordPress export (WXR .xml, .xml.gz or .zip)")
    _common(wxr)
    readers.timezone_option(
        wxr, "the blog's time zone (e.g. Europe/Paris), for comments with only a local time"
    )
    dsq = formats.add_parser("disqus", help="a Disqus export (.xml or .xml.gz)")
    _common(dsq)
    _disqus_ids(dsq)
    for known in readers.FORMATS:
        parser = formats.add_parser(known.name, help=known.help)
        _common(parser)
        if known.timezone:
            readers.timezone_option(parser, "the time zone of times written without an offset")
    auto = formats.add_parser("auto", help="any of these: the format is told from the file's content")
    _common(auto)
    readers.timezone_option(auto, "for WordPress and Artalk: the time zone of times without an offset")
    _disqus_ids(auto)
    restore = formats.add_parser("json", help="restore a backup made by `commentbox export json`")
    restore.add_argument("file", type=Path)
    restore.add_argument("--site", required=True, help="the site to restore into (made if missing)")
    restore.add_argument("--json", action="store_true", help="print the report as JSON")
    _max_size(restore)

    exporting = commands.add_parser("export", help="write a site's comments out")
    targets = exporting.add_subparsers(dest="export_format", required=True, metavar="FORMAT")
    backup_parser = targets.add_parser("json", help="a lossless backup (JSON Lines) on standard output")
    backup_parser.add_argument("--site", required=True)
    backup_parser.add_argument("--output", type=Path, help="write to this file instead")
    wxr_out = targets.add_parser("wxr", help="WordPress eXtended RSS (WXR 1.2) for WordPress's importer")
    wxr_out.add_argument("--site", required=True)
    wxr_out.add_argument("--output", type=Path, help="write to this file instead")
    wxr_out.add_argument(
        "--timezone",
        metavar="ZONE",
        help="the WordPress blog's time zone, for comment_date (default UTC; comment_date_gmt is always UTC)",
    )

    snapshot = commands.add_parser("backup", help="an online copy of the SQLite database, while serving")
    snapshot.add_argument("file", type=Path, metavar="FILE", help="the backup file to write")
    snapshot.add_argument("--force", action="store_true", help="replace FILE if it exists")
    moving_parser = commands.add_parser("copy", help="move this instance's rows into an empty PostgreSQL")
    moving_parser.add_argument(
        "--to", required=True, metavar="URL", help="the target, e.g. postgresql+psycopg://user:pw@host/db"
    )


def _disqus_ids(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--disqus-ids-as-page-ids",
        action="store_true",
        help="key threads by their disqus_identifier (for pages embedding with data-page-id)",
    )


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path)
    parser.add_argument("--site", required=True, help="the site the comments belong to")
    parser.add_argument("--dry-run", action="store_true", help="print the report, write nothing")
    parser.add_argument(
        "--map-url",
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="rewrite page addresses starting with OLD to start with NEW (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    _max_size(parser)


def _max_size(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-size",
        type=int,
        default=DEFAULT_MAX_BYTES // 1024**2,
        metavar="MB",
        help=f"refuse files that are larger once unpacked (default {DEFAULT_MAX_BYTES // 1024**2})",
    )


def run(args: argparse.Namespace, db: Database, settings: Settings) -> int:
    if args.command == "backup":
        return moving.backup(db, args.file, force=args.force)
    if args.command == "copy":
        return moving.copy(db, args.to)
    if args.command == "export":
        return _export(args, db)
    if args.import_format == "auto":
        _detect(args)
    if args.import_format == "json":
        return _restore(args, db)
    return _import(args, db, settings)


def _detect(args: argparse.Namespace) -> None:
    """Say which format the file is, and import it as that (``import auto``)."""
    kind = detect.detect(args.file, max_bytes=args.max_size * 1024**2)
    found = detect.command(kind)
    if found == "json" and args.dry_run:
        raise InvalidInput(f"{args.file.name} is a commentbox backup: `import json` has no --dry-run.")
    print(f"{args.file.name} is {detect.NAMES[kind]}: importing it as `import {found}`.", file=sys.stderr)
    args.import_format = found


def _export(args: argparse.Namespace, db: Database) -> int:
    if args.export_format == "wxr":
        zone = readers.zone(args.timezone) or ZoneInfo("UTC")
        write: Callable[[BinaryIO], int] = functools.partial(wxr_export.export, db, args.site, timezone=zone)
    else:
        write = functools.partial(backup.export, db, args.site)
    if args.output is None:
        try:
            write(sys.stdout.buffer)
            sys.stdout.buffer.flush()
        except BrokenPipeError:  # `… | head`: the reader has seen enough, which is no error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    partial = args.output.with_name(args.output.name + ".partial")
    try:
        out = partial.open("wb")
    except OSError as exc:
        raise InvalidInput(f"Cannot write {args.output}: {exc.strerror}.") from None
    try:
        with out:
            count = write(out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(args.output)  # a stopped export never leaves a file that looks whole
    print(f"exported {count} comments of {args.site} to {args.output}", file=sys.stderr)
    return 0


def _restore(args: argparse.Namespace, db: Database) -> int:
    max_bytes = args.max_size * 1024**2

    def entries() -> Iterator[tuple[str, dict[str, Any]]]:
        with open_export(args.file, max_bytes=max_bytes) as stream:
            yield from backup.records(stream, args.file.name)

    for _ in entries():  # read whole before anything is written, as for every import
        pass
    _print(backup.restore(db, args.site, entries()), args.json)
    return 0


def _print(report: Report, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        print(report.as_text())


def _import(args: argparse.Namespace, db: Database, settings: Settings) -> int:
    url_map = UrlMap.parse(args.map_url)
    source, read = _reader(args)
    max_bytes = args.max_size * 1024**2

    def entries() -> Iterator[Entry]:
        yield from read(args.file, max_bytes)

    # The whole file is read once before anything is written: a file that turns out to be
    # malformed, hostile or too big halfway through changes nothing. A WordPress file can
    # fail only as XML, which expat alone tells without building the entries.
    if args.import_format == "wordpress":
        with open_export(args.file, max_bytes=max_bytes) as stream:
            xmlstream.check(stream, wordpress.ROOT, args.file.name)
    else:
        for _ in entries():
            pass
    report = load(
        db,
        args.site,
        entries(),
        Options(source=source, url_map=url_map, dry_run=args.dry_run),
        hash_ip=Keys(settings.secret()).hash_ip,
        progress=_progress(),
    )
    _print(report, args.json)
    return 0


def _reader(args: argparse.Namespace) -> tuple[str, readers.Read]:
    """The format's source name and reader, with its own options applied."""
    for known in readers.FORMATS:
        if known.name == args.import_format:
            return known.source, known.reader(args)
    if args.import_format == "wordpress":
        zone = readers.zone(args.timezone)
        read = readers.streamed(lambda stream, name: wordpress.read(stream, timezone=zone, name=name))
        return wordpress.SOURCE, read
    ids = args.disqus_ids_as_page_ids
    return disqus.SOURCE, readers.streamed(
        lambda stream, name: disqus.read(stream, ids_as_page_ids=ids, name=name)
    )


def _progress() -> Callable[[int], None]:
    """Comments done so far on stderr, when it is a terminal (never in pipes or logs)."""
    if not sys.stderr.isatty():
        return lambda _n: None
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        before, done = done, done + n
        if done // PROGRESS_EVERY != before // PROGRESS_EVERY:
            print(f"\r{done:,} comments read", end="", file=sys.stderr, flush=True)

    return advance
