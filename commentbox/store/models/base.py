"""What every table shares: the clock its timestamps are taken from and the largest row id."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


# Row ids are INTEGER on PostgreSQL: the largest id any engine can hold, and so the largest
# a request may name (a bigger one is refused before it reaches a driver).
MAX_ROW_ID = 2**31 - 1
