"""One command for the issue-6 benchmark: commentbox vs the ceiling vs Isso.

    python bench/run.py [--db sqlite|postgres] [--duration 4] [--rounds 3] [--no-large]

Seeds identical data into each system, drives each with wrk (-t2 -c32,
bounded runs, loopback only), prints one table plus the target ratios, and
writes it to bench/results/latest.md. Only one server is under load at any
moment, so each has the machine's 2 cores (shared with wrk) to itself; the
systems a target compares stay up side by side and are loaded in alternation
(A B C, A B C, ...), so that noise from other work on the machine falls on
every side of a ratio. Everything started is stopped on exit, including on
errors and Ctrl-C.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import client
import commentbox_bulk
import commentbox_server
import isso_server
import report
import seed_data
from loadgen import Workload, WrkResult, combine, ensure_wrk, run_wrk
from procs import Server, Servers, free_port

BENCH_DIR = Path(__file__).resolve().parent
WORK = BENCH_DIR / ".work"
SMALL, LARGE = report.SMALL_DB, report.LARGE_DB
WORKLOADS = [
    "thread read (JSON)",
    "thread read (embed HTML)",
    "counts, 10 URLs",
    "post a guest comment",
]
WORKLOAD_NAMES = ["read", "embed", "counts", "post"]  # for --workloads, in WORKLOADS' order
RESULTS = BENCH_DIR / "results"
T0 = time.monotonic()


def log(message: str) -> None:
    """A progress line, stamped with the time since the run started (m:ss)."""
    minutes, seconds = divmod(int(time.monotonic() - T0), 60)
    print(f"[{minutes}:{seconds:02d}] {message}", flush=True)


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
        default=4.0,
        help="seconds of measured load per workload and round (default 4)",
    )
    p.add_argument(
        "--warmup",
        type=float,
        default=1.0,
        help="seconds of unmeasured load before each workload (default 1)",
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
        "--workloads",
        default="read,embed,counts,post",
        help="comma-separated subset of read,embed,counts,post (a quick look at one target)",
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds per workload; systems are loaded in alternation within each (default 3)",
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


@dataclass
class Contender:
    """A running system and its request for each workload it takes part in."""

    system: str
    server: Server
    loads: dict[str, Workload]
    # Keeps nothing in memory, so a restart is the quick way to drop queued abandoned requests.
    stateless: bool = False


class Bench:
    """Runs workloads and collects rows for one invocation."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rows: list[report.Row] = []
        self.notes: list[str] = []
        self.loads: list[float] = []  # 1-minute load average at the start of every measured run

    def _wrk(self, contender: Contender, name: str, seconds: float) -> WrkResult:
        """One bounded wrk run with the configured threads and connections, then a quiet server.

        When wrk stops, the requests it already sent are still queued in the
        server; Isso's synchronous workers go on answering 32 abandoned thread
        reads for many seconds. That work must not land in the next run, on
        this server or on another one sharing the cores: wait until the server
        is idle, or restart it if it keeps nothing in memory and is still busy
        after a few seconds (much quicker than waiting).
        """
        server, system = contender.server, contender.system
        slug = f"{system}-{name}".replace(" ", "_").replace(",", "").replace("/", "_")
        slug = "".join(ch for ch in slug if ch.isalnum() or ch in "_-.")
        result = run_wrk(
            server.base,
            contender.loads[name],
            duration=seconds,
            threads=self.args.threads,
            connections=self.args.connections,
            script_path=WORK / "lua" / f"{slug}.lua",
        )
        t0 = time.monotonic()
        if contender.stateless and not server.wait_idle(timeout=3):
            server.restart()
            log(f"    ({system} restarted to drop requests wrk left queued: {time.monotonic() - t0:.0f} s)")
        elif not server.wait_idle():
            log(f"    ({system} was still busy 60 s after wrk stopped)")
        elif (drained := time.monotonic() - t0) > 2:
            log(f"    ({system} worked off its queue for {drained:.0f} s after wrk stopped)")
        return result

    def measure(self, lineup: list[Contender], name: str) -> None:
        """Warm each contender up, then load them in alternation (A B C A B C …).

        Each contender gets `--rounds` bounded runs; its row adds the rounds'
        counts and takes the median of their p50/p99. Alternating spreads the
        noise of a shared machine over every side of a ratio instead of letting
        it land on whichever system happened to run during someone's build.
        """
        lineup = [c for c in lineup if name in c.loads]
        if not lineup:
            return
        log(f"  {name}: {', '.join(c.system for c in lineup)}")
        results: dict[str, list[WrkResult]] = {c.system: [] for c in lineup}
        if self.args.warmup > 0:
            for c in lineup:
                self._wrk(c, name, self.args.warmup)
        for i in range(self.args.rounds):
            for c in lineup:
                c.server.check_alive()
                self.loads.append(os.getloadavg()[0])
                r = self._wrk(c, name, self.args.duration)
                c.server.check_alive()
                results[c.system].append(r)
                log(
                    f"    round {i + 1}  {c.system:<27} {r.rps:>10,.1f} req/s  "
                    f"p50 {r.p50_ms:8.2f} ms  p99 {r.p99_ms:8.2f} ms  errors {r.errors}"
                )
        for c in lineup:
            self.rows.append(report.Row(name, c.system, combine(results[c.system]), c.server.rss_mib()))


