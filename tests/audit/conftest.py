"""Fixtures for the audit tests: the flow fixtures and a pool."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from tests.support.flows import mailbox, settings, smtp  # noqa: F401  (fixtures)
from tests.support.postgres import Database


@pytest.fixture
async def pool(db: Database) -> AsyncIterator[asyncpg.Pool]:
    """A small pool as the app role, for transactions opened the way the service opens them."""
    pool = await asyncpg.create_pool(db.app, min_size=1, max_size=2)
    try:
        yield pool
    finally:
        await pool.close()
