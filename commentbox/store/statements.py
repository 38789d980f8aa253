"""Core statements compiled once per dialect and run on the driver's own cursor.

For the few statements of the hottest write (a new comment), SQLAlchemy's work around each
execution — parameter processing, result wrapping, events — cost more than SQLite spent
running them (measured: a sixth of a post's CPU). SQLAlchemy still writes the SQL, knows the
parameter style and converts the values (its own bind processors); only the per-execution
machinery is skipped. The statement runs inside the caller's ``Connection`` transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.sql import Executable


@dataclass(frozen=True)
class _Compiled:
    sql: str
    order: tuple[str, ...] | None  # parameter names in order, for positional styles (``?``)
    defaults: Mapping[str, Any]  # literals the statement binds itself (e.g. a status)
    processors: Mapping[str, Callable[[Any], Any]]


class Bare:
    """One statement; ``first`` and ``execute`` take the same parameters as ``Connection.execute``."""

    def __init__(self, statement: Executable) -> None:
        self._statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self._statement.compile(dialect=dialect)  # type: ignore[attr-defined]
            defaults, processors = {}, {}
            for bind, name in compiled.bind_names.items():
                if not bind.required:
                    defaults[name] = bind.value
                processor = bind.type.bind_processor(dialect)
                if processor is not None:
                    processors[name] = processor
            found = _Compiled(
                sql=compiled.string,
                order=tuple(compiled.positiontup) if compiled.positional else None,
                defaults=defaults,
                processors=processors,
            )
            self._compiled[dialect.name] = found
        return found

    def bound(self, dialect: Dialect, params: Mapping[str, Any]) -> tuple[str, Any]:
        """The SQL and the driver's arguments for ``params`` (also what a query plan explains)."""
        compiled = self._for(dialect)
        values = {**compiled.defaults, **params}
        for name, processor in compiled.processors.items():
            values[name] = processor(values[name])
        return compiled.sql, values if compiled.order is None else [values[n] for n in compiled.order]

    def _run(self, connection: Connection, params: Mapping[str, Any], fetch: bool) -> Any:
        sql, arguments = self.bound(connection.dialect, params)
        with closing(connection.connection.driver_connection.cursor()) as cursor:  # type: ignore[union-attr]
            cursor.execute(sql, arguments)
            return cursor.fetchone() if fetch else None

    def first(self, connection: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row, as the driver returns it (no result processing: ask for plain values)."""
        row = self._run(connection, params, fetch=True)
        return None if row is None else tuple(row)

    def execute(self, connection: Connection, params: Mapping[str, Any]) -> None:
        self._run(connection, params, fetch=False)
