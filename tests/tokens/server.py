"""A small app with the well-known routes and the key ring's lifespan, over real HTTP.

It is built the way ``create_app`` builds the service (same exception handlers, media-type
check and request-context layer) with :func:`keyring_lifespan` after the pool's lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn
from litestar import Litestar
from litestar.datastructures import State

from service import http
from service.config import Settings
from service.db.pool import create_pool
from service.security.keys import KeyRing
from service.wellknown.http import ROUTES
from service.wellknown.lifespan import keyring_lifespan


@dataclass(frozen=True)
class WellKnownServer:
    url: str
    app: Litestar

    @property
    def keys(self) -> KeyRing:
        keys: KeyRing = self.app.state.keys
        return keys


@asynccontextmanager
async def _pool_lifespan(app: Litestar) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    assert settings.database_url is not None
    app.state.pool = await create_pool(settings.database_url, settings)
    try:
        yield
    finally:
        await app.state.pool.close()


def build_app(settings: Settings) -> Litestar:
    app = Litestar(
        route_handlers=ROUTES,
        lifespan=[_pool_lifespan, keyring_lifespan],
        exception_handlers=http.EXCEPTION_HANDLERS,
        before_request=http.check_media_types,
        state=State({"settings": settings}),
        logging_config=None,
        debug=False,
    )
    app.asgi_handler = http.RequestContext(app.asgi_handler)
    return app


class _QuietServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@asynccontextmanager
async def serve_well_known(settings: Settings) -> AsyncIterator[WellKnownServer]:
    app = build_app(settings)
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
