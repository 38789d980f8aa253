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
    errors: int = 0  # error responses in the rows the value comes from

    @property
    def verdict(self) -> str:
        """PASS / FAIL; FAIL whatever the value if its rows had errors; n/a when unmeasured.

        Refusals are cheap: a run that got 4xx answers would otherwise look fast.
        """
        if self.value is None:
            return "n/a"
        if self.errors:
            return f"FAIL ({self.errors} errors)"
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


def ratios(rows: list[Row]) -> list[Ratio]:
    """The targets of issue 6, computed from rows of the same run."""

    def metric(workload: str, system: str, what: str) -> float | None:
        row = find(rows, workload, system)
        if row is None:
            return None
        return {"rps": row.result.rps, "p50": row.result.p50_ms, "p99": row.result.p99_ms}[what]

    def errors(workload: str, *systems: str) -> int:
        return sum(row.result.errors for s in systems if (row := find(rows, workload, s)) is not None)

    def ratio(name: str, workload: str, what: str, top: str, bottom: str, bound: float, target: str) -> Ratio:
        a, b = metric(workload, top, what), metric(workload, bottom, what)
        value = None if a is None or not b else a / b
        higher = what == "rps"
        return Ratio(name, value, bound, higher, target, errors(workload, top, bottom))

    def absolute(name: str, workload: str, what: str, system: str, bound: float, target: str) -> Ratio:
        return Ratio(name, metric(workload, system, what), bound, False, target, errors(workload, system))

    out = [
        ratio(
            "thread read JSON: commentbox / ceiling req/s",
            "thread read (JSON)",
            "rps",
            "commentbox",
            "ceiling",
            0.5,
            "target 1",
        ),
        ratio(
            "thread read embed: commentbox / ceiling req/s",
            "thread read (embed HTML)",
            "rps",
            "commentbox",
            "ceiling",
            0.5,
            "target 1",
        ),
        absolute(
            "thread read JSON: commentbox p99 (ms)", "thread read (JSON)", "p99", "commentbox", 20, "target 1"
        ),
        absolute(
            "thread read embed: commentbox p99 (ms)",
            "thread read (embed HTML)",
            "p99",
            "commentbox",
            20,
            "target 1",
        ),
        ratio(
            "counts, 10 URLs: commentbox / Isso req/s",
            "counts, 10 URLs",
            "rps",
            "commentbox",
            "isso",
            20,
            "target 2",
        ),
        ratio(
            "post a guest comment: commentbox / Isso req/s",
            "post a guest comment",
            "rps",
            "commentbox",
            "isso",
            3,
            "target 3",
        ),
    ]
    for workload in ("thread read (JSON)", "thread read (embed HTML)"):
        for pct in ("p50", "p99"):
            out.append(
                ratio(
                    f"{workload}: large / small DB {pct} latency",
                    workload,
                    pct,
                    LARGE_DB,
                    SMALL_DB,
                    1.5,
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
    return [[r.detail, r.name, r.text(), r.bound_text(), r.verdict] for r in items]


RATIO_HEADERS = ["target", "check", "measured", "bound", "verdict"]

TARGET_NAMES = {
    "target 1": "thread read at ≥ 50 % of the ceiling, p99 ≤ 20 ms",
    "target 2": "counts ≥ 20 × Isso",
    "target 3": "posting ≥ 3 × Isso",
    "target 4": "large DB latency ≤ 1.5 × small DB",
}


def target_verdicts(items: list[Ratio]) -> list[str]:
    """One line per target of issue 6: PASS only if every one of its checks passes.

    A target none of whose checks was measured is `n/a`; one with some checks
    unmeasured and the rest passing is `incomplete`, never PASS.
    """
    lines = []
    for target, name in TARGET_NAMES.items():
        verdicts = [r.verdict.split()[0] for r in items if r.detail == target]
        if "FAIL" in verdicts:
            failed = verdicts.count("FAIL")
            verdict = f"FAIL ({failed} of {len(verdicts)} checks)"
        elif all(v == "n/a" for v in verdicts):
            verdict = "n/a (not measured)"
        elif "n/a" in verdicts:
            verdict = "incomplete (some checks not measured)"
        else:
            verdict = "PASS"
        lines.append(f"{target.capitalize()} ({name}): {verdict}")
    return lines
