"""How commands print what they found: tab-separated lines for people and ``cut``, or one
JSON document with ``--json`` for scripts (the same fields, typed)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import orjson


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def emit(args: argparse.Namespace, document: Any, lines: Sequence[Sequence[object]]) -> None:
    """``document`` as JSON when ``--json`` was given, else ``lines`` tab-separated."""
    if getattr(args, "json", False):
        sys.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2, default=str).decode() + "\n")
        return
    for line in lines:
        print("\t".join("" if value is None else str(value) for value in line))
