"""How mail leaves: over SMTP, or into the log when no SMTP server is configured.

A transport either returns (the server took the message) or raises :class:`DeliveryError`,
which says whether trying again later can help: SMTP 4xx replies, refused or dropped
connections and timeouts are temporary; 5xx replies are permanent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from service.config import Settings
from service.deployment import starttls_mode

log = logging.getLogger("service.mail")

DEFAULT_TIMEOUT = 30.0
_LINK = re.compile(r"https?://[^\s<>\"]+")


class DeliveryError(Exception):
    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason[:500]
        self.permanent = permanent


class Transport(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmtpTransport:
    """``smtps://user:pass@host:port`` (implicit TLS) or ``smtp://host:port``, which upgrades
    with STARTTLS whenever the server offers it; with ``?starttls=required`` a server that
    does not offer it gets neither the credentials nor the message (a temporary failure).

    ``timeout`` bounds the whole conversation with the server for one message, so a server
    that stalls cannot hold a worker; the connection is closed when it runs out.
    """

    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://host:port or smtps://host:port")
        self.hostname = parts.hostname
        self.use_tls = parts.scheme == "smtps"
        # None: STARTTLS when offered (aiosmtplib's opportunistic mode); True: or nothing.
        self.start_tls: bool | None = None
        if not self.use_tls:
            self.start_tls = True if starttls_mode(url) == "required" else None
        self.port = parts.port or (465 if self.use_tls else 25)
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self.timeout = timeout

    def __repr__(self) -> str:  # never the password
        scheme = "smtps" if self.use_tls else "smtp"
        required = "?starttls=required" if self.start_tls else ""
        return f"SmtpTransport({scheme}://{self.hostname}:{self.port}{required})"

    async def send(self, message: EmailMessage) -> None:
        client = aiosmtplib.SMTP(
            hostname=self.hostname,
            port=self.port,
            username=self._username,
            password=self._password,
            use_tls=self.use_tls,
            start_tls=self.start_tls,
            timeout=self.timeout,
        )
        try:
            async with asyncio.timeout(self.timeout):
                await client.connect()
                await client.send_message(message)
                with contextlib.suppress(aiosmtplib.SMTPException):
                    await client.quit()
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refused.code for refused in exc.recipients]
            reason = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            raise DeliveryError(reason, permanent=all(_permanent(c) for c in codes)) from None
        except aiosmtplib.SMTPAuthenticationError as exc:
            # The server refuses our credentials: a fault of configuration, not of the message.
            raise DeliveryError(
                f"authentication: {exc.code} {exc.message}", permanent=False
            ) from None
        except aiosmtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"{exc.code} {exc.message}", permanent=_permanent(exc.code)
            ) from None
        except TimeoutError:
            raise DeliveryError(f"no answer within {self.timeout:g} s", permanent=False) from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
            raise DeliveryError(reason, permanent=False) from None
        finally:
            # Cut a conversation that ran out of time at once (a polite QUIT would wait
            # behind the stalled reply): a server that has not answered our DATA by then must
            # not be able to accept the message late while we send it again.
            client.close()


def _permanent(code: int) -> bool:
    return 500 <= code <= 599


class LogTransport:
    """Writes each message to the log instead of sending it (SMTP_URL unset).

    With ``reveal`` (development on a loopback HOST only) one ``mail.logged`` event carries the
    recipient, the subject, the plain-text part and its links, so they can be followed from
    the log.
    The links sit in structured fields, which the log formatter writes as they are; the event
    text itself is redacted as usual. Without ``reveal`` nothing of the message but its
    Message-ID is written, and a warning says the mail went nowhere.

    With ``reveal`` and a ``folder``, each message is also kept there as a small text file
    (recipient, subject and the plain-text part), named by the time it was written and its
    recipient, so that a script can pick the newest link for an address.
    """

    def __init__(self, *, reveal: bool, folder: Path | None = None) -> None:
        self.reveal = reveal
        self.folder = folder if reveal else None

    async def send(self, message: EmailMessage) -> None:
        if not self.reveal:
            log.warning(
                "mail.not_delivered",
                extra={"fields": {"messageId": message["Message-ID"], "reason": "SMTP_URL unset"}},
            )
            return
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if isinstance(body, EmailMessage) else ""
        kept: Path | None = None
        if self.folder is not None:
            kept = await asyncio.to_thread(_keep, self.folder, message, text)
        links = _LINK.findall(text)
        block = [
            "(SMTP_URL is unset: this mail was written here, not sent)",
            f"To:      {message['To']}",
            f"Subject: {message['Subject']}",
        ]
        block += [f"Link:    {link}" for link in links]
        if kept is not None:
            block.append(f"Kept in {kept}")
        log.info(
            "mail.logged",
            extra={
                "block": block,
                "fields": {
                    "notice": "SMTP_URL is unset: this mail was written here, not sent",
                    "to": message["To"],
                    "subject": message["Subject"],
                    "messageId": message["Message-ID"],
                    "links": links,
                    "text": text,
                },
            },
        )


def transport_from_settings(settings: Settings, *, timeout: float = DEFAULT_TIMEOUT) -> Transport:
    """SMTP when SMTP_URL is set; otherwise the log (links shown only in development on a
    loopback HOST, where each message is also kept under ``DATA_DIR/mail/``)."""
    if settings.smtp_url:
        return SmtpTransport(settings.smtp_url, timeout=timeout)
    return LogTransport(reveal=settings.reveals_links, folder=settings.data_dir / MAIL_FOLDER)


MAIL_FOLDER = "mail"


def _keep(folder: Path, message: EmailMessage, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    moment = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    recipient = re.sub(r"[^A-Za-z0-9@._+-]", "_", str(message["To"]))[:100]
    content = f"To: {message['To']}\nSubject: {message['Subject']}\n\n{text}"
    kept = folder / f"{moment}-{recipient}.txt"
    kept.write_text(content, encoding="utf-8")
    return kept
