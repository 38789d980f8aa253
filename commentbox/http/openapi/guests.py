"""Verified guests: a one-time mailed link instead of a provider, and claiming one's older
guest comments."""

from __future__ import annotations

from commentbox.domain.guest_schemas import ClaimableList, Claimed, GuestClaim, GuestVerify, LinkSent
from commentbox.http.openapi.operation import HTML, SITE, Operation

_LINK_TOKEN = ("token", "path", True, "the token of the mailed link")

GUEST_OPERATIONS: list[Operation] = [
    Operation(
        "post",
        "/api/v1/guests/verify",
        "Mail a one-time sign-in link (30 minutes) for the page holding `login`; the same 202 "
        "for every address",
        body=GuestVerify,
        responses={202: LinkSent, 403: "another page's login id", 404: "unknown login id, or no mail here"},
        tag="guests",
    ),
    Operation(
        "get",
        "/api/v1/guests/claim",
        "A verified guest's older guest comments on the site (same address, nobody's yet)",
        (SITE,),
        responses={200: ClaimableList, 401: "not signed in", 403: "not a verified guest"},
        tag="guests",
    ),
    Operation(
        "post",
        "/api/v1/guests/claim",
        "Make exactly the chosen comments the verified guest's (all or none)",
        body=GuestClaim,
        responses={200: Claimed, 401: "not signed in", 403: "an id that is not theirs to claim"},
        tag="guests",
    ),
    Operation(
        "get",
        "/auth/email/{token}",
        "The mailed link's page: a button (a GET signs nobody in, as mail scanners fetch links)",
        (_LINK_TOKEN,),
        responses={
            200: HTML,
            404: "not valid (HTML)",
            410: "used, replaced or older than 30 minutes (HTML)",
        },
        tag="guests",
    ),
    Operation(
        "post",
        "/auth/email/{token}",
        "The button (same-origin form): signs in the page that asked, which collects the session "
        "with POST /auth/logins/{login}/redeem",
        (_LINK_TOKEN,),
        responses={200: HTML, 403: HTML, 404: HTML, 410: HTML},
        tag="guests",
    ),
]
