"""Addresses and display values checked, and messages built only through ``EmailMessage``.

Every header is set through :class:`email.message.EmailMessage` with the SMTP policy, which
refuses a CR or LF in any header value; before that, :func:`check_address` and
:func:`check_value` refuse them (and other control characters) outright, so no name, address
or organization name can add a header or a recipient.
"""

from __future__ import annotations

import re
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from uuid import UUID

from service.wire import EMAIL_PATTERN

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(EMAIL_PATTERN)
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

MAX_ADDRESS = 254
MAX_VALUE = 1000


def check_address(address: str) -> str:
    """The address itself, or ValueError unless it is one plain ``local@domain.tld``."""
    if (
        not isinstance(address, str)
        or len(address) > MAX_ADDRESS
        or _CONTROL.search(address)
        or not _ADDRESS.fullmatch(address)
    ):
        raise ValueError("not a plausible e-mail address")
    return address


def check_value(field: str, value: str) -> str:
    """A display value (name, organization, link) without line breaks or control characters."""
    if not isinstance(value, str):
        raise ValueError(f"{field} must be text")
    if _CONTROL.search(value):
        raise ValueError(f"{field} must not contain line breaks or control characters")
    if len(value) > MAX_VALUE:
        raise ValueError(f"{field} is too long")
    return value


def sender_domain(sender: str) -> str:
    """The domain of MAIL_FROM (``no-reply@example.com`` or ``Name <no-reply@example.com>``)."""
    check_value("MAIL_FROM", sender)
    _name, address = parseaddr(sender)
    local, at, domain = address.rpartition("@")
    if not local or not at or not _DOMAIN.fullmatch(domain):
        raise ValueError(f"MAIL_FROM has no usable address: {sender!r}")
    return domain.lower()


def message_id(outbox_id: UUID, domain: str) -> str:
    """The RFC 5322 Message-ID for an outbox row, fixed when it is enqueued."""
    return f"<{outbox_id.hex}@{domain}>"


def build(
    *,
    sender: str,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    date: datetime,
) -> EmailMessage:
    """A multipart/alternative message (text, then HTML) with the given Message-ID."""
    check_address(recipient)
    check_value("subject", subject)
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
