"""Live threads at scale (issue 16): idle streams held, and how fast a comment reaches them.

    python bench/live.py                      # PostgreSQL, 2 workers: 5,000 idle, 1,000 fan-out
    python bench/live.py --db sqlite --workers 1
    python bench/live.py --idle 500 --fanout 100   # a quick look

One `commentbox serve` process group on 127.0.0.1 (`procs.Servers`). First, `--idle`
streams are opened on 50 other pages and held; the server's resident memory (all its
processes) is read before and after. Then `--fanout` streams are opened on one page, a
comment is posted there, and each stream's arrival time of the `published` event is
taken from just before the POST: the p50, p99 and maximum go into the report. The
clients are plain asyncio sockets in this process (no HTTP library's overhead per stream).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from commentbox_server import prepare
from procs import Servers, free_port, group_rss_bytes

HERE = Path(__file__).resolve().parent
SITE, ORIGIN = "live", "http://127.0.0.1:8000"
MIB = 1024 * 1024


def _request(port: int, path: str) -> bytes:
    query = urllib.parse.urlencode({"site": SITE, "url": ORIGIN + path})
    return (
        f"GET /api/v1/threads/events?{query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Origin: {ORIGIN}\r\nAccept: text/event-stream\r\n\r\n"
    ).encode()


async def _open(port: int, path: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(_request(port, path))
    await writer.drain()
    seen = b""
    while b": listening" not in seen:
        chunk = await asyncio.wait_for(reader.read(4096), 30)
        if not chunk:
            raise RuntimeError("a stream closed before it listened: " + seen.decode(errors="replace"))
        seen += chunk
    return reader, writer


async def _open_many(
    port: int, count: int, path_of
) -> list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:  # type: ignore[no-untyped-def]
    opened = []
    for start in range(0, count, 200):  # in waves, like readers arriving, not a SYN flood
        opened += await asyncio.gather(
            *(_open(port, path_of(i)) for i in range(start, min(count, start + 200)))
        )
    return opened


async def _arrival(reader: asyncio.StreamReader, posted_at: float) -> float:
    seen = b""
    while b"event: published" not in seen:
        chunk = await asyncio.wait_for(reader.read(65536), 30)
        if not chunk:
            raise RuntimeError("a stream closed before the event arrived")
        seen += chunk
    return time.perf_counter() - posted_at


def _post(port: int, path: str) -> None:
    body = json.dumps(
        {
            "site": SITE,
            "url": ORIGIN + path,
            "body": "a new comment, live",
            "author": {"name": "Ada", "email": "ada@example.com"},
        }
    ).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/comments",
        data=body,
        headers={"Content-Type": "application/json", "Origin": ORIGIN},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201, response.status


def _close(streams) -> None:  # type: ignore[no-untyped-def]
    for _, writer in streams:
        writer.close()


async def measure(port: int, pgid: int, idle: int, fanout: int) -> dict[str, float]:
    await asyncio.sleep(2)
    before = group_rss_bytes(pgid)
    held = await _open_many(port, idle, lambda i: f"/posts/idle-{i % 50}/")
    await asyncio.sleep(3)  # let the workers settle after the arrivals
    during = group_rss_bytes(pgid)
    _close(held)
    streams = await _open_many(port, fanout, lambda i: "/posts/fan-out/")
    await asyncio.sleep(1)
    posted_at = time.perf_counter()
    waits = [asyncio.create_task(_arrival(reader, posted_at)) for reader, _ in streams]
    await asyncio.to_thread(_post, port, "/posts/fan-out/")
    answered = time.perf_counter() - posted_at
    arrivals = sorted(await asyncio.gather(*waits))
    _close(streams)
    return {
        "idle_streams": idle,
        "rss_before_mib": before / MIB,
        "rss_with_idle_mib": during / MIB,
        "rss_added_mib": (during - before) / MIB,
        "fanout_streams": fanout,
        "post_answered_ms": answered * 1000,
        "first_ms": arrivals[0] * 1000,
        "p50_ms": statistics.median(arrivals) * 1000,
        "p99_ms": arrivals[int(len(arrivals) * 0.99) - 1] * 1000,
        "max_ms": arrivals[-1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--idle", type=int, default=5000)
    parser.add_argument("--fanout", type=int, default=1000)
    args = parser.parse_args()
    work = HERE / ".work" / "live"
    cb = prepare(args.db, work)
    cb.cli("migrate")
    cb.cli("site", "add", SITE, "--origin", ORIGIN)
    cb.cli("site", "update", SITE, "--min-post-seconds", "0")  # it posts without showing a form
    port = free_port()
    with Servers(work / "logs") as servers:
        command = [
            sys.executable,
            "-m",
            "commentbox",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ]
        server = servers.start("commentbox", command, port, env=cb.env(port), cwd=cb.home)
        server.wait_ready("/healthz")
        result = asyncio.run(measure(port, server.proc.pid, args.idle, args.fanout))
    result |= {"db": args.db, "workers": args.workers}
    print(json.dumps(result, indent=2))
    verdict = result["rss_added_mib"] <= 100 and result["p99_ms"] <= 250
    print("targets (≤ +100 MiB for the idle streams, p99 ≤ 250 ms):", "PASS" if verdict else "FAIL")


if __name__ == "__main__":
    main()
