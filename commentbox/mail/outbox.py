"""Email by SMTP (aiosmtplib), through an outbox table so that nothing is lost.

Writers call ``Outbox.enqueue`` (synchronous, from the thread pool, after their own commit);
one background task per app instance (``runtime/pump.py``) sends what is due and retries failures with
exponential backoff. Mail waits in the database, so a restart, a crash or a slow mail
server never loses a message or slows a request. Instances share the table: each claims a
message by moving its ``next_attempt`` forward in one conditional UPDATE, so two
instances never send the same message.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

import aiosmtplib

from commentbox.config import Settings
from commentbox.runtime.offload import blocking
from commentbox.runtime.pump import Pump
from commentbox.store import mail as stored_mail
from commentbox.store import rows as stored_rows
from commentbox.store.db import Database
from commentbox.store.models import OutboxMail, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BATCH = 20
CLAIM_SECONDS = 300  # a claimed message is retried after this if its sender died mid-send


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]


class Outbox:
    def __init__(self, db: Database, settings: Settings) -> None:
        self._db = db
        self._settings = settings
        self._pump = Pump(
            "outbox", self.send_due, poll=settings.smtp_retry_seconds, grace=settings.smtp_timeout + 5
        )

    @property
    def enabled(self) -> bool:
        return bool(self._settings.smtp_host)

    def enqueue(self, mail: Mail) -> None:
        """Store ``mail`` for the sender (a no-op when no SMTP server is configured)."""
        if not self.enabled:
            return
        with self._db.write() as session:
            stored_rows.save(
                session,
                OutboxMail(
                    recipient=mail.to,
                    subject=mail.subject[:300],
                    text=mail.text,
                    html=mail.html,
                    headers=mail.headers,
                ),
            )
        self._pump.wake()

    # The background sender ----------------------------------------------------------------

    async def run(self) -> None:
        """Send due mail until stopped; wakes on new mail or every retry interval."""
        await self._pump.run()

    async def stop(self, task: asyncio.Task[None]) -> None:
        """Let the sender finish the message in hand, then end it; unsent mail stays in the
        outbox for the next start."""
        await self._pump.stop(task)

    async def send_due(self) -> int:
        """Send one batch of due messages; returns how many were attempted."""
        due = await blocking(self._claim)
        for row in due:
            try:
                await self._send(row)
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                await blocking(self._failed, row, f"{type(exc).__name__}: {exc}")
            else:
                await blocking(self._sent, row)
        return len(due)

    def _claim(self) -> list[OutboxMail]:
        now = utcnow()
        with self._db.write() as session:
            rows = stored_mail.due_mail(session, now, BATCH)
            claimed = []
            for row in rows:
                lease = now + timedelta(seconds=CLAIM_SECONDS)
                if stored_mail.claim_mail(session, row.id, row.next_attempt, lease):  # type: ignore[arg-type]
                    claimed.append(row)
            return claimed

    def _sent(self, row: OutboxMail) -> None:
        with self._db.write() as session:
            stored_mail.mail_sent(session, row.id, utcnow())  # type: ignore[arg-type]

    def _failed(self, row: OutboxMail, error: str) -> None:
        attempts = row.attempts + 1
        give_up = attempts >= MAX_ATTEMPTS
        delay = self._settings.smtp_retry_seconds * 2 ** (attempts - 1)
        log.warning("mail %s to the SMTP server failed (attempt %d): %s", row.id, attempts, error)
        with self._db.write() as session:
            stored_mail.mail_failed(
                session,
                row.id,  # type: ignore[arg-type]
                attempts=attempts,
                next_attempt=utcnow() + timedelta(seconds=min(delay, 6 * 3600)),
                error=error[:500],
                give_up=give_up,
            )

    async def _send(self, row: OutboxMail) -> None:
        settings = self._settings
        message = EmailMessage()
        message["From"] = settings.mail_from
        message["To"] = row.recipient
        message["Subject"] = row.subject
        message["Date"] = format_datetime(utcnow())
        message["Message-ID"] = make_msgid(domain=parseaddr(settings.mail_from)[1].partition("@")[2] or None)
        message["Auto-Submitted"] = "auto-generated"
        for name, value in row.headers.items():
            message[name] = value
        message.set_content(row.text)
        message.add_alternative(row.html, subtype="html")
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=password,
            use_tls=settings.smtp_security == "tls",
            start_tls=settings.smtp_security == "starttls",
            cert_bundle=settings.smtp_ca_file or None,
            timeout=settings.smtp_timeout,
        )
