"""Start-up and shut-down of the key ring: loaded once, reloaded in the background."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar

from service.security.keys import KeyRing


@asynccontextmanager
async def keyring_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Load ``app.state.keyring`` from ``app.state.pool``; runs after the pool's lifespan."""
    keys = await KeyRing.load(app.state.pool, app.state.settings)
    keys.start()
    app.state.keyring = keys
    try:
        yield
    finally:
        await keys.stop()
