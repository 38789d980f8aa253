"""Pingback 1.0 (XML-RPC ``pingback.ping``): the call parsed with defusedxml, the same
checks and verification as a Webmention, answered with the spec's fault codes.

A pingback is answered synchronously (the caller learns whether it was registered), so
the source is fetched within the request, at most the fetcher's 5 s, after the same cheap
checks and the same per-host budget as a Webmention. The XML is parsed with defusedxml:
a DTD, an entity declaration (billion laughs) or an external entity is refused before
anything is expanded, and the body is capped before parsing.
"""

from __future__ import annotations

import xmlrpc.client
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from commentbox.errors import CommentboxError, LinkbackRefused, NotFound, RateLimited
from commentbox.linkbacks import receiving
from commentbox.linkbacks.verifying import Outcome, verify
from commentbox.store import linkbacks as stored
from commentbox.store.models import LinkbackKind, LinkbackState

MAX_CALL_BYTES = 16 * 1024

# The spec's fault codes (https://www.hixie.ch/specs/pingback/pingback), and XML-RPC's own.
SOURCE_NOT_FOUND = 0x0010
NO_LINK = 0x0011
TARGET_REFUSED = 0x0021
ALREADY_REGISTERED = 0x0030
ACCESS_DENIED = 0x0031
UPSTREAM = 0x0032
NOT_WELL_FORMED = -32700
NO_SUCH_METHOD = -32601
BAD_PARAMS = -32602


@dataclass(frozen=True)
class Fault(Exception):
    """An XML-RPC fault to answer: one of the codes above and a sentence."""

    code: int
    message: str


TOO_LARGE = Fault(NOT_WELL_FORMED, "The call is larger than a pingback can be.")


def parse_call(body: bytes) -> tuple[str, str]:
    """``(source, target)`` of a ``pingback.ping`` call, or a ``Fault``."""
    if len(body) > MAX_CALL_BYTES:
        raise TOO_LARGE
    try:
        root = fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError):
        raise Fault(NOT_WELL_FORMED, "The call is not well-formed XML-RPC.") from None
    if root.tag != "methodCall":
        raise Fault(NOT_WELL_FORMED, "The call is not an XML-RPC methodCall.")
    if (root.findtext("methodName") or "").strip() != "pingback.ping":
        raise Fault(NO_SUCH_METHOD, "This endpoint answers pingback.ping only.")
    values = [_string(value) for value in root.findall("./params/param/value")]
    if len(values) != 2 or not all(values):
        raise Fault(BAD_PARAMS, "pingback.ping takes two strings: the source URI and the target URI.")
    return values[0], values[1]  # type: ignore[return-value]


def _string(value: Element) -> str | None:
    """An XML-RPC string value: ``<value><string>x</string></value>`` or bare ``<value>x</value>``."""
    children = list(value)
    if not children:
        return value.text or ""
    if len(children) == 1 and children[0].tag == "string":
        return children[0].text or ""
    return None


def ping(linkbacks: receiving.Linkbacks, site_id: str, source: str, target: str) -> str:
    """Register a pingback (checked, charged, verified at once), or raise a ``Fault``."""
    try:
        found = receiving.find_target(linkbacks.db, site_id, source, target)
    except NotFound:
        raise Fault(TARGET_REFUSED, "There is no such site here.") from None
    except LinkbackRefused as refused:
        raise Fault(TARGET_REFUSED, refused.detail) from None
    with linkbacks.db.read() as session:
        known = stored.linkback_for(session, found.thread.id, found.source)  # type: ignore[arg-type]
    if known is not None and known.state == LinkbackState.VERIFIED:
        raise Fault(ALREADY_REGISTERED, "The pingback has already been registered.")
    try:
        receiving.charge(linkbacks, found.site.id, found.source)
    except RateLimited as limited:
        raise Fault(ACCESS_DENIED, limited.detail) from None
    row = receiving.enqueue(linkbacks, found, LinkbackKind.PINGBACK, verify_now=True)
    verified = verify(linkbacks, row.id)  # type: ignore[arg-type]
    if verified.outcome is Outcome.SHOWN:
        return "Thanks for the pingback: it is registered."
    if verified.outcome is Outcome.NO_LINK:
        raise Fault(NO_LINK, "The source URI does not contain a link to the target URI.")
    if verified.outcome is Outcome.RETRY:
        raise Fault(UPSTREAM, f"The source could not be fetched ({verified.reason}); it will be tried again.")
    raise Fault(SOURCE_NOT_FOUND, f"The source URI could not be used ({verified.reason}).")


def refusal(fault: Fault) -> bytes:
    """A fault as an XML-RPC response."""
    return xmlrpc.client.dumps(xmlrpc.client.Fault(fault.code, fault.message), methodresponse=True).encode()


def answer(linkbacks: receiving.Linkbacks, site_id: str, body: bytes) -> bytes:
    """The XML-RPC response to a call: a string on success, else a fault struct."""
    try:
        source, target = parse_call(body)
        return xmlrpc.client.dumps((ping(linkbacks, site_id, source, target),), methodresponse=True).encode()
    except Fault as fault:
        return refusal(fault)
    except CommentboxError as error:  # e.g. the database is busy: the generic fault
        return refusal(Fault(0, error.detail))
