"""The app served over real HTTP on a socket bound before the settings are made.

Links in mail and the pages' form actions use ``PUBLIC_BASE_URL``; for a browser to follow
them to this server, that base must be the served address, so the port is taken first.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import uvicorn

from service.app import create_app
from service.config import Settings


def bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def base_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # pytest keeps its own signal handling
        yield


@asynccontextmanager
async def serve_on(sock: socket.socket, settings: Settings) -> AsyncIterator[str]:
    config = uvicorn.Config(create_app(settings), log_config=None, access_log=False, lifespan="on")
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(20):
            while not server.started:
                if task.done():
                    task.result()
                    raise RuntimeError("the server stopped during start-up")
                await asyncio.sleep(0.01)
        yield base_of(sock)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)
