"""One command for the issue-6 benchmark: commentbox vs the ceiling vs Isso.

    python bench/run.py [--db sqlite|postgres] [--duration 8] [--no-large]

Seeds identical data into each system, drives each with wrk (-t2 -c32,
bounded runs, loopback only), prints one table plus the target ratios, and
writes it to bench/results/latest.md. Only one server is under load at any
moment, so each has the machine's 2 cores (shared with wrk) to itself; the
pairs a target compares (commentbox vs ceiling, small vs large database) stay
up side by side and are loaded in alternation, so that noise from other work
on the machine falls on both sides of a ratio. Everything started is stopped
on exit, including on errors and Ctrl-C.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

import ceiling_app
import commentbox_server
import isso_server
import report
from loadgen import Workload, WrkResult, combine, ensure_wrk, run_wrk
from procs import Server, Servers, free_port

BENCH_DIR = Path(__file__).resolve().parent
WORK = BENCH_DIR / ".work"
SMALL, LARGE = report.SMALL_DB, report.LARGE_DB
CEILING_WORK = Workload("GET", "/", {})
RESULTS = BENCH_DIR / "results"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; defaults keep a full run to a few minutes."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "--db",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="commentbox's database engine (Isso always uses SQLite)",
    )
    p.add_argument(
        "--duration",
        type=float,
        default=8.0,
        help="seconds of measured load per workload and round (default 8)",
    )
    p.add_argument(
        "--warmup",
        type=float,
        default=2.0,
        help="seconds of unmeasured load before each workload (default 2)",
    )
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--workers", type=int, default=2, help="server worker processes")
    p.add_argument(
        "--systems",
        default="commentbox,ceiling,isso",
        help="comma-separated subset of commentbox,ceiling,isso",
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="alternating rounds for the A/B comparisons (read vs ceiling, small vs large DB)",
    )
    p.add_argument(
        "--no-large",
        dest="large",
        action="store_false",
        help="skip the 100k-thread / 1M-comment scenario",
    )
    p.add_argument("--large-threads", type=int, default=100_000)
    p.add_argument("--large-comments", type=int, default=1_000_000)
    p.add_argument(
        "--ceiling-bytes",
        type=int,
        default=None,
        help="ceiling body size when commentbox is not run (default: Isso's size)",
    )
    p.add_argument(
        "--commentbox-src",
        type=Path,
        default=commentbox_server.REPO_ROOT,
        help="checkout whose commentbox package is measured (default: this one)",
    )
    return p.parse_args(argv)


class Bench:
    """Runs workloads and collects rows for one invocation."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rows: list[report.Row] = []
        self.notes: list[str] = []

    def _wrk(
        self, server: Server, system: str, name: str, work: Workload, seconds: float
    ) -> WrkResult:
        """One bounded wrk run with the configured threads and connections."""
        slug = f"{system}-{name}".replace(" ", "_").replace(",", "").replace("/", "_")
        slug = "".join(ch for ch in slug if ch.isalnum() or ch in "_-.")
        return run_wrk(
            server.base,
            work,
            duration=seconds,
            threads=self.args.threads,
            connections=self.args.connections,
            script_path=WORK / "lua" / f"{slug}.lua",
        )

    def _record(self, system: str, name: str, result: WrkResult, rss: float) -> None:
        self.rows.append(report.Row(name, system, result, rss))
        print(
            f"  {name:<28} {result.rps:>10,.1f} req/s  p50 {result.p50_ms:8.2f} ms  "
            f"p99 {result.p99_ms:8.2f} ms  errors {result.errors}  RSS {rss:.0f} MiB"
            f"  [{system}]",
            flush=True,
        )

    def measure(
        self, server: Server, system: str, name: str, work: Workload, warm: bool = True
    ) -> WrkResult:
        """Warm up (unmeasured), then one bounded measured wrk run; records a row."""
        if warm and self.args.warmup > 0:
            self._wrk(server, system, name, work, self.args.warmup)
        result = self._wrk(server, system, name, work, self.args.duration)
        self._record(system, name, result, server.rss_mib())
        return result

    def measure_ab(
        self,
        pair: list[tuple[str, Server]],
        name: str,
        work: Workload,
        rounds: int,
        other_work: Workload | None = None,
    ) -> None:
        """Measure servers in alternation (A B A B …) and record one combined row each.

        Alternating spreads the noise of a shared machine over both sides of a
        ratio instead of letting it land on whichever ran second.
        """
        works = {pair[0][0]: work, pair[1][0]: other_work or work}
        results: dict[str, list[WrkResult]] = {system: [] for system, _ in pair}
        for system, server in pair:
            if self.args.warmup > 0:
                self._wrk(server, system, name, works[system], self.args.warmup)
        for i in range(rounds):
            for system, server in pair:
                r = self._wrk(server, system, name, works[system], self.args.duration)
                results[system].append(r)
                print(
                    f"    round {i + 1} {system:<24} {r.rps:>10,.1f} req/s  "
                    f"p50 {r.p50_ms:8.2f} ms  p99 {r.p99_ms:8.2f} ms",
                    flush=True,
                )
        for system, server in pair:
            self._record(system, name, combine(results[system]), server.rss_mib())


