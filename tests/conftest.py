"""Shared fixtures: one PostgreSQL server a run, a fresh migrated database a test."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest

from service.config import Settings
from tests.support import postgres
from tests.support.server import serve


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[str]:
    with postgres.server() as (admin, _where):
        yield admin


@pytest.fixture(scope="session")
async def template(pg_admin: str) -> postgres.Database:
    return await postgres.prepare_template(pg_admin)


@pytest.fixture
async def db(pg_admin: str, template: postgres.Database) -> AsyncIterator[postgres.Database]:
    """A fresh database cloned from the migrated template, dropped afterwards."""
    database = await postgres.clone(pg_admin)
    try:
        yield database
    finally:
        await postgres.drop(pg_admin, database.name)


@pytest.fixture
async def app_conn(db: postgres.Database) -> AsyncIterator[asyncpg.Connection]:
    """A connection as the app role: row-level security applies."""
    conn = await asyncpg.connect(db.app)
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture
async def owner_conn(db: postgres.Database) -> AsyncIterator[asyncpg.Connection]:
    """A connection as the owner role, for arranging data the app role may not write."""
    conn = await asyncpg.connect(db.owner)
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture
async def admin_conn(db: postgres.Database) -> AsyncIterator[asyncpg.Connection]:
    """A superuser connection that sees every row: for asserting what really was written."""
    conn = await asyncpg.connect(db.admin)
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture
def settings(db: postgres.Database) -> Settings:
    return dataclasses.replace(
        Settings(),
        database_url=db.app,
        migration_database_url=db.owner,
        db_pool_min=1,
        db_pool_max=4,
        # Cheap hashing for speed; tests of the hashing cost set their own parameters.
        argon2_memory_kib=256,
        argon2_time_cost=1,
        # The queue's load shedding is tested on its own (tests/throttle/test_hashing_queue.py);
        # elsewhere a busy machine's slow hash must not turn an expected answer into a 503.
        argon2_max_wait_seconds=60.0,
        password_min_length=12,
    )


@pytest.fixture
async def base_url(settings: Settings) -> AsyncIterator[str]:
    async with serve(settings) as url:
        yield url


@pytest.fixture
async def client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        yield http