def start_commentbox(
    bench: Bench, servers: Servers
) -> tuple[commentbox_server.Commentbox, Contender, commentbox_server.ThreadProbe]:
    """Fresh database, site, server, seed data through the API; probe the thread."""
    args = bench.args
    log(f"commentbox ({args.db}, {args.commentbox_src})")
    cb = commentbox_server.prepare(args.db, WORK, args.commentbox_src.resolve())
    commentbox_server.setup_site(cb)
    server = commentbox_server.start(servers, cb, args.workers)
    form = commentbox_server.form_fields(server)
    t0 = time.monotonic()
    commentbox_server.seed(server, form)
    log(f"  seeded the thread through the API in {time.monotonic() - t0:.1f}s")
    t0 = time.monotonic()
    commentbox_bulk.seed(cb.database_url, seed_data.corpus())
    log(f"  bulk-loaded the archive in {time.monotonic() - t0:.1f}s")
    check_counts("commentbox", commentbox_server.counts(server))
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
    loads = commentbox_server.workloads(probe, form)
    return cb, Contender("commentbox", server, loads), probe


def check_counts(system: str, got: list[int]) -> None:
    """Stop unless `system` counts the ten front-page threads exactly as loaded.

    Proves the bulk load is visible to the server as data it wrote itself
    (thread keys, counters), before any figure is taken from it.
    """
    want = [t.comments for t in seed_data.COUNT_THREADS]
    if got != want:
        raise RuntimeError(f"{system} counts the front-page threads as {got}, the archive holds {want}")


def corpus_note() -> str:
    """One line describing the archive every system holds."""
    threads = seed_data.corpus()
    return (
        f"every system holds the same archive besides the 100-comment thread: {len(threads)} threads, "
        f"{sum(t.comments for t in threads):,} comments (1 to {max(t.comments for t in threads):,} "
        f"per thread); counts asks for the 10 newest, holding "
        f"{', '.join(str(t.comments) for t in seed_data.COUNT_THREADS)}"
    )


def start_isso(bench: Bench, servers: Servers) -> tuple[Contender, int]:
    """Isso in its own virtualenv, seeded through its API; returns its thread size too."""
    log(f"isso {isso_server.ISSO_VERSION} (gunicorn, SQLite)")
    server = isso_server.start(servers, WORK, bench.args.workers)
    t0 = time.monotonic()
    isso_server.seed(server)
    log(f"  seeded the thread through the API in {time.monotonic() - t0:.1f}s")
    t0 = time.monotonic()
    isso_server.load_corpus(isso_server.db_path(WORK), seed_data.corpus())
    log(f"  bulk-loaded the archive in {time.monotonic() - t0:.1f}s")
    check_counts("isso", isso_server.counts(server))
    size = isso_server.thread_body_size(server)
    bench.notes.append(f"Isso thread response: {size:,} bytes JSON (100 comments)")
    return Contender("isso", server, isso_server.workloads(), stateless=True), size


def start_ceiling(bench: Bench, servers: Servers, body_bytes: int, embed_bytes: int | None) -> Contender:
    """The bare Starlette app answering with precomputed bodies of commentbox's sizes."""
    log(f"ceiling (bare Starlette + uvicorn, {body_bytes:,}-byte body)")
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
        env={"CEILING_BODY_BYTES": str(body_bytes), "CEILING_EMBED_BYTES": str(embed_bytes or 0)},
    )
    server.wait_ready("/")
    loads = {"thread read (JSON)": Workload("GET", "/", {})}
    sizes = {"/": body_bytes}
    if embed_bytes:
        loads["thread read (embed HTML)"] = Workload("GET", "/embed", {})
        sizes["/embed"] = embed_bytes
    for path, size in sizes.items():
        got = len(client.request("GET", server.base + path).body)
        if got != size:
            raise RuntimeError(f"ceiling body at {path} is {got} bytes, wanted {size}")
    bench.notes.append(
        f"ceiling bodies: {body_bytes:,} bytes JSON"
        + (f", {embed_bytes:,} bytes HTML" if embed_bytes else "")
        + " (commentbox's sizes)"
    )
    return Contender("ceiling", server, loads)


