"""The service's own app over real HTTP, with a handle on the app to reach its key ring.

``tests.support.server.serve`` yields only a URL; a rotation test needs to make the serving
instance reload its keys at once instead of waiting for the periodic reload.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn
from litestar import Litestar

from service.app import create_app
from service.config import Settings
from service.security.keys import KeyRing


@dataclass(frozen=True)
class WellKnownServer:
    url: str
    app: Litestar

    @property
    def keys(self) -> KeyRing:
        keys: KeyRing = self.app.state.keyring
        return keys


class _QuietServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@asynccontextmanager
async def serve_app(settings: Settings) -> AsyncIterator[WellKnownServer]:
    app = create_app(settings)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_config=None, access_log=False, lifespan="on"
    )
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("the server stopped during start-up")
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield WellKnownServer(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)
