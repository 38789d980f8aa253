"""The network layer under httpcore2's connection pool: vetted addresses, one deadline.

``VettingBackend`` replaces the pool's hostname connect: it resolves the name itself (with the
injected resolver), refuses the host when any address it resolved to is not public
(``addresses.is_public``; a mixed answer is how DNS rebinding gets in) and connects to the
vetted address, so no second lookup can swap it. TLS still verifies the certificate against
the name, since httpcore2 passes the URL's host as ``server_hostname``.

Every stream it returns clamps each read and write to what is left of the fetch's total
deadline, so a server dripping one byte a second is cut at the deadline, not at the
deadline plus one read timeout per byte.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Collection, Iterable
from typing import Any

import httpcore2
from httpcore2 import NetworkStream, SyncBackend

from commentbox.outbound.addresses import Resolver, is_public, parse_address, resolve_within


class AddressRefused(Exception):
    """The host resolved to an address the server must not reach."""


class Deadline:
    """A point in time every network step of one fetch must finish by."""

    def __init__(self, seconds: float) -> None:
        self._at = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds remaining; ``httpcore2.ReadTimeout`` once there are none."""
        remaining = self._at - time.monotonic()
        if remaining <= 0:
            raise httpcore2.ReadTimeout("the deadline passed")
        return remaining

    def clamp(self, timeout: float | None) -> float:
        left = self.left()
        return left if timeout is None else min(timeout, left)


class DeadlineStream(NetworkStream):
    """A stream whose every operation gets at most the time left before the deadline."""

    def __init__(self, inner: NetworkStream, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.clamp(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.clamp(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, self._deadline.clamp(timeout))
        return DeadlineStream(inner, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def normalize_host(host: str) -> str:
    """The form hosts are compared in: lower case, no trailing dot, no IPv6 brackets."""
    return host.strip("[]").rstrip(".").lower()


class VettingBackend(SyncBackend):
    """Connects only to vetted addresses (hosts in ``allow_hosts`` skip the vetting)."""

    def __init__(self, resolver: Resolver, deadline: Deadline, allow_hosts: Collection[str]) -> None:
        self._resolver = resolver
        self._deadline = deadline
        self._allow_hosts = allow_hosts

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to try for ``host``, all vetted; ``AddressRefused`` if any is not public."""
        try:
            answers = resolve_within(self._resolver, host, port, self._deadline.left())
        except TimeoutError:
            raise httpcore2.ConnectTimeout("name resolution timed out") from None
        except OSError as exc:
            raise httpcore2.ConnectError("the name does not resolve") from exc
        try:
            parsed = [parse_address(answer) for answer in answers]
        except ValueError:
            raise AddressRefused("the resolver gave something that is not an address") from None
        if not parsed:
            raise httpcore2.ConnectError("the name does not resolve")
        if normalize_host(host) not in self._allow_hosts and not all(map(is_public, parsed)):
            raise AddressRefused("the host resolves to an address that is not public")
        return [str(address) for address in parsed]

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> NetworkStream:
        error: Exception = httpcore2.ConnectError("no address could be reached")
        for address in self.addresses(host, port):
            try:
                stream = super().connect_tcp(
                    address, port, self._deadline.clamp(timeout), local_address, socket_options
                )
            except httpcore2.ConnectError as exc:  # try the next vetted address
                error = exc
                continue
            return DeadlineStream(stream, self._deadline)
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> NetworkStream:
        raise AddressRefused("unix sockets are never reached from outbound requests")
