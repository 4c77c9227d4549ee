"""The harness's SMTP server (aiosmtpd in the harness's event loop) with scripted misbehaviour.

It can go away and come back on the same port, answer 451 to the next DATA commands, 550 to
messages for chosen recipients, stall DATA, await a hook just before it answers 250 (to lock
a table, say) and call one the moment it has answered (to kill the process that is sending).
It records every message it accepted: a message counts as accepted only when its 250 could
still reach the client.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.smtp import SMTP


@dataclass(frozen=True)
class Accepted:
    message_id: str
    recipients: tuple[str, ...]
    at: float
    text: str


@dataclass
class Sink:
    temporary_next: int = 0
    reject: set[str] = field(default_factory=set)
    slow_next: int = 0
    slow_seconds: float = 30.0
    on_accept: Callable[[Accepted], None] | None = None
    before_accept: Callable[[], Awaitable[None]] | None = None
    accepted: list[Accepted] = field(default_factory=list)
    answers: Counter[str] = field(default_factory=Counter)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.slow_next > 0:
            self.slow_next -= 1
            self.answers["stalled"] += 1
            try:
                await asyncio.sleep(self.slow_seconds)
            except asyncio.CancelledError:  # aiosmtpd: the client hung up
                self.answers["dropped"] += 1
                raise
            transport = server.transport
            if transport is None or transport.is_closing():
                self.answers["dropped"] += 1  # the client gave up: nothing was accepted
                return "451 4.4.2 Too late"
        if self.temporary_next > 0:
            self.temporary_next -= 1
            self.answers["451"] += 1
            return "451 4.3.0 Try again later"
        if set(envelope.rcpt_tos) & self.reject:
            self.answers["550"] += 1
            return "550 5.1.1 No such mailbox here"
        if self.before_accept is not None:
            await self.before_accept()
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.content)
        assert isinstance(parsed, EmailMessage)
        body = parsed.get_body(preferencelist=("plain",))
        accepted = Accepted(
            message_id=str(parsed["Message-ID"]),
            recipients=tuple(envelope.rcpt_tos),
            at=time.monotonic(),
            text=str(body.get_content()) if isinstance(body, EmailMessage) else "",
        )
        self.accepted.append(accepted)
        self.answers["250"] += 1
        if self.on_accept is not None:
            # After the 250 has been written: aiosmtpd pushes it as soon as this returns.
            asyncio.get_running_loop().call_soon(self.on_accept, accepted)
        return "250 2.0.0 Accepted"

    def counts(self) -> Counter[str]:
        """Message-ID -> how many times it was accepted."""
        return Counter(a.message_id for a in self.accepted)

    def clear(self) -> None:
        self.accepted.clear()
        self.answers.clear()
        self.temporary_next = 0
        self.slow_next = 0
        self.reject.clear()
        self.on_accept = None
        self.before_accept = None


class SmtpServer:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.port = 0
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def up(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(self.sink, hostname="localhost", loop=loop), "127.0.0.1", self.port
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Refuse new connections (connections in progress finish their message)."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()
