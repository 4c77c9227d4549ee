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
    "set_config('app.user_id', coalesce($2::text, ''), true), "
    "set_config('app.anonymous', CASE WHEN $3::boolean THEN 'on' ELSE '' END, true)"
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
    anonymous: bool = False,
    acquire_timeout: float | None = None,
) -> AsyncIterator[asyncpg.Connection]:
    """Acquire a connection, open a transaction and set the tenant; commit on success.

    ``BEGIN`` and the tenant travel in one message, so a unit of work costs its own
    statements plus two round trips (this one and ``COMMIT``). With no tenant, the row-level
    policies show no account and no link: the flows that find them by address or by a link's
    hash before anyone is known (sign-up, sign-in, reset, links) ask for ``anonymous``.
    """
    begin = begin_with_tenant(org_id, user_id, anonymous=anonymous)
    try:
        conn = await pool.acquire(timeout=acquire_timeout)
    except UNAVAILABLE as exc:
        raise service_unavailable("The database is not reachable right now.") from exc
    try:
        await conn.execute(begin)
        try:
            yield conn
        except TimeoutError:
            _drop(conn)
            raise
        except BaseException:
            if not conn.is_closed():
                await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")
    except UNAVAILABLE as exc:
        if isinstance(exc, TimeoutError):
            _drop(conn)
        raise service_unavailable("The database is not reachable right now.") from exc
    finally:
        await _release(pool, conn)


@asynccontextmanager
async def alone(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """A connection for statements that are each their own transaction (autocommit).

    For one statement that must commit whatever happens next (a throttle reservation before
    a slow check), or a function that sets its own request context (migration 023). The
    database being unreachable is a 503, as in :func:`transaction`.
    """
    try:
        async with pool.acquire() as conn:
            yield conn
    except UNAVAILABLE as exc:
        raise service_unavailable("The database is not reachable right now.") from exc


def begin_with_tenant(org_id: UUID | None, user_id: UUID | None, *, anonymous: bool = False) -> str:
    """``BEGIN`` and the tenant settings as one simple-protocol message.

    The values are written into the text, so only ``UUID`` objects are accepted: their text is
    hex digits and dashes, nothing that could end the literal.
    """
    return (
        f"BEGIN; SELECT set_config('app.org_id', '{_literal(org_id)}', true), "
        f"set_config('app.user_id', '{_literal(user_id)}', true), "
        f"set_config('app.anonymous', '{'on' if anonymous else ''}', true)"
    )


def _literal(value: UUID | None) -> str:
    if value is None:
        return ""
    if not isinstance(value, UUID):
        raise TypeError(f"a tenant must be a UUID, not {type(value).__name__}")
    return str(UUID(int=value.int))  # canonical text, whatever UUID subclass came in


def _drop(conn: asyncpg.Connection) -> None:
    """Close a connection whose server did not answer in time, at once.

    Its rollback, and then its release, would each wait for the cancellation of the late
    statement (as long as the statement itself); the server rolls back a dropped session on
    its own, and the pool opens a fresh connection in its place.
    """
    with contextlib.suppress(asyncpg.InterfaceError):  # asyncpg dropped it already
        conn.terminate()


async def set_tenant(
    conn: asyncpg.Connection,
    *,
    org_id: UUID | None,
    user_id: UUID | None,
    anonymous: bool = False,
) -> None:
    """Switch the tenant inside the current transaction (after authentication, say);
    ``anonymous`` opens the lookups by address or link hash, as in :func:`transaction`."""
    await conn.execute(SET_TENANT, _text(org_id), _text(user_id), anonymous)


async def _release(pool: asyncpg.Pool, conn: asyncpg.Connection) -> None:
    try:
        await asyncio.shield(pool.release(conn))
    except Exception:  # a broken connection is dropped by the pool; nothing to keep
        _drop(conn)


def _text(value: UUID | None) -> str | None:
    return None if value is None else str(value)


__all__ = ["ApiError", "alone", "is_unavailable", "set_tenant", "transaction"]
