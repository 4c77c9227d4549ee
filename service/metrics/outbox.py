"""The mail outbox as an operator needs it: how much waits, for how long, how much died.

Read at scrape time with one query bounded in time at every step (a free connection, the
statement, the whole), so a slow or unreachable database costs a scrape at most
:data:`TIMEOUT` seconds and leaves these figures out instead of failing it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import asyncpg

from service.db.queries import load
from service.db.tx import UNAVAILABLE

q = load(__file__)
log = logging.getLogger("service.metrics")

TIMEOUT = 1.0


@dataclass(frozen=True, slots=True)
class OutboxStats:
    pending: int
    oldest_pending_seconds: float
    dead: int


async def read(pool: asyncpg.Pool | None) -> OutboxStats | None:
    """The outbox figures, or None when the database does not answer in time."""
    if pool is None:
        return None
    try:
        async with asyncio.timeout(TIMEOUT * 2), pool.acquire(timeout=TIMEOUT) as conn:
            row = await conn.fetchrow(q.outbox_stats, timeout=TIMEOUT)
    except (*UNAVAILABLE, asyncpg.PostgresError) as exc:
        log.warning("metrics.outbox_unavailable", extra={"fields": {"error": type(exc).__name__}})
        return None
    return OutboxStats(
        pending=int(row["pending"]),
        oldest_pending_seconds=float(row["oldest_pending_seconds"]),
        dead=int(row["dead"]),
    )
