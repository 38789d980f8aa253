"""The one way imports read a JSON document: streamed, bounded, and failing with one sentence.

Commento, Comentario and Artalk write one JSON document per export (an object of arrays, or
an array), so ``orjson.loads`` would hold the whole file and every comment in memory at
once. ijson (yajl) hands over one record at a time instead: each element of a top-level
array as soon as it is complete, each other top-level value whole. Records are small, and
memory stays flat whatever the file's size.

Nothing in an export nests more than a few levels, so a value nested deeper than
``MAX_DEPTH`` is an attack (or a broken file) and the file is refused before it is built.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import ijson

from commentbox.transfer.files import BadFile

MAX_DEPTH = 32
BOM = b"\xef\xbb\xbf"
_STARTS = {"start_map": dict, "start_array": list}
_ENDS = {"end_map", "end_array"}


def records(stream: BinaryIO, name: str, *, root: str, not_it: str) -> Iterator[tuple[str | None, Any]]:
    """``(key, value)`` per record: for an object root, each member's key with each element of
    its value if that is an array (``("comments", {…})`` per comment), else with the value
    itself (``("version", 1)``); for an array root, ``(None, element)`` per element. The root
    must be ``root`` (``"map"`` or ``"array"``), else the file is refused: "<name> <not_it>"."""
    skip_bom(stream)
    depth = 0
    key: str | None = None
    stack: list[Any] = []  # the containers being built, outermost first
    keys: list[str | None] = []  # the pending member name in each map being built
    try:
        for event, value in ijson.basic_parse(stream, use_float=True):
            if depth == 0 and event != f"start_{root}":
                raise BadFile(f"{name} {not_it}")
            if event in _STARTS:
                depth += 1
                if depth > MAX_DEPTH:
                    raise BadFile(f"{name} nests values more than {MAX_DEPTH} levels deep: refused unread.")
                if depth == 1:
                    continue
                if depth == 2 and event == "start_array" and key is not None:
                    continue  # a member array is not built: its elements are the records
                container = _STARTS[event]()
                if stack:
                    _add(stack[-1], keys, container)
                stack.append(container)
                keys.append(None)
            elif event in _ENDS:
                depth -= 1
                if stack:  # else the root or a member array ended, neither of them built
                    done = stack.pop()
                    keys.pop()
                    if not stack:
                        yield key, done
            elif event == "map_key":
                if depth == 1:
                    key = value
                else:
                    keys[-1] = value
            elif stack:
                _add(stack[-1], keys, value)
            else:
                yield key, value  # a scalar member, or an array's scalar element
    except ijson.JSONError as exc:
        raise BadFile(f"{name} is not valid JSON ({_first_line(exc)}).") from None
    except UnicodeDecodeError:  # yajl checks UTF-8, but not for encoded surrogates
        raise BadFile(f"{name} is not valid JSON (its text is not UTF-8).") from None


def skip_bom(stream: BinaryIO) -> None:
    """Drop a UTF-8 byte order mark (Windows tools write one; JSON parsers refuse it)."""
    if stream.peek(3)[:3] == BOM:  # type: ignore[attr-defined]  # open_export's BufferedReader
        stream.read(3)


def _first_line(exc: Exception) -> str:
    """yajl's message without the excerpt and arrow it draws under it (it may come as bytes)."""
    message = exc.args[0] if exc.args else ""
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    lines = text.strip().splitlines()
    return lines[0].rstrip(".") if lines else "it ends too early"


def _add(container: Any, keys: list[str | None], value: Any) -> None:
    if isinstance(container, list):
        container.append(value)
    else:
        container[keys[-1]] = value
