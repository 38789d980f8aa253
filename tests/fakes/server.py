"""Run an ASGI app under uvicorn in a background thread, on a real loopback port.

Tests talk to fake providers, the commentbox backend and the demo blog over real
HTTP (and a real browser does too), so each runs as a genuine uvicorn server on
127.0.0.1 with a port picked by the OS. Example::

    with ServerThread(app) as server:
        httpx2.get(server.url + "/healthz")
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn
from starlette.types import ASGIApp

__all__ = ["ServerThread"]


class ServerThread:
    """One uvicorn server in a daemon thread; `start()` returns once it accepts connections.

    The socket is bound before the thread starts, so `url` is known up front (an
    app that needs its own public URL, like an OpenID issuer, can be told before
    serving). Extra keyword arguments go to `uvicorn.Config` (e.g. `lifespan="on"`).
    """

    def __init__(
        self,
        app: ASGIApp,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        url_host: str | None = None,
        startup_timeout: float = 10.0,
        **config: Any,
    ) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host = host
        self.port: int = self._sock.getsockname()[1]
        # "localhost" and "127.0.0.1" are different sites to a browser: callers pick.
        self.url = f"http://{url_host or host}:{self.port}"
        self._startup_timeout = startup_timeout
        options: dict[str, Any] = {
            "log_level": "warning",
            "access_log": False,
            "lifespan": "auto",
            # Pure-Python stack: same behaviour whether or not uvloop/httptools
            # are installed; pass loop=/http= to override.
            "loop": "asyncio",
            "http": "h11",
            # A slow request still pending at stop() must not hang the test run.
            "timeout_graceful_shutdown": 2,
        }
        options.update(config)
        self.server = uvicorn.Server(uvicorn.Config(app, **options))
        self._thread = threading.Thread(target=self._run, name=f"uvicorn:{self.port}", daemon=True)
        self._error: BaseException | None = None

    def _run(self) -> None:
        try:
            self.server.run(sockets=[self._sock])
        except BaseException as exc:  # SystemExit on failed lifespan startup, too
            self._error = exc

    def start(self) -> ServerThread:
        """Start serving; raise if the server is not up within the startup timeout."""
        self._thread.start()
        deadline = time.monotonic() + self._startup_timeout
        while not self.server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"server on {self.url} failed to start") from self._error
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"server on {self.url} did not start in time")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask uvicorn to exit (graceful, bounded) and wait for the thread."""
        self.server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._sock.close()
        if self._thread.is_alive():
            raise RuntimeError(f"server on {self.url} did not stop within {timeout} s")

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
