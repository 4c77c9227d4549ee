"""The database failing under a request: a 503 with Retry-After, at once, never a 500 or a wait
without end."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import asyncpg
import httpx
import pytest
from litestar import get
from litestar.di import NamedDependency

from faults.harness import make_accounts
from service.config import Settings
from service.db.pool import create_pool
from service.db.tx import is_unavailable, transaction
from service.errors import ApiError
from service.session import SESSION, Session
from tests.support import postgres
from tests.support.server import serve
from tests.support.smtp import SmtpServer


@get("/faults/own-session-ends", dependencies=SESSION)
async def own_session_ends(session: NamedDependency[Session]) -> None:
    """The request's own connection is terminated by the server in the middle of the handler."""
    await session.conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")


async def test_a_connection_lost_inside_an_authenticated_request_is_a_503(
    settings: Settings, smtp: SmtpServer
) -> None:
    # The request's transaction cannot roll back on a dead connection, and Litestar groups
    # that failure of the dependency's clean-up with the handler's own: that group was a 500.
    async with serve(settings, extra_routes=[own_session_ends]) as base:
        [account] = await make_accounts(base, smtp.sink, 1)
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            headers = {"Authorization": f"Bearer {account.token}"}
            response = await client.get("/faults/own-session-ends", headers=headers)
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"] == "5"
            assert response.json()["errors"][0]["code"] == "service_unavailable"
            again = await client.get("/auth/me", headers=headers)
            assert again.status_code == 200, again.text


def test_a_connection_the_server_ended_while_pooled_counts_as_unavailable() -> None:
    # asyncpg reports a query sent between the server's error and the socket's end this way.
    error = asyncpg.exceptions.InternalClientError(
        "cannot switch to state 12; another operation (2) is in progress"
    )
    assert is_unavailable(error)


async def test_waiting_for_a_pooled_connection_is_bounded_by_db_acquire_timeout(
    db: postgres.Database, settings: Settings
) -> None:
    own = dataclasses.replace(settings, db_pool_min=1, db_pool_max=1, db_acquire_timeout=0.3)
    pool = await create_pool(db.app, own)
    try:
        async with pool.acquire():  # the only connection, held
            started = time.monotonic()
            with pytest.raises(ApiError) as caught:
                async with asyncio.timeout(10), transaction(pool):
                    pass
            waited = time.monotonic() - started
        assert caught.value.status == 503
        assert 0.2 < waited < 5
        async with transaction(pool) as conn:  # free again: served at once
            assert await conn.fetchval("SELECT 1") == 1
    finally:
        await pool.close()
