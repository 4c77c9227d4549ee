"""Nothing of one unit of work's tenant survives into the next on the same connection."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import pytest

from service.config import Settings
from service.db.pool import create_pool
from service.db.tx import begin_with_tenant, transaction
from service.errors import ApiError
from tests.support import factories
from tests.support.postgres import Database

READ_TENANT = (
    "SELECT current_setting('app.org_id', true) AS org, "
    "current_setting('app.user_id', true) AS usr, pg_backend_pid() AS pid"
)


@pytest.fixture
async def pool_of_one(db: Database) -> AsyncIterator[asyncpg.Pool]:
    settings = dataclasses.replace(Settings(), db_pool_min=1, db_pool_max=1)
    pool = await create_pool(db.app, settings)
    try:
        yield pool
    finally:
        await pool.close()


async def _next_unit_sees_nothing(pool: asyncpg.Pool, previous_pid: int) -> None:
    async with transaction(pool) as conn:
        row = await conn.fetchrow(READ_TENANT)
        visible = await conn.fetchval("SELECT count(*) FROM roles")
    assert row["org"] in ("", None)
    assert row["usr"] in ("", None)
    assert visible == 0
    # The same backend served both units, so the test proves reuse, not a new connection.
    assert row["pid"] == previous_pid


async def _seed(pool: asyncpg.Pool) -> UUID:
    async with pool.acquire() as conn:
        org = await factories.organization(conn, "Gamma Care")
        await factories.role(conn, org)
    return org


async def test_after_commit(pool_of_one: asyncpg.Pool) -> None:
    org = await _seed(pool_of_one)
    async with transaction(pool_of_one, org_id=org, user_id=org) as conn:
        assert await conn.fetchval("SELECT count(*) FROM roles") == 1
        pid = await conn.fetchval("SELECT pg_backend_pid()")
    await _next_unit_sees_nothing(pool_of_one, pid)


async def test_after_an_exception(pool_of_one: asyncpg.Pool) -> None:
    org = await _seed(pool_of_one)
    pid = 0
    with pytest.raises(ApiError):
        async with transaction(pool_of_one, org_id=org) as conn:
            pid = await conn.fetchval("SELECT pg_backend_pid()")
            await conn.execute("UPDATE roles SET name = 'Changed'")
            raise ApiError("conflict", "stop here")
    await _next_unit_sees_nothing(pool_of_one, pid)
    async with transaction(pool_of_one, org_id=org) as conn:
        assert await conn.fetchval("SELECT name FROM roles") == "Member"  # rolled back


async def test_after_a_cancelled_query(pool_of_one: asyncpg.Pool) -> None:
    org = await _seed(pool_of_one)
    pid = 0
    started = asyncio.Event()

    async def slow() -> None:
        nonlocal pid
        async with transaction(pool_of_one, org_id=org) as conn:
            pid = await conn.fetchval("SELECT pg_backend_pid()")
            started.set()
            await conn.execute("SELECT pg_sleep(30)")

    task = asyncio.create_task(slow())
    await started.wait()
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with asyncio.timeout(5):
        async with transaction(pool_of_one) as conn:
            row = await conn.fetchrow(READ_TENANT)
            visible = await conn.fetchval("SELECT count(*) FROM roles")
    assert row["org"] in ("", None)
    assert visible == 0


async def test_a_session_level_setting_cannot_reach_the_next_unit(
    pool_of_one: asyncpg.Pool,
) -> None:
    """Released connections are not reset (no round trip); every unit of work sets both tenant
    settings in its first message, so even a session-level value someone left behind is
    overridden before any query of the next unit runs."""
    org = await _seed(pool_of_one)
    async with pool_of_one.acquire() as conn:
        await conn.execute("SELECT set_config('app.org_id', $1, false)", str(org))
        pid = await conn.fetchval("SELECT pg_backend_pid()")
    await _next_unit_sees_nothing(pool_of_one, pid)


async def test_an_open_transaction_is_rolled_back_on_release(pool_of_one: asyncpg.Pool) -> None:
    org = await _seed(pool_of_one)
    async with pool_of_one.acquire() as conn:
        await conn.execute(begin_with_tenant(org, None))
        assert await conn.execute("UPDATE roles SET name = 'Half-done'") == "UPDATE 1"
        pid = await conn.fetchval("SELECT pg_backend_pid()")
    async with transaction(pool_of_one, org_id=org) as conn:
        assert await conn.fetchval("SELECT name FROM roles") == "Member"
        assert await conn.fetchval("SELECT pg_backend_pid()") == pid


def test_a_tenant_must_be_a_uuid() -> None:
    with pytest.raises(TypeError):
        begin_with_tenant("00000000-0000-0000-0000-000000000000', true); DROP TABLE x; --", None)  # type: ignore[arg-type]
    text = begin_with_tenant(UUID("12345678-1234-5678-1234-567812345678"), None)
    assert "'12345678-1234-5678-1234-567812345678'" in text
    assert "set_config('app.user_id', '', true)" in text
