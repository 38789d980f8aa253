"""Which addresses the server may connect to on a caller's behalf, and how names become them.

Why vet addresses and not URLs: ``http://2130706433/``, ``http://0x7f.1/``, ``http://127.1/``
and ``http://0/`` are loopback once the system resolver has read them, and a public-looking
name can resolve to ``10.0.0.5`` (or do so only on the second lookup). So the fetcher resolves
the name itself, vets every address it got, and connects to a vetted one — never to the name.

Refused: anything Python does not call global (loopback, private, link-local, CGNAT,
reserved, documentation, ``0.0.0.0``), multicast, IPv6 site-local, and every IPv6 form that
carries an IPv4 address inside it (IPv4-mapped and -compatible, NAT64, 6to4, Teredo), since the
network may route those to the embedded address whatever it is.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Sequence

Resolver = Callable[[str, int], Sequence[str]]
"""``resolver(host, port)`` → IP address strings; tests inject one that maps names to 127.0.0.1."""

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_EMBEDDING_IPV4 = tuple(
    ipaddress.ip_network(net)
    for net in (
        "::ffff:0:0/96",  # IPv4-mapped
        "::/96",  # IPv4-compatible (deprecated, still parsed by stacks)
        "64:ff9b::/96",  # NAT64, well-known prefix
        "64:ff9b:1::/48",  # NAT64, local-use prefix
        "2002::/16",  # 6to4
        "2001::/32",  # Teredo
    )
)
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")


def is_public(address: IPAddress) -> bool:
    """True when ``address`` is a unicast address on the public internet (see the module doc)."""
    if address.is_multicast or address.is_unspecified or not address.is_global:
        return False
    if isinstance(address, ipaddress.IPv4Address):
        return address not in _THIS_NETWORK
    if address in _SITE_LOCAL:
        return False
    return not any(address in net for net in _EMBEDDING_IPV4)


def parse_address(text: str) -> IPAddress:
    """An address as a resolver gave it (an IPv6 zone ``%eth0`` is dropped: it only narrows)."""
    return ipaddress.ip_address(text.partition("%")[0])


def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's resolver, as ``getaddrinfo`` answers for a TCP connection."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def resolve_within(resolver: Resolver, host: str, port: int, seconds: float) -> Sequence[str]:
    """Run ``resolver`` for at most ``seconds``: ``getaddrinfo`` has no timeout of its own.

    The lookup runs in a daemon thread; one that overruns is left to finish on its own (its
    answer is dropped) and ``TimeoutError`` is raised.
    """
    answer: list[Sequence[str]] = []
    failure: list[BaseException] = []

    def lookup() -> None:
        try:
            answer.append(resolver(host, port))
        except BaseException as exc:  # handed to the caller's thread below
            failure.append(exc)

    thread = threading.Thread(target=lookup, name="outbound-resolve", daemon=True)
    thread.start()
    thread.join(max(seconds, 0.0))
    if failure:
        raise failure[0]
    if not answer:
        raise TimeoutError("name resolution timed out")
    return answer[0]
