"""Start, watch and stop the servers under test.

Every server runs in its own session (so its own process group): uvicorn and
gunicorn fork workers, and only signalling the whole group is sure to stop
them all. `Servers` is a context manager whose exit stops everything it
started, so a crash, Ctrl-C or a failed seed step never leaves a process
behind on a 2-core machine shared with other people.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now.

    Asking the kernel avoids clashing with other engineers' servers on fixed
    ports; the tiny race until the server binds is acceptable for a benchmark.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """One running server: its process group, port and log file, and how it was started."""

    name: str
    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path
    cmd: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    ready_path: str = "/"

    @property
    def base(self) -> str:
        """Base URL on loopback, the only address benchmarks may target."""
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        """Poll `path` until it answers below 500, or fail with the log's tail.

        Waiting on a real HTTP answer (not just an open port) makes sure the
        workers have imported the application before load starts. `path` is
        remembered for `restart`.
        """
        self.ready_path = path
        deadline = time.monotonic() + timeout
        last_error = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=5) as resp:
                    if resp.status < 500:
                        return
            except urllib.error.HTTPError as exc:
                if exc.code < 500:
                    return
                last_error = str(exc)
            except OSError as exc:
                last_error = str(exc)
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout}s ({last_error}):\n{self.log_tail()}")

    def check_alive(self) -> None:
        """Fail loudly if the server's main process has exited.

        A dead server turns a load run into a flood of connection errors, which
        must never be mistaken for a measurement. A negative code means a
        signal (e.g. -15: something else on the machine sent SIGTERM).
        """
        code = self.proc.poll()
        if code is not None:
            raise RuntimeError(f"{self.name} exited with {code} during the run:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the server's log, for error messages."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def terminate(self, grace: float = 10.0) -> None:
        """SIGTERM the process group, wait, then SIGKILL whatever is left of it."""
        pgid = self.proc.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=grace)
        # Workers may outlive the master for a moment; make sure none remain.
        deadline = time.monotonic() + grace
        while group_rss_bytes(pgid) and time.monotonic() < deadline:
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)

    def restart(self) -> None:
        """Stop the server and start it again the same way, on the same port.

        For servers that keep nothing in memory (Isso): a restart drops the
        requests an exited wrk left queued, instead of letting them burn the
        shared cores for many seconds.
        """
        self.terminate(grace=5.0)
        self.proc = _launch(self.cmd, self.env, self.cwd, self.log_path, append=True)
        self.wait_ready(self.ready_path)

    def rss_mib(self) -> float:
        """Resident memory of the whole process group (master + workers), MiB.

        Summed RSS counts pages shared between forked workers more than once;
        that is what `ps` and most dashboards show, so it is the honest
        comparison across gunicorn and uvicorn.
        """
        return group_rss_bytes(self.proc.pid) / (1024 * 1024)

    def wait_idle(self, timeout: float = 60.0, interval: float = 0.5, busy_share: float = 0.05) -> bool:
        """Wait until the server's processes use less than `busy_share` of a core.

        When wrk stops, requests it already sent are still queued in the
        server: a synchronous gunicorn worker (Isso) goes on answering 32
        abandoned thread reads for seconds. Without this wait that work would
        land in the next run, on this server or on another one sharing the
        cores. Returns False if the server was still busy after `timeout`.
        """
        deadline = time.monotonic() + timeout
        before = group_cpu_seconds(self.proc.pid)
        while time.monotonic() < deadline:
            time.sleep(interval)
            now = group_cpu_seconds(self.proc.pid)
            if now - before < busy_share * interval:
                return True
            before = now
        return False


def _group_procs(pgid: int) -> Iterator[tuple[Path, list[str]]]:
    """(/proc entry, stat fields from the state on) of every process in group `pgid`."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the command name (which may contain spaces) start at ')'.
        fields = stat.rsplit(")", 1)[1].split()
        if len(fields) > 12 and fields[2] == str(pgid):
            yield entry, fields


def group_rss_bytes(pgid: int) -> int:
    """Sum VmRSS over every process whose process group is `pgid`."""
    total = 0
    for entry, _ in _group_procs(pgid):
        try:
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
        except (OSError, IndexError, ValueError):
            continue
    return total


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU time used so far by the processes of group `pgid`."""
    ticks = sum(int(fields[11]) + int(fields[12]) for _, fields in _group_procs(pgid))
    return ticks / CLOCK_TICKS


def _launch(
    cmd: list[str], env: dict[str, str], cwd: Path | None, log_path: Path, append: bool = False
) -> subprocess.Popen[bytes]:
    """Start `cmd` in its own session (so its own process group), output to `log_path`."""
    with log_path.open("ab" if append else "wb") as log:
        return subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
            cwd=cwd,
            start_new_session=True,
        )


@dataclass
class Servers(contextlib.AbstractContextManager["Servers"]):
    """Starts servers and guarantees they are stopped on exit."""

    log_dir: Path
    running: list[Server] = field(default_factory=list)

    def start(
        self,
        name: str,
        cmd: list[str],
        port: int,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Server:
        """Start `cmd` in a new session, logging to `<log_dir>/<name>.log`."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{name}.log"
        proc = _launch(cmd, env or {}, cwd, log_path)
        server = Server(name=name, proc=proc, port=port, log_path=log_path, cmd=cmd, env=env or {}, cwd=cwd)
        self.running.append(server)
        return server

    def stop(self, server: Server, grace: float = 10.0) -> None:
        """Stop `server` for good (its whole process group)."""
        if server in self.running:
            self.running.remove(server)
        server.terminate(grace)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for server in list(reversed(self.running)):
            self.stop(server)
