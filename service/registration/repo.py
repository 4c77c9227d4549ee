"""The database functions that guard pending self-registrations."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

import asyncpg

from service.db.queries import load

q = load(__file__)


async def discard_pending(
    conn: asyncpg.Connection, user_id: UUID, reason: Literal["replaced", "expired"]
) -> UUID | None:
    """Remove a pure pending self-registration's organization and links, atomically checked
    under the account's row lock; the organization removed, or None when the account is
    anything else (and then nothing changed)."""
    org_id: UUID | None = await conn.fetchval(q.discard_pending, user_id, reason)
    return org_id
