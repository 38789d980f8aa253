"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives, for mail tests.

``Submission`` is the server site owners really send through (port 587): STARTTLS with a
certificate from a test CA (trustme) that the client must be told to trust, and AUTH
that is only offered once the connection is encrypted.
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Delivery:
    """How a message arrived: over TLS or not, after a successful AUTH or not."""

    encrypted: bool
    login: bool


class Inbox:
    """The aiosmtpd handler: parses each message and wakes whoever waits for it."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.sessions: list[Delivery] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.sessions.append(Delivery(encrypted=session.ssl is not None, login=session.authenticated))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 15.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"expected {count} messages, got {len(self.messages)}"
                self._arrived.wait(left)
            return list(self.messages)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


class SMTPServer:
    def __init__(self, port: int | None = None) -> None:
        self.inbox = Inbox()
        self.port = port or free_port()
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> SMTPServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


class Submission(SMTPServer):
    """Authenticated submission: STARTTLS required, AUTH only over TLS, one account."""

    USERNAME = "commentbox@mail.test"
    PASSWORD = "a submission password"

    def __init__(self, ca_file: Path) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.ca_file = ca_file
        authority = trustme.CA()
        authority.cert_pem.write_to_path(str(ca_file))
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert("127.0.0.1").configure_cert(tls)
        self._controller = Controller(
            self.inbox,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=tls,
            require_starttls=True,
            auth_require_tls=True,
            authenticator=self._authenticate,
        )

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        known = isinstance(data, LoginPassword) and (data.login, data.password) == (
            self.USERNAME.encode(),
            self.PASSWORD.encode(),
        )
        return AuthResult(success=known)


class Silent:
    """A mail server that accepts connections and never says a word (a hung relay)."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self.connected = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:  # closed by stop()
                return
            self._held.append(connection)
            self.connected.set()

    def start(self) -> Silent:
        self._thread.start()
        return self

    def still_held(self) -> bool:
        """True while the first client keeps its connection open, waiting for a greeting."""
        first = self._held[0]
        first.setblocking(False)
        try:
            return first.recv(1, socket.MSG_PEEK) != b""  # b"": the client gave up and closed
        except BlockingIOError:
            return True  # nothing sent, nothing closed: still waiting
        finally:
            first.setblocking(True)

    def stop(self) -> None:
        self._listener.close()
        for connection in self._held:
            connection.close()
