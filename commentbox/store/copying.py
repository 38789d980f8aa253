"""``commentbox copy --to URL``: every row of this instance into an empty PostgreSQL database.

How, and why so:

- The target is checked first: a database holding tables that are not commentbox's is
  refused untouched (a wrong URL must not get our schema), then migrated to head, then
  refused if any table holds a row — a copy only ever fills an empty instance.
- The source is read in one transaction (a SQLite snapshot, whatever the server writes
  meanwhile), table by table in foreign-key order, in batches of ``BATCH`` rows.
- Everything is written in **one** target transaction, verified (row counts and a checksum of
  every row, per table) before it commits: a copy that fails or does not match leaves the
  target as empty as it was, and running the command again starts afresh.
- A column that points into its own table (``comment.parent_id``: an imported reply may have
  a lower id than its parent) is written empty first and set in a second pass, since
  PostgreSQL checks each row's foreign keys as it is inserted.
- Each table's id sequence is set past the highest copied id, so the next comment posted on
  PostgreSQL does not collide with a copied one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    create_engine,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlmodel import SQLModel

from commentbox.errors import InvalidInput
from commentbox.store import migrate
from commentbox.store import models as _models  # noqa: F401 (registers every table in the metadata)
from commentbox.store.db import Database

BATCH = 1000
_CHECKSUM_MODULUS = 2**128
Progress = Callable[[str, int], None]  # (table, rows just copied)


class CopyRefused(InvalidInput):
    """The copy cannot be made; the message is the one sentence the owner sees."""


@dataclass(frozen=True)
class Copied:
    table: str
    rows: int


def target_url(value: str) -> URL:
    """The target as a SQLAlchemy URL on psycopg 3 (``postgresql://`` and ``postgres://`` are
    taken to mean it); anything but PostgreSQL is refused."""
    try:
        url = make_url(value.strip())
    except ArgumentError:
        raise CopyRefused(
            f"“{value[:200]}” is not a database URL (e.g. postgresql+psycopg://user:password@host/db)."
        ) from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() != "postgresql":
        raise CopyRefused(
            f"`commentbox copy` moves an instance to PostgreSQL, not to {url.get_backend_name()}"
            " (for a copy of a SQLite database use `commentbox backup FILE`)."
        )
    if not url.database:
        raise CopyRefused("The target URL names no database (…@host:5432/commentbox).")
    return url


def tables() -> list[Table]:
    """Every table, parents before the tables that point at them."""
    return list(SQLModel.metadata.sorted_tables)


def copy(source: Database, target: URL, progress: Progress = lambda _t, _n: None) -> list[Copied]:
    """Copy every row of ``source`` into the empty database at ``target``."""
    shown = target.render_as_string(hide_password=True)
    try:
        engine = create_engine(target)
    except NoSuchModuleError:
        raise CopyRefused(f"No driver for {target.drivername}: use postgresql+psycopg://…") from None
    try:
        try:
            _refuse_foreign(engine, shown)
        except DBAPIError as exc:
            raise CopyRefused(f"Cannot connect to {shown}: {_reason(exc)}.") from None
        migrate.upgrade(engine)
        with _snapshot(source) as reading, engine.begin() as writing:
            _refuse_rows(writing, shown)
            copied = [_copy_table(reading, writing, table, progress) for table in tables()]
            for table in tables():
                _set_own_references(reading, writing, table)
                _advance_sequence(writing, table)
            _verify(reading, writing)
    except DBAPIError as exc:
        raise CopyRefused(f"The copy to {shown} failed and wrote nothing: {_reason(exc)}.") from None
    finally:
        engine.dispose()
    return copied


def count_rows(source: Database) -> dict[str, int]:
    """Rows per table now (for a progress bar's totals; the copy reads its own snapshot)."""
    with source.engine.connect() as connection:
        count = select(func.count())
        return {t.name: int(connection.execute(count.select_from(t)).scalar_one()) for t in tables()}


@contextmanager
def _snapshot(source: Database) -> Iterator[Connection]:
    """A read transaction that sees one moment of the source for every table (SQLite: any
    transaction; PostgreSQL: repeatable read)."""
    with source.engine.connect() as connection:
        if not source.is_sqlite:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection


def _reason(exc: DBAPIError) -> str:
    lines = str(exc.orig or exc).strip().splitlines()
    return lines[0].rstrip(".") if lines else type(exc).__name__


def _refuse_foreign(engine: Engine, shown: str) -> None:
    ours = {table.name for table in tables()} | {"alembic_version"}
    foreign = sorted(set(inspect(engine).get_table_names()) - ours)
    if foreign:
        listed = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
        raise CopyRefused(
            f"{shown} holds tables that are not commentbox's ({listed}): give an empty database."
        )


def _refuse_rows(connection: Connection, shown: str) -> None:
    for table in tables():
        if connection.execute(select(table).limit(1)).first() is not None:
            raise CopyRefused(
                f"{shown} is not empty (its {table.name} table holds rows): a copy only fills an empty "
                "database, so nothing was written."
            )


def _own_references(table: Table) -> list[str]:
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _copy_table(reading: Connection, writing: Connection, table: Table, progress: Progress) -> Copied:
    later = _own_references(table)
    rows = 0
    result = reading.execution_options(yield_per=BATCH).execute(
        select(table).order_by(*table.primary_key.columns)
    )
    for batch in result.mappings().partitions():
        values = [{**row, **dict.fromkeys(later)} for row in batch]
        writing.execute(insert(table), values)
        rows += len(values)
        progress(table.name, len(values))
    return Copied(table.name, rows)


def _set_own_references(reading: Connection, writing: Connection, table: Table) -> None:
    """The second pass: point rows at rows of their own table, now that all of them exist."""
    for name in _own_references(table):
        (key,) = table.primary_key.columns  # such a table (comment) has a one-column key
        column = table.c[name]
        update = table.update().where(key == bindparam("row_key")).values({name: bindparam("row_value")})
        found = reading.execution_options(yield_per=BATCH).execute(
            select(key, column).where(column.is_not(None)).order_by(key)
        )
        for batch in found.partitions():
            writing.execute(update, [{"row_key": k, "row_value": v} for k, v in batch])


def _advance_sequence(connection: Connection, table: Table) -> None:
    columns = list(table.primary_key.columns)
    if len(columns) != 1 or columns[0].foreign_keys:
        return
    name = columns[0].name
    sequence = connection.execute(
        text("SELECT pg_get_serial_sequence(:table, :column)"), {"table": f'"{table.name}"', "column": name}
    ).scalar()
    if sequence is None:
        return
    highest = connection.execute(select(func.max(columns[0]))).scalar()
    connection.execute(
        text("SELECT setval(:sequence, :value, :called)"),
        {"sequence": sequence, "value": highest or 1, "called": highest is not None},
    )


def checksum(connection: Connection, table: Table) -> tuple[int, int]:
    """``(rows, checksum)`` of a table, the same on SQLite and PostgreSQL for the same rows:
    each row's values in one spelling (times as UTC), hashed, summed (so order-free)."""
    total = rows = 0
    result = connection.execution_options(yield_per=BATCH).execute(select(table))
    for batch in result.partitions():
        for row in batch:
            spelled = repr(tuple(_spelled(value) for value in row)).encode()
            total += int.from_bytes(hashlib.blake2b(spelled, digest_size=16).digest(), "big")
            rows += 1
    return rows, total % _CHECKSUM_MODULUS


def _spelled(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    return value


def _verify(reading: Connection, writing: Connection) -> None:
    for table in tables():
        expected, found = checksum(reading, table), checksum(writing, table)
        if expected != found:
            raise CopyRefused(
                f"The copy of table {table.name} does not match ({found[0]} rows copied of {expected[0]}, "
                f"checksums {'equal' if expected[1] == found[1] else 'differ'}): nothing was written."
            )
