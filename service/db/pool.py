"""The asyncpg pool the app connects through (as the app role, never the owner)."""

from __future__ import annotations

import asyncpg

from service.config import Settings


async def create_pool(dsn: str, settings: Settings) -> asyncpg.Pool:
    """A pool whose connections fail fast: bounded statements, bounded idle transactions."""
    return await asyncpg.create_pool(
        dsn,
        min_size=settings.db_pool_min,
        max_size=settings.db_pool_max,
        timeout=settings.db_acquire_timeout,
        command_timeout=settings.db_statement_timeout_ms / 1000 + 1,
        max_inactive_connection_lifetime=300,
        server_settings={
            "application_name": "auth-service",
            "statement_timeout": str(settings.db_statement_timeout_ms),
            "idle_in_transaction_session_timeout": str(settings.db_statement_timeout_ms * 2),
            "lock_timeout": str(settings.db_statement_timeout_ms // 2),
        },
    )
