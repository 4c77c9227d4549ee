"""What to send: one verb per kind of mail, each rendered and enqueued in the caller's transaction.

A verb writes one outbox row on the connection it is given, which must be inside the
transaction that makes the change the mail reports: if that transaction rolls back, the mail
never existed. Links are built only from ``PUBLIC_BASE_URL``, never from a request.

Mail that a request can cause for an address it has not proven (a link, a notice, an
invitation) is capped per recipient at ``MAIL_PER_RECIPIENT_PER_HOUR``: past the cap the verb
does everything but queue the row, so the request answers exactly as usual and nobody can use
the service to flood an inbox.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from urllib.parse import quote
from uuid import UUID

import asyncpg

from service.config import Settings
from service.ids import uuid7
from service.mail import message, outbox
from service.mail.render import TEMPLATES, Rendered
from service.throttle.counters import Throttle
from service.throttle.policy import recipient_rule

VERIFY_PATH = "/auth/verify-email"
RESET_PATH = "/auth/reset-password"
INVITATION_PATH = "/auth/invitations/accept"
DOCS_PATH = "/schema/swagger"
# What follows a link the recipient already used (a changed password, a welcome) is not capped.
CAPPED = frozenset(
    {
        "verify_email",
        "already_registered",
        "password_reset",
        "set_password",
        "added_to_organization",
        "invitation",
    }
)
log = logging.getLogger("service.mail")


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self._base = settings.public_base_url.rstrip("/")
        self._sender = settings.mail_from
        self._domain = message.sender_domain(settings.mail_from)
        self._per_recipient = settings.mail_per_recipient_per_hour

    async def verify_email(
        self, conn: asyncpg.Connection, *, to: str, name: str, organization_name: str, token: str
    ) -> UUID:
        link = self.link(VERIFY_PATH, token)
        return await self._enqueue(
            conn, "verify_email", to, name=name, organization_name=organization_name, link=link
        )

    async def already_registered(self, conn: asyncpg.Connection, *, to: str, name: str) -> UUID:
        """The notice carries nothing the registrant typed: a stranger's text never reaches
        someone else's inbox."""
        return await self._enqueue(conn, "already_registered", to, name=name)

    async def password_reset(
        self, conn: asyncpg.Connection, *, to: str, name: str, organization_name: str, token: str
    ) -> UUID:
        link = self.link(RESET_PATH, token)
        return await self._enqueue(
            conn, "password_reset", to, name=name, organization_name=organization_name, link=link
        )

    async def password_changed(
        self, conn: asyncpg.Connection, *, to: str, name: str, organization_name: str
    ) -> UUID:
        return await self._enqueue(
            conn, "password_changed", to, name=name, organization_name=organization_name
        )

    async def mfa_changed(
        self, conn: asyncpg.Connection, *, to: str, name: str, change: str
    ) -> UUID:
        """A notice that the account's second factors changed (never capped: it is the
        person's one warning when someone else did it)."""
        return await self._enqueue(conn, "mfa_changed", to, name=name, change=change)

    async def mfa_reset(
        self, conn: asyncpg.Connection, *, to: str, name: str, organization_name: str
    ) -> UUID:
        return await self._enqueue(
            conn, "mfa_reset", to, name=name, organization_name=organization_name
        )

    async def set_password(
        self, conn: asyncpg.Connection, *, to: str, name: str, organization_name: str, token: str
    ) -> UUID:
        link = self.link(RESET_PATH, token)
        return await self._enqueue(
            conn, "set_password", to, name=name, organization_name=organization_name, link=link
        )

    async def added_to_organization(
        self, conn: asyncpg.Connection, *, to: str, name: str, organization_name: str
    ) -> UUID:
        return await self._enqueue(
            conn, "added_to_organization", to, name=name, organization_name=organization_name
        )

    async def welcome(
        self, conn: asyncpg.Connection, *, to: str, name: str, organization_name: str
    ) -> UUID:
        """The sandbox welcome; whether to send it (APP_ENV=sandbox) is the caller's call."""
        docs = f"{self._base}{DOCS_PATH}"
        return await self._enqueue(
            conn, "welcome", to, name=name, organization_name=organization_name, docs_link=docs
        )

    async def invitation(
        self,
        conn: asyncpg.Connection,
        *,
        to: str,
        organization_name: str,
        inviter_name: str,
        role_name: str,
        token: str,
        expires_days: int,
    ) -> UUID:
        if expires_days < 1:
            raise ValueError("expires_days must be at least 1")
        return await self._enqueue(
            conn,
            "invitation",
            to,
            organization_name=organization_name,
            inviter_name=inviter_name,
            role_name=role_name,
            link=self.link(INVITATION_PATH, token),
            expires_in="1 day" if expires_days == 1 else f"{expires_days} days",
        )

    def link(self, path: str, token: str) -> str:
        """``PUBLIC_BASE_URL`` + path + the URL-encoded token."""
        if not token or not token.isprintable() or any(c.isspace() for c in token):
            raise ValueError("token must be non-empty printable text without spaces")
        return f"{self._base}{path}?token={quote(token, safe='')}"

    def render(self, template: str, to: str, **context: str) -> Rendered:
        """Check every value and render; raises ValueError for anything unsafe."""
        message.check_address(to)
        for key, value in context.items():
            message.check_value(key, value)
        rendered = TEMPLATES[template].render(context)
        message.check_value("subject", rendered.subject)
        return rendered

    async def _enqueue(self, conn: asyncpg.Connection, template: str, to: str, **ctx: str) -> UUID:
        if not conn.is_in_transaction():
            raise RuntimeError("enqueue mail inside the transaction of the change it reports")
        rendered = self.render(template, to, **ctx)
        outbox_id = uuid7()
        message_id = message.message_id(outbox_id, self._domain)
        # Build it once now, as the worker will, so a message that cannot be sent is refused
        # here, in the request that asked for it.
        message.build(
            sender=self._sender,
            recipient=to,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            message_id=message_id,
            date=datetime.now(UTC),
        )
        if template in CAPPED and not await Throttle.take(
            conn, recipient_rule(to, self._per_recipient)
        ):
            log.warning("mail.recipient_capped", extra={"fields": {"template": template}})
            return outbox_id
        await outbox.enqueue(
            conn,
            outbox_id=outbox_id,
            message_id=message_id,
            recipient=to,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            template=template,
        )
        return outbox_id
