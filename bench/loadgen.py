"""Drive a server with Debian's wrk and return what it measured.

Each workload becomes a small generated Lua script (request shape) followed by
`lua/report.lua` (a `done()` hook printing one JSON line), so parsing never
depends on wrk's human output format. POST workloads make every body unique
(`{n}` in the template becomes `<run>-<thread>-<counter>`, the run part random
per wrk invocation, so warm-up and rounds never repeat a body) so that no
duplicate or spam rule can short-circuit, or refuse, the write path.
"""

from __future__ import annotations

import json
import secrets
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPORT_LUA = BENCH_DIR / "lua" / "report.lua"


@dataclass(frozen=True)
class Workload:
    """One request shape: method, path (with query) and headers; `body` may hold `{n}`."""

    method: str
    path: str
    headers: dict[str, str]
    body: str | None = None


@dataclass(frozen=True)
class WrkResult:
    """What one bounded wrk run measured."""

    requests: int
    duration_s: float
    status_errors: int
    socket_errors: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    bytes_read: int

    @property
    def rps(self) -> float:
        """Completed responses per second (errors included, as wrk counts them)."""
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def errors(self) -> int:
        """Responses with status >= 400 plus connect/read/write/timeout errors."""
        return self.status_errors + self.socket_errors


def ensure_wrk() -> str:
    """Path to wrk, installing Debian's package if it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed and apt-get could not install it")
    return found


def _lua_long_string(text: str) -> str:
    """Quote `text` as a Lua long bracket string that cannot be terminated early."""
    level = 1
    while f"]{'=' * level}]" in text:
        level += 1
    eq = "=" * level
    return f"[{eq}[{text}]{eq}]"


def lua_script(work: Workload, run_id: str | None = None) -> str:
    """The Lua request part for `work`, followed by the shared report hook.

    `run_id` (random when not given) goes into every generated body.
    """
    lines = [f"wrk.method = {_lua_long_string(work.method)}"]
    for key, value in work.headers.items():
        lines.append(f"wrk.headers[ {_lua_long_string(key)} ] = {_lua_long_string(value)}")
    if work.body is not None and "{n}" not in work.body:
        lines.append(f"wrk.body = {_lua_long_string(work.body)}")
    if work.body is not None and "{n}" in work.body:
        # Static requests define no request() so wrk builds them once (no Lua
        # per request, which would make the load generator the bottleneck).
        prefix, suffix = work.body.split("{n}", 1)
        lines += [
            f"local path = {_lua_long_string(work.path)}",
            f"local prefix = {_lua_long_string(prefix)}",
            f"local suffix = {_lua_long_string(suffix)}",
            f"local run = {_lua_long_string(run_id or secrets.token_hex(4))}",
            # setup() runs in the main state once per wrk thread; give each an id
            # so bodies stay unique across threads.
            "local next_id = 0",
            "function setup(thread) thread:set('tid', next_id); next_id = next_id + 1 end",
            "local n = 0",
            "request = function()",
            "  n = n + 1",
            "  return wrk.format(nil, path, nil, prefix .. run .. '-' .. tid .. '-' .. n .. suffix)",
            "end",
        ]
    return "\n".join(lines) + "\n\n" + REPORT_LUA.read_text()


def run_wrk(
    base_url: str,
    work: Workload,
    *,
    duration: float,
    script_path: Path,
    threads: int = 2,
    connections: int = 32,
    timeout: float = 10.0,
) -> WrkResult:
    """Run wrk for `duration` seconds against `base_url` and parse its report.

    wrk's per-request `--timeout` is raised above its 2 s default because Isso
    answers a 100-comment thread in seconds under 32 connections; a timeout
    there would count as an error instead of the latency it really is.
    """
    if not base_url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        raise ValueError(f"refusing to load a non-loopback address: {base_url}")
    script_path.parent.mkdir(parents=True, exist_ok=True)
    script_path.write_text(lua_script(work))
    cmd = [
        ensure_wrk(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        f"--timeout={max(1, round(timeout))}s",
        "-s",
        str(script_path),
        base_url + work.path,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + timeout + 30, check=False)
    marker = next((line for line in proc.stdout.splitlines() if line.startswith("BENCHJSON ")), None)
    if proc.returncode != 0 or marker is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    data = json.loads(marker.removeprefix("BENCHJSON "))
    return WrkResult(
        requests=data["requests"],
        duration_s=data["duration_us"] / 1e6,
        status_errors=data["status"],
        socket_errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        mean_ms=data["mean_us"] / 1000,
        bytes_read=data["bytes"],
    )


def combine(results: list[WrkResult]) -> WrkResult:
    """Several rounds of one workload as one result.

    Counts add up; percentiles cannot be merged from summaries, so p50 and p99
    are the medians of the rounds' values (robust to one noisy round).
    """
    requests = sum(r.requests for r in results)
    return WrkResult(
        requests=requests,
        duration_s=sum(r.duration_s for r in results),
        status_errors=sum(r.status_errors for r in results),
        socket_errors=sum(r.socket_errors for r in results),
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
        mean_ms=sum(r.mean_ms * r.requests for r in results) / requests if requests else 0.0,
        bytes_read=sum(r.bytes_read for r in results),
    )
