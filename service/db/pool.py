"""The asyncpg pool the app connects through (as the app role, never the owner)."""

from __future__ import annotations

from typing import Any

import asyncpg

from service.config import Settings


class Connection(asyncpg.Connection):  # type: ignore[misc]
    """A pooled connection that keeps no state between units of work, so its release costs
    no round trip.

    asyncpg's default release sends ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET
    ALL`` every time. Nothing here needs it: every unit of work runs in ``db.tx.transaction``,
    which sets both tenant settings in its first message (overriding whatever a session might
    hold) and scopes them to the transaction; advisory locks are transaction-level; LISTEN
    and cursors live on connections of their own. An open transaction is still rolled back
    on release by asyncpg itself.
    """

    def get_reset_query(self) -> str:
        return ""


class Pool(asyncpg.Pool):  # type: ignore[misc]
    """asyncpg's pool, with DB_ACQUIRE_TIMEOUT as the default bound on waiting for a connection.

    asyncpg's own ``timeout`` option bounds only opening a connection; without this, a caller
    that does not name a timeout waits for a free connection forever, and the release of a
    connection whose query timed out (it waits for the cancellation) has no bound either:
    asyncpg bounds a release by the timeout its acquire was given.
    """

    __slots__ = ("_acquire_timeout",)

    def __init__(self, *args: Any, acquire_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._acquire_timeout = acquire_timeout

    def acquire(self, *, timeout: float | None = None) -> Any:
        return super().acquire(timeout=self._acquire_timeout if timeout is None else timeout)


async def create_pool(dsn: str, settings: Settings) -> asyncpg.Pool:
    """A pool whose connections fail fast: bounded waits, statements and idle transactions."""
    pool = Pool(
        dsn,
        acquire_timeout=settings.db_acquire_timeout,
        min_size=settings.db_pool_min,
        max_size=settings.db_pool_max,
        max_queries=50_000,
        max_inactive_connection_lifetime=300,
        loop=None,
        connection_class=Connection,
        record_class=asyncpg.Record,
        timeout=settings.db_acquire_timeout,
        command_timeout=settings.db_statement_timeout_ms / 1000 + 1,
        server_settings={
            "application_name": "auth-service",
            "statement_timeout": str(settings.db_statement_timeout_ms),
            "idle_in_transaction_session_timeout": str(settings.db_statement_timeout_ms * 2),
            "lock_timeout": str(settings.db_statement_timeout_ms // 2),
        },
    )
    return await pool
