"""``commentbox backup FILE`` and ``commentbox copy --to URL``: what the owner sees of them.

The work is the store's (``store/snapshot.py``, ``store/copying.py``); this module says what
was done, and shows a copy's progress as a bar (rich) when standard error is a terminal.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from commentbox.store import copying, snapshot
from commentbox.store.db import Database


def backup(db: Database, target: Path, *, force: bool) -> int:
    made = snapshot.backup(db, target, force=force)
    print(f"backed up {made.comments:,} comments to {made.path} ({made.size:,} bytes, integrity ok)")
    return 0


def copy(db: Database, to: str) -> int:
    target = copying.target_url(to)
    totals = copying.count_rows(db)
    console = Console(stderr=True)
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
        transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def advance(table: str, rows: int) -> None:
        if table not in tasks:
            tasks[table] = bar.add_task(table, total=totals.get(table) or rows)
        bar.advance(tasks[table], rows)

    with bar:
        copied = copying.copy(db, target, advance)
    for table in copied:
        if table.rows:
            print(f"{table.table}: {table.rows:,} rows")
    shown = target.render_as_string(hide_password=True)
    print(
        f"copied {sum(t.rows for t in copied):,} rows to {shown}; counts and checksums match.\n"
        f"To serve from it, stop the server, set COMMENTBOX_DATABASE_URL={shown} "
        "(with its password) and start it again.",
        file=sys.stdout,
    )
    return 0
