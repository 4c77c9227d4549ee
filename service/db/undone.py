"""Work that one path of a flow does for real and another does only to take the same time.

Flows that must not tell a known address from an unknown one by their timing run the same
statements on every path: the path that should change nothing runs them inside a savepoint
that is rolled back, so the database does the same work and keeps none of it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg


@asynccontextmanager
async def kept_if(conn: asyncpg.Connection, keep: bool) -> AsyncIterator[None]:
    """A savepoint that is released when ``keep`` and rolled back otherwise. An error inside
    rolls back either way and propagates."""
    # Plain statements: the unit of work's BEGIN was sent as text, which asyncpg's own
    # transaction objects refuse to nest in.
    await conn.execute("SAVEPOINT kept_if")
    try:
        yield
    except BaseException:
        if not conn.is_closed():
            await conn.execute("ROLLBACK TO SAVEPOINT kept_if")
        raise
    await conn.execute("RELEASE SAVEPOINT kept_if" if keep else "ROLLBACK TO SAVEPOINT kept_if")
