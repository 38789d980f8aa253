"""The mail of a verified guest's sign-in link (``domain/guests.py`` makes and checks it)."""

from __future__ import annotations

from dataclasses import dataclass

from commentbox.domain import guests
from commentbox.domain.sites import load_site
from commentbox.errors import NotFound
from commentbox.mail.notify import render
from commentbox.mail.outbox import Mail, Outbox

NOT_OFFERED = "Signing in with a link by email is not offered here."


@dataclass(frozen=True)
class GuestLinks:
    """Who makes the links, the outbox that sends them, and where they point."""

    guests: guests.Guests
    outbox: Outbox
    base_url: str


def send_link(
    links: GuestLinks,
    site_id: str,
    login_id: str,
    email: str,
    name: str | None,
    request_origin: str | None,
    client_key: str,
) -> None:
    """Mail a one-time sign-in link to ``email``. Whether the address has commented is never
    asked, so the answer (and the time it takes) says nothing about it."""
    if not links.outbox.enabled:
        raise NotFound(NOT_OFFERED)
    site = load_site(links.guests.signins.db, site_id)
    token = guests.request_link(links.guests, site_id, login_id, email, name, request_origin, client_key)
    link = f"{links.base_url}/auth/email/{token}"
    text, html = render("guest_link", site=site.name, link=link, minutes=guests.LINK_MINUTES)
    links.outbox.enqueue(Mail(email, f"Your sign-in link for {site.name}", text, html, {}))
