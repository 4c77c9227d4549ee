"""Pools as the app role on the test's database: each one stands for an instance."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from tests.support import postgres


@pytest.fixture
async def pool(db: postgres.Database) -> AsyncIterator[asyncpg.Pool]:
    async with asyncpg.create_pool(db.app, min_size=1, max_size=10) as created:
        yield created


@pytest.fixture
async def other_pool(db: postgres.Database) -> AsyncIterator[asyncpg.Pool]:
    async with asyncpg.create_pool(db.app, min_size=1, max_size=10) as created:
        yield created
