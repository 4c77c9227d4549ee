"""Session races: the flow fixtures of ``tests.api`` and a way to hold a grant mid-flight.

A ``Hold`` is a superuser transaction that takes one lock and keeps it; the test then waits
until the requests it started are queued behind that lock (or behind each other), so the
interleaving it wants happens every time rather than by luck.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from tests.support import postgres
from tests.support.flows import mailbox, settings, smtp  # noqa: F401  (fixtures)


class Hold:
    def __init__(self, conn: asyncpg.Connection, watcher: asyncpg.Connection) -> None:
        self._conn = conn
        self._watcher = watcher
        self._tx: Any = None

    async def take(self, statement: str, *args: Any) -> None:
        self._tx = self._conn.transaction()
        await self._tx.start()
        await self._conn.execute(statement, *args)

    async def release(self) -> None:
        await self._tx.rollback()

    async def until_waiting(self, count: int, within: float = 10.0) -> None:
        """Until ``count`` backends of this database wait for a lock."""
        async with asyncio.timeout(within):
            while True:
                waiting = await self._watcher.fetchval(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if waiting >= count:
                    return
                await asyncio.sleep(0.01)


@pytest.fixture
async def hold(db: postgres.Database, admin_conn: asyncpg.Connection) -> AsyncIterator[Hold]:
    conn = await asyncpg.connect(db.admin)
    try:
        yield Hold(conn, admin_conn)
    finally:
        await conn.close()