def run_large(bench: Bench, servers: Servers, cb: commentbox_server.Commentbox, small: Contender) -> None:
    """Target 4: the same reads on a copy of the database grown by bulk insert.

    `small` must be stopped (its database is copied); both then run side by side.
    """
    args = bench.args
    log(f"commentbox ({args.db}): small vs large database")
    big = commentbox_server.clone(cb, "large")
    t0 = time.monotonic()
    commentbox_bulk.seed(big.database_url, commentbox_bulk.uniform(args.large_threads, args.large_comments))
    took = time.monotonic() - t0
    log(f"  bulk-seeded {args.large_threads:,} threads / {args.large_comments:,} comments in {took:.0f}s")
    bench.notes.append(
        f"large DB: a copy of the small one plus {args.large_threads:,} threads and "
        f"{args.large_comments:,} comments, bulk-inserted in {took:.0f}s"
    )
    lineup = [
        Contender(SMALL, commentbox_server.start(servers, cb, args.workers, "cb-small"), small.loads),
        Contender(LARGE, commentbox_server.start(servers, big, args.workers, "cb-large"), small.loads),
    ]
    for c in lineup:
        check_counts(c.system, commentbox_server.counts(c.server))
    # Counts too: not a stated target, but a full scan would show there first.
    for name in ("thread read (JSON)", "thread read (embed HTML)", "counts, 10 URLs"):
        bench.measure(lineup, name)
    for c in lineup:
        servers.stop(c.server)


def git_describe(checkout: Path) -> str:
    """Commit of the measured checkout, `-dirty` if its tracked files changed.

    Changes under bench/results (which every run rewrites) do not count.
    """

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(checkout), *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench/results")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("-dirty" if changed else "")


def render(bench: Bench, started: dt.datetime, load_before: float, load_after: float) -> tuple[str, str]:
    """The terminal text and the Markdown document of this run."""
    args = bench.args
    cells = report.table_cells(bench.rows)
    rat = report.ratios(bench.rows)
    rcells = report.ratio_cells(rat)
    minutes = (dt.datetime.now(dt.UTC) - started).total_seconds() / 60
    during = (
        f"{min(bench.loads):.1f}–{max(bench.loads):.1f} (mean {statistics.fmean(bench.loads):.1f})"
        if bench.loads
        else "—"
    )
    verdicts = report.target_verdicts(rat)
    header = (
        f"commentbox {git_describe(args.commentbox_src)} · {args.db} · {started:%Y-%m-%d %H:%M} UTC · "
        f"{os.cpu_count()} cores · {minutes:.1f} min · load avg {load_before:.1f} before, "
        f"{during} during, {load_after:.1f} after · "
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
            *verdicts,
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
            *[f"- **{v}**" for v in verdicts],
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
    unknown |= {w.strip() for w in args.workloads.split(",") if w.strip()} - set(WORKLOAD_NAMES)
    if unknown:
        raise SystemExit(f"unknown systems or workloads: {', '.join(sorted(unknown))}")
    ensure_wrk()
    WORK.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()[0]
    bench = Bench(args)
    bench.notes.append(corpus_note())
    with Servers(WORK / "logs") as servers:
        lineup: list[Contender] = []
        cb = probe = None
        if "commentbox" in systems:
            cb, contender, probe = start_commentbox(bench, servers)
            lineup.append(contender)
        isso_bytes = None
        if "isso" in systems:
            contender, isso_bytes = start_isso(bench, servers)
            lineup.append(contender)
        if "ceiling" in systems:
            size = args.ceiling_bytes or (probe.json_bytes if probe else isso_bytes) or 50_000
            lineup.append(start_ceiling(bench, servers, size, probe.embed_bytes if probe else None))
        # Posting last: it grows a separate thread, never the ones being read.
        chosen = {s.strip() for s in args.workloads.split(",") if s.strip()}
        for short, name in zip(WORKLOAD_NAMES, WORKLOADS, strict=True):
            if short in chosen:
                bench.measure(lineup, name)
        for c in lineup:
            servers.stop(c.server)
        if args.large and cb is not None:
            run_large(bench, servers, cb, lineup[0])
    load_after = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    # While measuring, the benchmark itself keeps about 4 threads runnable (2 wrk
    # threads, 2 server workers); beyond that, the load came from other work.
    own = 2 * args.threads
    if load_before > cores or (bench.loads and statistics.fmean(bench.loads) > cores + own):
        bench.notes.append(
            f"the machine was busy (load average above its {cores} cores before the run, or above "
            f"{cores + own} during it, of which about {own} is the benchmark's own): other work "
            "competed with every server; ratios from alternated rounds hold up better than "
            "absolute figures, and p99 least of all"
        )
    text, md = render(bench, started, load_before, load_after)
    print()
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(md)
    (RESULTS / f"latest-{args.db}.md").write_text(md)
    print(f"\nwritten to {RESULTS / 'latest.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
