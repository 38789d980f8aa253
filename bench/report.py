"""Turn measurements into the one table and the target ratios of issue 6."""

from __future__ import annotations

from dataclasses import dataclass

from loadgen import WrkResult

SMALL_DB = "commentbox, small DB (A/B)"
LARGE_DB = "commentbox, large DB (A/B)"


@dataclass(frozen=True)
class Row:
    """One workload on one system."""

    workload: str
    system: str
    result: WrkResult
    rss_mib: float


@dataclass(frozen=True)
class Ratio:
    """A target: measured value against the bound the issue states."""

    name: str
    value: float | None
    bound: float
    higher_is_better: bool
    detail: str

    @property
    def verdict(self) -> str:
        """PASS / FAIL, or n/a when a side was not measured."""
        if self.value is None:
            return "n/a"
        ok = self.value >= self.bound if self.higher_is_better else self.value <= self.bound
        return "PASS" if ok else "FAIL"

    def text(self) -> str:
        """The ratio as a cell, e.g. `0.62`."""
        return "—" if self.value is None else f"{self.value:.2f}"

    def bound_text(self) -> str:
        """The bound with its direction, e.g. `≥ 0.50`."""
        return f"{'≥' if self.higher_is_better else '≤'} {self.bound:g}"


def find(rows: list[Row], workload: str, system: str) -> Row | None:
    """The row for `workload` on `system`, if it was measured."""
    return next((r for r in rows if r.workload == workload and r.system == system), None)


def _div(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


def ratios(rows: list[Row]) -> list[Ratio]:
    """The targets of issue 6, computed from rows of the same run."""

    def rps(workload: str, system: str) -> float | None:
        row = find(rows, workload, system)
        return None if row is None else row.result.rps

    def lat(workload: str, system: str, pct: str) -> float | None:
        row = find(rows, workload, system)
        if row is None:
            return None
        return row.result.p50_ms if pct == "p50" else row.result.p99_ms

    ceiling = rps("thread read (JSON)", "ceiling")
    out = [
        Ratio(
            "thread read JSON: commentbox / ceiling req/s",
            _div(rps("thread read (JSON)", "commentbox"), ceiling),
            0.5,
            True,
            "target 1",
        ),
        Ratio(
            "thread read embed: commentbox / ceiling req/s",
            _div(rps("thread read (embed HTML)", "commentbox"), rps("thread read (embed HTML)", "ceiling")),
            0.5,
            True,
            "target 1",
        ),
        Ratio(
            "thread read JSON: commentbox p99 (ms)",
            lat("thread read (JSON)", "commentbox", "p99"),
            20,
            False,
            "target 1",
        ),
        Ratio(
            "thread read embed: commentbox p99 (ms)",
            lat("thread read (embed HTML)", "commentbox", "p99"),
            20,
            False,
            "target 1",
        ),
        Ratio(
            "counts, 10 URLs: commentbox / Isso req/s",
            _div(rps("counts, 10 URLs", "commentbox"), rps("counts, 10 URLs", "isso")),
            20,
            True,
            "target 2",
        ),
        Ratio(
            "post a guest comment: commentbox / Isso req/s",
            _div(rps("post a guest comment", "commentbox"), rps("post a guest comment", "isso")),
            3,
            True,
            "target 3",
        ),
    ]
    for workload in ("thread read (JSON)", "thread read (embed HTML)"):
        for pct in ("p50", "p99"):
            out.append(
                Ratio(
                    f"{workload}: large / small DB {pct} latency",
                    _div(lat(workload, LARGE_DB, pct), lat(workload, SMALL_DB, pct)),
                    1.5,
                    False,
                    "target 4",
                )
            )
    return out


HEADERS = ["workload", "system", "req/s", "p50 ms", "p99 ms", "errors", "requests", "RSS MiB"]


def table_cells(rows: list[Row]) -> list[list[str]]:
    """Formatted cells, one list per row, in HEADERS order."""
    return [
        [
            r.workload,
            r.system,
            f"{r.result.rps:,.1f}",
            f"{r.result.p50_ms:.2f}",
            f"{r.result.p99_ms:.2f}",
            str(r.result.errors),
            str(r.result.requests),
            f"{r.rss_mib:.0f}",
        ]
        for r in rows
    ]


def text_table(headers: list[str], cells: list[list[str]]) -> str:
    """A fixed-width table for the terminal (numbers right-aligned)."""
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(headers)]

    def fmt(values: list[str]) -> str:
        return "  ".join(
            v.ljust(w) if i < 2 else v.rjust(w) for i, (v, w) in enumerate(zip(values, widths, strict=True))
        )

    lines = [fmt(headers), "  ".join("-" * w for w in widths)]
    lines += [fmt(c) for c in cells]
    return "\n".join(lines)


def markdown_table(headers: list[str], cells: list[list[str]]) -> str:
    """The same table in GitHub Markdown (numbers right-aligned)."""
    align = ["---" if i < 2 else "---:" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(c) + " |" for c in cells]
    return "\n".join(lines)


def ratio_cells(items: list[Ratio]) -> list[list[str]]:
    """Cells for the targets table."""
    return [[r.name, r.text(), r.bound_text(), r.verdict] for r in items]


RATIO_HEADERS = ["target", "measured", "bound", "verdict"]
