"""Real ``commentbox serve`` processes for tests that need more than one instance, or an
instance to die: each runs from this checkout in its own process group on a random
loopback port, and is ready once ``/readyz`` answers 200."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from tests.support import TEST_SECRET

CHECKOUT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Instance:
    """``commentbox serve`` on ``database_url``; ``env`` adds or overrides settings."""

    def __init__(
        self,
        database_url: str,
        home: Path,
        *,
        workers: int = 1,
        env: dict[str, str] | None = None,
        name: str = "instance",
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.home = home / f"{name}-{self.port}"
        self.home.mkdir(parents=True)
        self.log = self.home / "serve.log"
        self.workers = workers
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("COMMENTBOX_", "PROMETHEUS_"))},
            "PYTHONPATH": str(CHECKOUT),  # this checkout, whatever copy is installed
            "COMMENTBOX_DATABASE_URL": database_url,
            "COMMENTBOX_SECRET_KEY": TEST_SECRET,
            "COMMENTBOX_PUBLIC_URL": self.url,
            "COMMENTBOX_DEMO_PAGE": "false",
            "COMMENTBOX_RATE_LIMITS": "off",
            "COMMENTBOX_LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 45.0) -> Instance:
        command = [sys.executable, "-m", "commentbox", "serve", "--port", str(self.port)]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [*command, "--workers", str(self.workers)],
                cwd=self.home,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() reaches every worker
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"commentbox serve exited:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"commentbox serve did not become ready:\n{self.log.read_text()}")

    def kill(self) -> None:
        """``kill -9`` the whole instance (the server and all its workers), no goodbyes."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> Instance:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
