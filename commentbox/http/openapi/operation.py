"""One documented operation, and the parameters and answers several surfaces share."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel


@dataclass(frozen=True)
class Operation:
    """One method on one path: what the surface's table says, and what ``document`` turns into JSON."""

    method: str
    path: str
    summary: str
    params: tuple[tuple[str, str, bool, str], ...] = ()  # (name, in, required, description)
    body: type[BaseModel] | None = None
    responses: dict[int, type[BaseModel] | str] = field(default_factory=dict)
    tag: str = "api"
    body_media: str = "application/json"


SITE = ("site", "query", True, "the site id")
SITE_PATH = ("site", "path", True, "the site id")
HTML = "text/html"
