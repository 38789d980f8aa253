"""Site owners' webhook endpoints: register, list with their delivery log, remove.

A URL is checked for shape here (``http``/``https``, a host, no credentials, at most 2,000
characters), with one sentence saying what is wrong. Where it points is checked by the
safe fetcher at every delivery (``outbound/``): a name can resolve elsewhere tomorrow, so a
private address is refused then, and the refusal shows in the delivery log.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlmodel import Session

from commentbox.domain.sites import get_site
from commentbox.domain.urls import MAX_URL_CHARS
from commentbox.errors import Conflict, InvalidInput, NotFound
from commentbox.store import rows
from commentbox.store import webhooks as stored
from commentbox.store.db import Database
from commentbox.store.models import WebhookDelivery, WebhookEndpoint
from commentbox.webhooks.events import WebhookEvent
from commentbox.webhooks.signing import new_secret

MAX_ENDPOINTS = 20  # per site: enough for any real setup, too few to make a delivery flood
LOG_LENGTH = 20  # deliveries shown per endpoint


@dataclass(frozen=True)
class EndpointLog:
    endpoint: WebhookEndpoint
    deliveries: Sequence[WebhookDelivery]

    @property
    def events(self) -> list[str]:
        return self.endpoint.events.split()


def check_url(url: str) -> str:
    """The endpoint URL, trimmed, or ``InvalidInput`` saying what is wrong with it."""
    url = url.strip()
    if not url:
        raise InvalidInput("Give the endpoint's URL.", field="url")
    if len(url) > MAX_URL_CHARS:
        raise InvalidInput(f"The endpoint URL is at most {MAX_URL_CHARS} characters.", field="url")
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in url):
        raise InvalidInput("The endpoint URL must not contain spaces or control characters.", field="url")
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port  # a bad port raises here
    except ValueError:
        raise InvalidInput("The endpoint URL is not a valid URL.", field="url") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidInput("The endpoint URL must start with https:// (or http://).", field="url")
    if not host:
        raise InvalidInput("The endpoint URL must name a host.", field="url")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("The endpoint URL must not carry a user name or password.", field="url")
    return url


def check_events(names: Iterable[str]) -> list[str]:
    """The chosen event names, known ones only, in their documented order."""
    chosen = {name.strip() for name in names if name.strip()}
    unknown = chosen - {e.value for e in WebhookEvent}
    if unknown:
        known = ", ".join(e.value for e in WebhookEvent)
        raise InvalidInput(f"Unknown event {sorted(unknown)[0]!r}; choose from {known}.", field="events")
    if not chosen:
        raise InvalidInput("Choose at least one event.", field="events")
    return [e.value for e in WebhookEvent if e.value in chosen]


def add_endpoint(db: Database, site_id: str, url: str, events: Iterable[str]) -> WebhookEndpoint:
    """Register an endpoint with a new secret (the owner gives it to their receiver)."""
    url, chosen = check_url(url), check_events(events)
    with db.write() as session:
        get_site(session, site_id)
        if stored.count_endpoints(session, site_id) >= MAX_ENDPOINTS:
            raise Conflict(f"A site has at most {MAX_ENDPOINTS} webhook endpoints; remove one first.")
        endpoint = WebhookEndpoint(site_id=site_id, url=url, secret=new_secret(), events=" ".join(chosen))
        stored.add_endpoint(session, endpoint)
        _note_events(session, site_id)
        return endpoint


def endpoint(db: Database, endpoint_id: int, site_id: str | None = None) -> WebhookEndpoint:
    """The endpoint; ``NotFound`` if there is none, or it belongs to another site than ``site_id``."""
    with db.read() as session:
        found = stored.endpoint_by_id(session, endpoint_id)
    if found is None or (site_id is not None and found.site_id != site_id):
        raise NotFound("There is no such webhook endpoint.")
    return found


def endpoints(db: Database, site_id: str) -> list[EndpointLog]:
    """The site's endpoints, each with its latest deliveries (newest first)."""
    with db.read() as session:
        get_site(session, site_id)
        return [
            EndpointLog(found, stored.recent_deliveries(session, found.id, LOG_LENGTH))  # type: ignore[arg-type]
            for found in stored.endpoints_of(session, site_id)
        ]


def remove_endpoint(db: Database, endpoint_id: int, site_id: str | None = None) -> WebhookEndpoint:
    """Remove the endpoint and its queued deliveries and log (``NotFound`` as ``endpoint``)."""
    with db.write() as session:
        found = stored.endpoint_by_id(session, endpoint_id)
        if found is None or (site_id is not None and found.site_id != site_id):
            raise NotFound("There is no such webhook endpoint.")
        rows.remove(session, found)
        _note_events(session, site_id=found.site_id)
    return found


def set_enabled(db: Database, endpoint_id: int, enabled: bool, site_id: str | None = None) -> WebhookEndpoint:
    """Pause or resume an endpoint: a disabled one is sent no new events, and what was
    queued for it is given up at its next attempt (``NotFound`` as ``endpoint``)."""
    with db.write() as session:
        found = stored.endpoint_by_id(session, endpoint_id)
        if found is None or (site_id is not None and found.site_id != site_id):
            raise NotFound("There is no such webhook endpoint.")
        found.enabled = enabled
        rows.save(session, found)
        _note_events(session, found.site_id)
    return found


def _note_events(session: Session, site_id: str) -> None:
    """Keep ``site.webhook_events`` the union of its enabled endpoints' events. Saved through
    the ORM, so the site's version moves and every instance's copy of the site follows
    (the post path skips webhooks for a site whose copy lists none)."""
    site = get_site(session, site_id)
    heard = {
        name
        for found in stored.endpoints_of(session, site_id)
        if found.enabled
        for name in found.events.split()
    }
    site.webhook_events = " ".join(e.value for e in WebhookEvent if e.value in heard)
    rows.save(session, site)
