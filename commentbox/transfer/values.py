"""Reading one field of a JSON or SQLite export, whatever the old system (or an attacker) put there.

XML cannot hold NUL or lone surrogates, so the WXR and Disqus readers never see them; JSON
and SQLite can, and PostgreSQL cannot store NUL nor UTF-8 encode a surrogate. Every string
these readers take goes through ``text`` (and names through ``clean_name``, as live ones
do), so an odd byte costs the character, never the import. A field of the wrong type
(a list where a name should be) reads as empty rather than failing the file.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, tzinfo
from typing import Any

from commentbox.domain.text import clean_name

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Times before this are an old system's zero value ("0001-01-01T00:00:00Z") or nonsense.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


def text(value: Any) -> str:
    """A string field, trimmed; numbers and booleans as JSON writes them (Artalk's exports
    hold both ``"true"`` and ``true``); bytes decoded; anything else empty."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):  # a BLOB where SQLite should hold text
        value = value.decode("utf-8", "replace")
    elif isinstance(value, int):
        return str(value)
    elif isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else str(value)
    if not isinstance(value, str):
        return ""
    return _UNSTORABLE.sub("\ufffd", value).strip()


def name(value: Any) -> str:
    """A person's name as a live one is kept: no control or invisible characters."""
    return clean_name(text(value))


def optional(value: Any, *, absent: frozenset[str] = frozenset()) -> str | None:
    """``text`` or None when empty or one of the old system's words for missing."""
    found = text(value)
    return found if found and found not in absent else None


def flag(value: Any) -> bool:
    """``true``, ``"true"``, ``"1"``, ``1`` → True; everything else False."""
    return text(value).lower() in ("true", "1")


def integer(value: Any) -> int:
    """A count (votes); 0 for anything that is not a whole number of sensible size."""
    found = text(value)
    try:
        number = int(found)
    except ValueError:
        return 0
    return number if abs(number) < 2**31 else 0


def score(up: Any, down: Any = 0) -> int:
    """Votes up minus votes down, within what an integer column holds."""
    return max(-(2**31 - 1), min(2**31 - 1, integer(up) - integer(down)))


def time(value: Any, zone: tzinfo | None = None) -> datetime | None:
    """An ISO 8601 / RFC 3339 time as UTC (``2021-10-27T01:04:29.000Z``, ``… -06:00``,
    ``2021-02-04 06:49:46``). Without an offset it is read in ``zone``, or None without one;
    None for the zero value and other impossible dates."""
    found = text(value)
    try:
        parsed = datetime.fromisoformat(found)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        if zone is None:
            return None
        parsed = parsed.replace(tzinfo=zone)
    try:
        parsed = parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return parsed if parsed >= EARLIEST else None


LOCAL_TIME_ONLY = "only a local time (no UTC offset): give --timezone"
BAD_DATE = "an impossible date"


def time_or_reason(value: Any, zone: tzinfo | None) -> datetime | str:
    """``time``, or why the comment is skipped: a time without an offset and no ``zone`` to
    read it in (never guessed as UTC), or an impossible one."""
    found = time(value, zone)
    if found is not None:
        return found
    return LOCAL_TIME_ONLY if zone is None and time(value, UTC) else BAD_DATE


def epoch(value: Any) -> datetime | None:
    """Unix seconds (Isso's ``created``) as UTC; None if not a sensible number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    try:
        parsed = datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return parsed if parsed >= EARLIEST else None
