"""One transaction per unit of work, with the tenant set transaction-locally before any query.

``set_config(..., true)`` scopes ``app.org_id`` and ``app.user_id`` to the transaction, so a
connection returned to the pool carries nothing of the request that used it, whether that
request committed, failed or was cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

import asyncpg

from service.errors import ApiError, service_unavailable

SET_TENANT = (
    "SELECT set_config('app.org_id', coalesce($1::text, ''), true), "
    "set_config('app.user_id', coalesce($2::text, ''), true)"
)

# Errors that mean the database is unreachable, restarting, hung or overloaded: the request
# fails fast with 503 and the pool replaces the broken connection on its own.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.QueryCanceledError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.LockNotAvailableError,
    # A connection whose session the server ended while it sat idle in the pool: the error
    # message arrives before the socket closes, and a query sent in between meets a protocol
    # still busy with that error.
    asyncpg.exceptions.InternalClientError,
)


def is_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, UNAVAILABLE)


@asynccontextmanager
async def transaction(
    pool: asyncpg.Pool,
    *,
    org_id: UUID | None = None,
    user_id: UUID | None = None,
    acquire_timeout: float | None = None,
) -> AsyncIterator[asyncpg.Connection]:
    """Acquire a connection, open a transaction and set the tenant; commit on success."""
    try:
        conn = await pool.acquire(timeout=acquire_timeout)
    except UNAVAILABLE as exc:
        raise service_unavailable("The database is not reachable right now.") from exc
    try:
        async with conn.transaction():
            await conn.execute(SET_TENANT, _text(org_id), _text(user_id))
            try:
                yield conn
            except TimeoutError:
                _drop(conn)
                raise
    except UNAVAILABLE as exc:
        if isinstance(exc, TimeoutError):
            _drop(conn)
        raise service_unavailable("The database is not reachable right now.") from exc
    finally:
        await _release(pool, conn)


def _drop(conn: asyncpg.Connection) -> None:
    """Close a connection whose server did not answer in time, at once.

    Its rollback, and then its release, would each wait for the cancellation of the late
    statement (as long as the statement itself); the server rolls back a dropped session on
    its own, and the pool opens a fresh connection in its place.
    """
    with contextlib.suppress(asyncpg.InterfaceError):  # asyncpg dropped it already
        conn.terminate()


async def set_tenant(
    conn: asyncpg.Connection, *, org_id: UUID | None, user_id: UUID | None
) -> None:
    """Switch the tenant inside the current transaction (after authentication, say)."""
    await conn.execute(SET_TENANT, _text(org_id), _text(user_id))


async def _release(pool: asyncpg.Pool, conn: asyncpg.Connection) -> None:
    try:
        await asyncio.shield(pool.release(conn))
    except Exception:  # a broken connection is dropped by the pool; nothing to keep
        _drop(conn)


def _text(value: UUID | None) -> str | None:
    return None if value is None else str(value)


__all__ = ["ApiError", "is_unavailable", "set_tenant", "transaction"]
