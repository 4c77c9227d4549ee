"""A real SMTP server (aiosmtpd) in the test's own event loop, with scripted answers.

``SmtpSink`` is the handler: it answers 250 by default, 451 to the first
``temporary_failures`` DATA commands, 550 to recipients in ``reject``, can stall DATA for
``data_delay`` seconds on the first ``slow_datas`` messages, and records every message it
accepts with its Message-ID. ``SmtpServer`` listens on a free loopback port and can be
stopped and started again on the same port, to play a mail server that goes away.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    message: EmailMessage
    login: str | None

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        assert isinstance(body, EmailMessage), f"no text/{subtype} part"
        content = body.get_content()
        assert isinstance(content, str)
        return content

    @property
    def text(self) -> str:
        return self.part("plain")

    @property
    def html(self) -> str:
        return self.part("html")


@dataclass
class SmtpSink:
    temporary_failures: int = 0
    reject: set[str] = field(default_factory=set)
    data_delay: float = 0.0
    slow_datas: int = 0
    received: list[Received] = field(default_factory=list)
    data_commands: int = 0
    accounts: dict[str, str] = field(default_factory=dict)
    _event: asyncio.Event | None = field(default=None, repr=False)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.reject:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_commands += 1
        if self.slow_datas > 0:
            self.slow_datas -= 1
            await asyncio.sleep(self.data_delay)
            return "451 4.4.2 Took too long"
        if self.temporary_failures > 0:
            self.temporary_failures -= 1
            return "451 4.3.0 Try again later"
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.content)
        assert isinstance(parsed, EmailMessage)
        login = session.auth_data.login.decode() if session.auth_data else None
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, login))
        self._arrived().set()
        return "250 2.0.0 Accepted"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            login, password = data.login.decode(), data.password.decode()
            if self.accounts.get(login) == password:
                return AuthResult(success=True, auth_data=data)
        return AuthResult(success=False, handled=False)

    def counts(self) -> Counter[str]:
        """Message-ID -> how many times it was accepted."""
        return Counter(r.message_id for r in self.received)

    async def wait_for(self, count: int, within: float = 10.0) -> list[Received]:
        """The received messages once there are ``count``; fails after ``within`` seconds."""
        async with asyncio.timeout(within):
            while len(self.received) < count:
                await self._arrived().wait()
                self._arrived().clear()
        return self.received

    def _arrived(self) -> asyncio.Event:
        if self._event is None:
            self._event = asyncio.Event()
        return self._event


class SmtpServer:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink
        self.port = 0
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()

    def _protocol(self) -> SMTP:
        return SMTP(
            self.sink,
            hostname="localhost",
            authenticator=self.sink.authenticate,
            auth_require_tls=False,
            loop=asyncio.get_running_loop(),
        )


@asynccontextmanager
async def smtp_server(sink: SmtpSink | None = None) -> AsyncIterator[SmtpServer]:
    server = SmtpServer(sink or SmtpSink())
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