def run_commentbox(
    bench: Bench, servers: Servers, with_ceiling: bool
) -> commentbox_server.ThreadProbe:
    """Seed and measure commentbox (reads A/B against the ceiling), then the large DB."""
    args = bench.args
    print(f"commentbox ({args.db})", flush=True)
    cb = commentbox_server.prepare(args.db, WORK, args.commentbox_src.resolve())
    commentbox_server.setup_site(cb)
    server = commentbox_server.start(servers, cb, args.workers)
    t0 = time.monotonic()
    commentbox_server.seed(server)
    print(f"  seeded through the API in {time.monotonic() - t0:.1f}s", flush=True)
    probe = commentbox_server.probe(server)
    bench.notes.append(
        f"commentbox thread response: {probe.json_bytes:,} bytes JSON "
        f"({probe.comments_returned} comments, `{probe.api_path.split('?')[0]}`), "
        + (
            "embed HTML not served (404): skipped"
            if probe.embed_bytes is None
            else f"{probe.embed_bytes:,} bytes embed HTML"
        )
    )
    loads = commentbox_server.workloads(probe)
    for name, work in loads.items():
        if name == "thread read (JSON)" and with_ceiling:
            # Target 1 is a ratio: measure both sides in alternation.
            ceiling = start_ceiling(bench, servers, args.ceiling_bytes or probe.json_bytes)
            pair = [("commentbox", server), ("ceiling", ceiling)]
            bench.measure_ab(pair, name, work, args.rounds, CEILING_WORK)
            servers.stop(ceiling)
            continue
        # Posting last: it grows a separate thread, never the one being read.
        bench.measure(server, "commentbox", name, work, warm=not name.startswith("post"))
    servers.stop(server)

    if args.large:
        import largedb  # reflects the migrated schema; imported only when used

        print(f"commentbox ({args.db}), small vs large database", flush=True)
        big = commentbox_server.clone(cb, "large")
        t0 = time.monotonic()
        largedb.seed(big.database_url, args.large_threads, args.large_comments)
        took = time.monotonic() - t0
        print(
            f"  bulk-seeded {args.large_threads:,} threads / {args.large_comments:,} "
            f"comments in {took:.0f}s",
            flush=True,
        )
        bench.notes.append(
            f"large DB: a copy of the small one plus {args.large_threads:,} threads and "
            f"{args.large_comments:,} comments, bulk-inserted in {took:.0f}s; small and large "
            "measured in alternation"
        )
        pair = [
            (SMALL, commentbox_server.start(servers, cb, args.workers, "commentbox-small")),
            (LARGE, commentbox_server.start(servers, big, args.workers, "commentbox-large")),
        ]
        # Counts too: not a stated target, but a full scan would show here first.
        for name in ("thread read (JSON)", "thread read (embed HTML)", "counts, 10 URLs"):
            if name in loads:
                bench.measure_ab(pair, name, loads[name], args.rounds)
        for _, server in pair:
            servers.stop(server)
    return probe


