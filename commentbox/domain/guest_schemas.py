"""The shapes of verified guests' requests and answers (``/api/v1/guests/...``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from commentbox.domain.guests import LINK_MINUTES
from commentbox.domain.schemas import CleanName, CleanText, Input, check_email, limits_in
from commentbox.store.models import MAX_ROW_ID

MAX_CLAIM = 200  # comments claimed in one request


class GuestVerify(Input):
    """``POST /api/v1/guests/verify``: mail a sign-in link to ``email`` for the page holding
    ``login`` (from ``POST /auth/logins``); ``name`` is the name to comment under."""

    site: Annotated[CleanText, Field(min_length=1, max_length=64)]
    login: Annotated[CleanText, Field(min_length=1, max_length=64)]
    email: CleanText
    name: CleanName | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str, info: ValidationInfo) -> str:
        return check_email(value, info)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None, info: ValidationInfo) -> str | None:
        limit = limits_in(info).name_chars
        if value is not None and len(value) > limit:
            raise ValueError(f"must be at most {limit} characters")
        return value or None


class LinkSent(BaseModel):
    """The one answer to every accepted request, whoever the address belongs to."""

    status: str = "sent"
    detail: str = (
        "If this address can receive mail, a sign-in link is on its way. "
        f"It works for {LINK_MINUTES} minutes."
    )


class GuestClaim(Input):
    """``POST /api/v1/guests/claim``: the guest comments (ids from ``GET``) to make one's own."""

    site: Annotated[CleanText, Field(min_length=1, max_length=64)]
    ids: Annotated[
        list[Annotated[int, Field(ge=1, le=MAX_ROW_ID)]], Field(min_length=1, max_length=MAX_CLAIM)
    ]


class Claimable(BaseModel):
    """One of the bearer's older guest comments, as the claim step lists it."""

    id: int
    url: str | None
    title: str | None
    created: datetime
    status: str
    excerpt: str


class ClaimableList(BaseModel):
    comments: list[Claimable]


class Claimed(BaseModel):
    claimed: list[int]
