"""Linkbacks received from other sites: Webmention and pingback."""

from __future__ import annotations

from commentbox.http.openapi.operation import SITE_PATH, Operation
from commentbox.linkbacks.receiving import LinkbackStatus, WebmentionSent

LINKBACK_OPERATIONS: list[Operation] = [
    Operation(
        "post",
        "/webmention/{site}",
        "Receive a Webmention (W3C): checked at once, the source verified in the background",
        (SITE_PATH,),
        body=WebmentionSent,
        body_media="application/x-www-form-urlencoded",
        responses={202: LinkbackStatus, 400: "refused (problem details)", 429: "the host's budget is spent"},
        tag="linkbacks",
    ),
    Operation(
        "get",
        "/webmention/{site}/{token}",
        "Where verifying a Webmention stands (the 202's Location)",
        (SITE_PATH, ("token", "path", True, "from the Location header")),
        responses={200: LinkbackStatus, 404: "no such Webmention"},
        tag="linkbacks",
    ),
    Operation(
        "post",
        "/pingback/{site}",
        "Receive a pingback: an XML-RPC `pingback.ping(source, target)` call (text/xml), verified at once",
        (SITE_PATH,),
        responses={200: "an XML-RPC response: a string, or a fault with the Pingback 1.0 codes"},
        tag="linkbacks",
    ),
]