def start_ceiling(bench: Bench, servers: Servers, body_bytes: int) -> Server:
    """The bare Starlette app with a body of commentbox's thread size."""
    print(f"  ceiling: bare Starlette + uvicorn, {body_bytes:,}-byte body", flush=True)
    port = free_port()
    server = servers.start(
        "ceiling",
        [
            sys.executable,
            "-m",
            "uvicorn",
            "ceiling_app:app",
            "--app-dir",
            str(BENCH_DIR),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(bench.args.workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        port=port,
        env={"CEILING_BODY_BYTES": str(body_bytes)},
    )
    server.wait_ready("/")
    assert len(ceiling_app.make_body(body_bytes)) == body_bytes
    return server


def run_ceiling_alone(bench: Bench, servers: Servers, body_bytes: int) -> None:
    """The ceiling on its own, for runs without commentbox."""
    print("ceiling", flush=True)
    server = start_ceiling(bench, servers, body_bytes)
    bench.measure(server, "ceiling", "thread read (JSON)", CEILING_WORK)
    servers.stop(server)


def run_isso(bench: Bench, servers: Servers) -> int:
    """Seed and measure Isso; returns its thread response size."""
    print(f"isso {isso_server.ISSO_VERSION} (gunicorn, SQLite)", flush=True)
    server = isso_server.start(servers, WORK, bench.args.workers)
    t0 = time.monotonic()
    isso_server.seed(server)
    print(f"  seeded through the API in {time.monotonic() - t0:.1f}s", flush=True)
    size = isso_server.thread_body_size(server)
    bench.notes.append(f"Isso thread response: {size:,} bytes JSON (100 comments)")
    for name, work in isso_server.workloads().items():
        bench.measure(server, "isso", name, work, warm=not name.startswith("post"))
    servers.stop(server)
    return size


def git_describe() -> str:
    """Commit of the checkout being measured, marked dirty if it has changes."""
    try:
        out = subprocess.run(
            ["git", "-C", str(BENCH_DIR), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def render(bench: Bench, started: dt.datetime, load_before: float) -> tuple[str, str]:
    """The terminal text and the Markdown document of this run."""
    args = bench.args
    cells = report.table_cells(bench.rows)
    rat = report.ratios(bench.rows)
    rcells = report.ratio_cells(rat)
    header = (
        f"commentbox {git_describe()} · {args.db} · {started:%Y-%m-%d %H:%M} UTC · "
        f"{os.cpu_count()} cores · load avg before {load_before:.2f} · "
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s "
        f"(+{args.warmup:g}s warm-up) · {args.workers} workers each · "
        f"Python {platform.python_version()}"
    )
    text = "\n".join(
        [
            header,
            "",
            report.text_table(report.HEADERS, cells),
            "",
            report.text_table(report.RATIO_HEADERS, rcells),
            "",
            *bench.notes,
        ]
    )
    md = "\n".join(
        [
            "# Latest benchmark run",
            "",
            header,
            "",
            report.markdown_table(report.HEADERS, cells),
            "",
            report.markdown_table(report.RATIO_HEADERS, rcells),
            "",
            *[f"- {n}" for n in bench.notes],
            "",
        ]
    )
    return text, md


def _raise_on_term(signum: int, frame: FrameType | None) -> None:
    """Turn SIGTERM into SystemExit so `finally` blocks stop the servers."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Run the selected systems, print and save the table."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_on_term)
    systems = {s.strip() for s in args.systems.split(",") if s.strip()}
    unknown = systems - {"commentbox", "ceiling", "isso"}
    if unknown:
        raise SystemExit(f"unknown systems: {', '.join(sorted(unknown))}")
    ensure_wrk()
    WORK.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()[0]
    bench = Bench(args)
    body_bytes = args.ceiling_bytes
    with Servers(WORK / "logs") as servers:
        if "commentbox" in systems:
            run_commentbox(bench, servers, with_ceiling="ceiling" in systems)
        isso_bytes = run_isso(bench, servers) if "isso" in systems else None
        if "ceiling" in systems and "commentbox" not in systems:
            # Without commentbox the ceiling takes Isso's body size.
            run_ceiling_alone(bench, servers, body_bytes or isso_bytes or 50_000)
    text, md = render(bench, started, load_before)
    print()
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(md)
    (RESULTS / f"latest-{args.db}.md").write_text(md)
    print(f"\nwritten to {RESULTS / 'latest.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
