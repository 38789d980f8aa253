"""Opening an export: plain, gzip or a zip of exactly one file, size-capped, as a byte stream.

The cap counts the bytes as they are decompressed, so a small archive that inflates to
gigabytes is refused as it grows rather than after it filled the disk or the memory.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from commentbox.errors import InvalidInput

DEFAULT_MAX_BYTES = 2 * 1024**3


class BadFile(InvalidInput):
    """The file cannot be imported; the message is the one sentence the owner sees."""


class _Capped(io.RawIOBase):
    """A read-only stream that refuses to deliver more than ``limit`` bytes, and that turns
    a truncated or corrupt archive into ``BadFile``. Leading whitespace is dropped: some
    exporters write a newline before the XML declaration, which XML parsers refuse."""

    def __init__(self, inner: BinaryIO, limit: int, name: str) -> None:
        self._inner, self._limit, self._name = inner, limit, name
        self._read = 0
        self._started = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while True:
            try:
                data = self._inner.read(len(buffer))
            except (EOFError, OSError, zlib.error, zipfile.BadZipFile) as exc:
                raise BadFile(f"{self._name} is a damaged or truncated archive ({exc}).") from None
            if not self._started and data:
                stripped = data.lstrip()
                if not stripped:
                    continue
                data, self._started = stripped, True
            break
        self._read += len(data)
        if self._read > self._limit:
            raise BadFile(f"{self._name} is larger than the limit of {self._limit:,} bytes.")
        buffer[: len(data)] = data
        return len(data)


@contextmanager
def open_export(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[BinaryIO]:
    """The export's bytes, whatever its packaging."""
    name = path.name
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise BadFile(f"Cannot read {path}: {exc.strerror}.") from None
    with raw:
        magic = raw.read(4)
        raw.seek(0)
        if magic[:2] == b"\x1f\x8b":
            with gzip.open(raw) as inner:
                yield io.BufferedReader(_Capped(inner, max_bytes, name))  # type: ignore[arg-type]
        elif magic == b"PK\x03\x04":
            with _single_member(raw, name) as inner:
                yield io.BufferedReader(_Capped(inner, max_bytes, name))
        else:
            yield io.BufferedReader(_Capped(raw, max_bytes, name))


@contextmanager
def _single_member(raw: BinaryIO, name: str) -> Iterator[BinaryIO]:
    try:
        archive = zipfile.ZipFile(raw)
    except zipfile.BadZipFile as exc:
        raise BadFile(f"{name} is not a readable zip file ({exc}).") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")]
        if len(members) != 1:
            listed = ", ".join(m.filename for m in members[:5]) or "nothing"
            raise BadFile(f"{name} should hold one export, but holds {len(members)} files ({listed}).")
        with archive.open(members[0]) as inner:
            yield inner  # type: ignore[misc]
