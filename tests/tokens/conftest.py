"""Fixtures for signing keys and access tokens: an app-role pool, a loaded key ring, a server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from service.config import Settings
from service.db.pool import create_pool
from service.security.keys import KeyRing
from tests.tokens.server import WellKnownServer, serve_app


@pytest.fixture
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    assert settings.database_url is not None
    pool = await create_pool(settings.database_url, settings)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture
async def keyring(pool: asyncpg.Pool, settings: Settings) -> KeyRing:
    return await KeyRing.load(pool, settings)


@pytest.fixture
async def well_known(settings: Settings) -> AsyncIterator[WellKnownServer]:
    async with serve_app(settings) as server:
        yield server
