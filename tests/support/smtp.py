"""The one SMTP sink of the tests, the fault harness and the benchmarks: a real SMTP server
(aiosmtpd) with scripted answers.

``SmtpSink`` is the handler. It answers 250 by default and records every message it accepts
(``received``, with its Message-ID and when it was accepted); a message counts as accepted
only when its 250 can still reach the client. What it can be told to do:

- ``temporary_failures``: answer 451 to the next that many DATA commands;
- ``reject``: answer 550 to these recipients at RCPT; ``reject_data``: answer 550 at DATA to a
  message for any of these;
- ``slow_datas``, ``data_delay``: stall the next that many DATA commands ``data_delay``
  seconds, then go on as usual if the client is still there (``answers["dropped"]`` counts
  those it hung up on);
- ``before_accept``: await this just before answering 250 (to lock a table, or to be slow);
  ``on_accept``: call this the moment the 250 has gone out (to kill the process sending);
- ``accounts``: login -> password for AUTH;
- ``keep=False``: count what it accepts but keep nothing (a long benchmark).

``answers`` counts the answers by kind; ``clear()`` forgets everything and the script.

``SmtpServer`` serves a sink on a loopback port in the running event loop and can be stopped
and started again on the same port, to play a mail server that goes away. ``started(folder)``
runs the sink in a process of its own instead (``python -m tests.support.smtp PORT
[DELAY_FILE]``), answering every message after the seconds written in ``DELAY_FILE``, which
can be changed while it runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    message: EmailMessage
    login: str | None
    at: float = field(default_factory=time.monotonic)

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
    reject_data: set[str] = field(default_factory=set)
    slow_datas: int = 0
    data_delay: float = 30.0
    before_accept: Callable[[], Awaitable[None]] | None = None
    on_accept: Callable[[Received], None] | None = None
    accounts: dict[str, str] = field(default_factory=dict)
    keep: bool = True
    received: list[Received] = field(default_factory=list)
    answers: Counter[str] = field(default_factory=Counter)
    data_commands: int = 0
    _event: asyncio.Event | None = field(default=None, repr=False)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.reject:
            self.answers["550"] += 1
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_commands += 1
        if self.slow_datas > 0:
            self.slow_datas -= 1
            self.answers["stalled"] += 1
            try:
                await asyncio.sleep(self.data_delay)
            except asyncio.CancelledError:  # aiosmtpd: the client hung up
                self.answers["dropped"] += 1
                raise
            transport = server.transport
            if transport is None or transport.is_closing():
                self.answers["dropped"] += 1  # the client gave up: nothing was accepted
                return "451 4.4.2 Too late"
        if self.temporary_failures > 0:
            self.temporary_failures -= 1
            self.answers["451"] += 1
            return "451 4.3.0 Try again later"
        if set(envelope.rcpt_tos) & self.reject_data:
            self.answers["550"] += 1
            return "550 5.1.1 No such mailbox here"
        if self.before_accept is not None:
            await self.before_accept()
        self.answers["250"] += 1
        if self.keep:
            self._record(session, envelope)
        return "250 2.0.0 Accepted"

    def _record(self, session: Any, envelope: Any) -> None:
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.content)
        assert isinstance(parsed, EmailMessage)
        login = session.auth_data.login.decode() if session.auth_data else None
        mail = Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, login)
        self.received.append(mail)
        self._arrived().set()
        if self.on_accept is not None:
            # After the 250 has been written: aiosmtpd pushes it as soon as handle_DATA returns.
            asyncio.get_running_loop().call_soon(self.on_accept, mail)

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

    def clear(self) -> None:
        """Forget what was received and answered, and answer 250 to everything again."""
        self.received.clear()
        self.answers.clear()
        self.data_commands = 0
        self.temporary_failures = 0
        self.slow_datas = 0
        self.reject.clear()
        self.reject_data.clear()
        self.before_accept = None
        self.on_accept = None

    def _arrived(self) -> asyncio.Event:
        if self._event is None:
            self._event = asyncio.Event()
        return self._event


class SmtpServer:
    def __init__(self, sink: SmtpSink, port: int = 0) -> None:
        self.sink = sink
        self.port = port
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"smtp://{HOST}:{self.port}"

    @property
    def up(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, HOST, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Refuse new connections (connections in progress finish their message)."""
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


# The sink as a process of its own (the benchmarks).


def read_delay(path: Path) -> float:
    """The seconds written in ``path``; 0 when it is missing or unreadable."""
    try:
        return max(0.0, float(path.read_text().strip() or 0))
    except (OSError, ValueError):
        return 0.0


async def serve(port: int, delay_file: Path | None = None) -> None:
    """Accept and discard every message on ``port`` until stopped, each after the delay in
    ``delay_file`` read just before its 250."""
    sink = SmtpSink(keep=False)
    if delay_file is not None:
        path = delay_file

        async def wait() -> None:
            if seconds := read_delay(path):
                await asyncio.sleep(seconds)

        sink.before_accept = wait
    server = SmtpServer(sink, port)
    await server.start()
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


@dataclass
class SinkProcess:
    proc: subprocess.Popen[bytes]
    port: int
    delay_file: Path

    @property
    def url(self) -> str:
        return f"smtp://{HOST}:{self.port}"

    def set_delay(self, seconds: float) -> None:
        """Messages whose DATA ends from now on are answered after ``seconds``."""
        self.delay_file.write_text(f"{seconds}\n")

    def pids(self) -> list[int]:
        """The sink's process while it runs (it starts none of its own)."""
        return [self.proc.pid] if self.proc.poll() is None else []


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def started(folder: Path) -> Iterator[SinkProcess]:
    """The sink in its own process on a free loopback port, answering at once until told
    otherwise; its delay file is ``folder/smtp-delay``."""
    port, delay_file = _free_port(), folder / "smtp-delay"
    delay_file.write_text("0\n")
    command = [sys.executable, "-m", "tests.support.smtp", str(port), str(delay_file)]
    sink = SinkProcess(
        subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL),
        port,
        delay_file,
    )
    try:
        _wait_listening(sink)
        yield sink
    finally:
        sink.proc.terminate()
        try:
            sink.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            sink.proc.kill()
            sink.proc.wait(timeout=5)


def _wait_listening(sink: SinkProcess, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if sink.proc.poll() is not None:
            raise RuntimeError(f"the SMTP sink exited ({sink.proc.returncode})")
        with contextlib.suppress(OSError), socket.create_connection((HOST, sink.port), 1):
            return
        time.sleep(0.1)
    raise RuntimeError("the SMTP sink did not listen in time")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        delay = Path(sys.argv[2]) if len(sys.argv) > 2 else None
        asyncio.run(serve(int(sys.argv[1]), delay))
