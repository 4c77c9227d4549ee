"""A minimal SMTP server that accepts every message and throws it away, as its own process,
answering the end of DATA after a delay that can be changed while it runs.

``python -m bench.lib.smtp_sink PORT DELAY_FILE`` listens on 127.0.0.1:PORT; before every
``250`` that accepts a message it reads the seconds to wait from DELAY_FILE (0 when the file
is missing or unreadable). :func:`started` runs it for the length of a ``with`` block.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.lib import machine, server

LINE_LIMIT = 1 << 16
END_OF_DATA = b".\r\n"


def _delay(path: Path) -> float:
    try:
        return max(0.0, float(path.read_text().strip() or 0))
    except (OSError, ValueError):
        return 0.0


async def _session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: Path) -> None:
    async def say(line: str) -> None:
        writer.write(line.encode() + b"\r\n")
        await writer.drain()

    await say("220 bench-sink ready")
    while True:
        line = await reader.readline()
        if not line:
            return
        verb = line[:4].upper()
        if verb == b"EHLO":
            await say("250-bench-sink\r\n250-8BITMIME\r\n250 SIZE 10485760")
        elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
            await say("250 ok")
        elif verb == b"DATA":
            await say("354 end with <CRLF>.<CRLF>")
            while (chunk := await reader.readline()) and chunk != END_OF_DATA:
                pass
            wait = _delay(delay)
            if wait:
                await asyncio.sleep(wait)
            await say("250 accepted")
        elif verb == b"QUIT":
            await say("221 bye")
            return
        else:
            await say("502 not implemented")


async def serve(port: int, delay: Path) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.LimitOverrunError, ValueError):
            await _session(reader, writer, delay)
        writer.close()

    listener = await asyncio.start_server(handle, server.HOST, port, limit=LINE_LIMIT)
    async with listener:
        await listener.serve_forever()


@dataclass
class Sink:
    proc: subprocess.Popen[bytes]
    port: int
    delay_file: Path

    @property
    def url(self) -> str:
        return f"smtp://{server.HOST}:{self.port}"

    def set_delay(self, seconds: float) -> None:
        """Messages whose DATA ends from now on are answered after ``seconds``."""
        self.delay_file.write_text(f"{seconds}\n")

    def pids(self) -> list[int]:
        return [self.proc.pid, *machine.children(self.proc.pid)] if self.proc.poll() is None else []


@contextlib.contextmanager
def started(folder: Path) -> Iterator[Sink]:
    """The sink on a free loopback port, answering at once until told otherwise."""
    port = server.free_port()
    sink = Sink(
        subprocess.Popen(
            [sys.executable, "-m", "bench.lib.smtp_sink", str(port), str(folder / "smtp-delay")],
            cwd=server.ROOT,
            stdin=subprocess.DEVNULL,
        ),
        port,
        folder / "smtp-delay",
    )
    sink.set_delay(0)
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


def _wait_listening(sink: Sink, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if sink.proc.poll() is not None:
            raise RuntimeError(f"the SMTP sink exited ({sink.proc.returncode})")
        with contextlib.suppress(OSError), socket.create_connection((server.HOST, sink.port), 1):
            return
        time.sleep(0.1)
    raise RuntimeError("the SMTP sink did not listen in time")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(int(sys.argv[1]), Path(sys.argv[2])))
