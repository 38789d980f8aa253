"""What crosses the network: input shapes (validated at the edge) and public output shapes.

Responses are built only from the ``…Public`` shapes, which have no field for an email or an
IP address, so neither can leak by accident. Length limits that are settings arrive through
the validation context (``{"limits": Limits}``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from commentbox.domain.text import clean_name, clean_text, has_control, is_blank
from commentbox.domain.urls import InvalidURL, origin_of
from commentbox.store.models import MAX_ROW_ID

CleanText = Annotated[str, AfterValidator(clean_text)]
CleanName = Annotated[str, AfterValidator(clean_name)]


def _one_line(value: str) -> str:
    if has_control(value):
        raise ValueError("must not contain control characters")
    return value


OneLine = Annotated[str, AfterValidator(clean_text), AfterValidator(_one_line)]  # ids, addresses


@lru_cache(maxsize=4096)
def _normalized_email(value: str) -> str | None:
    """The address as ``email_validator`` normalizes it, or None; remembered, because the same
    commenters come back and validating costs more than the rest of a post's checks."""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


@dataclass(frozen=True)
class Limits:
    name_chars: int = 100
    body_chars: int = 10_000
    email_chars: int = 254
    website_chars: int = 2000


def limits_in(info: ValidationInfo) -> Limits:
    return (info.context or {}).get("limits", Limits())


def check_email(value: str, info: ValidationInfo) -> str:
    """A guest's address, normalized (``Ada@Example.COM`` → ``Ada@example.com``), or ValueError."""
    if len(value) > limits_in(info).email_chars:
        raise ValueError(f"must be at most {limits_in(info).email_chars} characters")
    normalized = _normalized_email(value.strip())
    if normalized is None:
        raise ValueError("is not a valid email address")
    return normalized


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, strict=True)


class GuestAuthor(Input):
    name: CleanName
    email: CleanText
    website: CleanText | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str, info: ValidationInfo) -> str:
        limit = limits_in(info).name_chars
        if not value:
            raise ValueError("must not be empty")
        if len(value) > limit:
            raise ValueError(f"must be at most {limit} characters")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str, info: ValidationInfo) -> str:
        return check_email(value, info)

    @field_validator("website")
    @classmethod
    def _website(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or not value.strip():
            return None
        value = _one_line(value.strip())
        if len(value) > limits_in(info).website_chars:
            raise ValueError(f"must be at most {limits_in(info).website_chars} characters")
        try:
            origin_of(value)
        except InvalidURL as exc:
            raise ValueError(f"must be an http or https address: {exc}") from None
        return value


def _check_body(value: str, info: ValidationInfo) -> str:
    limit = limits_in(info).body_chars
    if is_blank(value):
        raise ValueError("must not be empty")
    if len(value) > limit:
        raise ValueError(f"must be at most {limit} characters")
    return value


class CommentCreate(Input):
    """``POST /api/v1/comments``. ``author`` is for guests; signed-in visitors send a bearer."""

    site: Annotated[OneLine, Field(min_length=1, max_length=64)]
    url: Annotated[OneLine, Field(max_length=2000)] | None = None
    page_id: Annotated[OneLine, Field(min_length=1, max_length=200)] | None = None
    title: Annotated[CleanName, Field(max_length=300)] | None = None
    parent: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)
    body: CleanText
    author: GuestAuthor | None = None
    notify: bool = False  # "notify me of replies" (double opt-in for guests)
    hp: str | None = Field(default=None, max_length=2000)  # the form's honeypot field: humans leave it empty
    form_token: str | None = Field(
        default=None, max_length=500
    )  # from the site config: when the form was shown

    _body = field_validator("body")(_check_body)


class CommentEdit(Input):
    """``PATCH /api/v1/comments/{id}``."""

    body: CleanText

    _body = field_validator("body")(_check_body)


class Preview(Input):
    """``POST /api/v1/preview``: render Markdown as it would be stored, store nothing."""

    site: Annotated[CleanText, Field(min_length=1, max_length=64)]
    body: CleanText

    _body = field_validator("body")(_check_body)


class VoteCast(Input):
    value: Annotated[int, Field(ge=-1, le=1)]  # strict: neither true nor 1.0 is a vote


class AuthorPublic(BaseModel):
    name: str | None
    avatar: str | None
    provider: str | None
    website: str | None = None
    identicon: str | None = None  # a signed-in author's: where ``avatar`` falls back to


class ReplyTarget(BaseModel):
    """Set on replies shown flattened below the depth cap: whom they answer."""

    id: int
    name: str | None


class CommentPublic(BaseModel):
    id: int
    parent: int | None
    thread: int
    author: AuthorPublic
    html: str
    created: datetime
    edited: datetime | None
    score: int
    status: str | None = None
    deleted: bool = False
    pinned: bool = False
    kind: str | None = Field(
        default=None,
        description="pingback, trackback or webmention for a linkback (author: the source page's "
        "title, website: its URL); null for a comment",
    )
    in_reply_to: ReplyTarget | None = None
    replies: list[CommentPublic] = []


class CommentCreated(CommentPublic):
    """A new comment as answered to its author: with the guest's edit token, and when editing
    ends (for signed-in authors only where the site sets a window)."""

    edit_token: str | None = None
    edit_until: datetime | None = None


class OwnComment(BaseModel):
    """One of the signed-in viewer's comments in a thread, as ``GET /api/v1/me/comments``
    lists it: what the widget needs to offer Edit and Delete on any device."""

    id: int
    status: str  # approved | pending
    body: str = Field(description="the Markdown source, for the edit box")
    edit_until: datetime | None = Field(description="when editing ends; null: no limit (deleting has none)")


class OwnComments(BaseModel):
    comments: list[OwnComment]


class ThreadPublic(BaseModel):
    id: int | None
    site: str
    url: str | None
    page_id: str | None = None
    title: str
    count: int
    locked: bool = False  # closed to new comments (by a moderator, or by age)


class ThreadPage(BaseModel):
    thread: ThreadPublic
    comments: list[CommentPublic]
    next: str | None


class Counts(BaseModel):
    counts: dict[str, int]


class SiteConfig(BaseModel):
    site: str
    name: str
    providers: list[str]
    moderation: str
    edit_window_seconds: int
    user_edit_window_seconds: int = 0  # signed-in authors; 0 = no limit
    allow_images: bool
    email_sign_in: bool = Field(
        default=False,
        description="guests may verify their address by a mailed link (POST /api/v1/guests/verify)",
    )
    limits: dict[str, int]
    form_token: str = Field(description="send back with a new comment (proves the form was shown)")


class PreviewRendered(BaseModel):
    html: str


class LoginCreate(Input):
    """``POST /auth/logins``: the page asking for a one-time login id, and its origin."""

    site: Annotated[CleanText, Field(min_length=1, max_length=64)]
    origin: Annotated[CleanText, Field(min_length=1, max_length=300)]


class LoginIssued(BaseModel):
    login: str
    expires: datetime


class Identity(BaseModel):
    """A signed-in person as the widget shows them (never an email)."""

    name: str
    avatar: str | None
    provider: str
    identicon: str  # the generated avatar the widget shows when ``avatar`` fails to load


class LoginRedeemed(BaseModel):
    token: str
    user: Identity


class Me(Identity):
    """``GET /api/v1/me``: the bearer's identity, and the site its token is bound to."""

    site: str
