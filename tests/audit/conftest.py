"""Fixtures for the audit tests: the flow fixtures, the app with the audit routes, a pool."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from service.app import ROUTES as APP_ROUTES
from service.audit.http import ROUTES as AUDIT_ROUTES
from service.config import Settings
from tests.api.conftest import *  # noqa: F403
from tests.support.postgres import Database
from tests.support.server import serve


@pytest.fixture
async def base_url(settings: Settings) -> AsyncIterator[str]:
    """The app, with the audit routes mounted unless the app already has them."""
    extra = [route for route in AUDIT_ROUTES if route not in APP_ROUTES]
    async with serve(settings, extra_routes=extra) as url:
        yield url


@pytest.fixture
async def pool(db: Database) -> AsyncIterator[asyncpg.Pool]:
    """A small pool as the app role, for transactions opened the way the service opens them."""
    pool = await asyncpg.create_pool(db.app, min_size=1, max_size=2)
    try:
        yield pool
    finally:
        await pool.close()
