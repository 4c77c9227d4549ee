"""SQL for the mail outbox: enqueue inside the caller's transaction; claim, and record outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias
from uuid import UUID

import asyncpg

from service.db.queries import load

Q = load(__file__)

# A pool or a connection: each statement here stands alone.
Executor: TypeAlias = "asyncpg.Pool | asyncpg.Connection"


@dataclass(frozen=True, slots=True)
class Claimed:
    """A message a worker holds under a lease."""

    id: UUID
    message_id: str
    recipient: str
    subject: str
    body_text: str
    body_html: str
    template: str
    attempts: int
    created_at: datetime


async def enqueue(
    conn: asyncpg.Connection,
    *,
    outbox_id: UUID,
    message_id: str,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    template: str,
) -> None:
    await conn.execute(Q.enqueue, outbox_id, message_id, recipient, subject, text, html, template)


async def claim(db: Executor, *, limit: int, lease_seconds: float, lease_id: UUID) -> list[Claimed]:
    rows = await db.fetch(Q.claim_due, limit, float(lease_seconds), lease_id)
    return [Claimed(**dict(row)) for row in rows]


async def release_lease(db: Executor, lease_id: UUID) -> int:
    """Put back, unattempted, whatever a claim whose answer never arrived leased."""
    status: str = await db.execute(Q.release_lease, lease_id)
    return int(status.rsplit(" ", 1)[-1])


async def mark_sent(db: Executor, outbox_id: UUID) -> bool:
    return _changed(await db.execute(Q.mark_sent, outbox_id))


async def mark_retry(
    db: Executor, outbox_id: UUID, lease_id: UUID, *, delay: float, error: str
) -> bool:
    return _changed(await db.execute(Q.mark_retry, outbox_id, lease_id, float(delay), error))


async def mark_dead(db: Executor, outbox_id: UUID, lease_id: UUID, *, error: str) -> bool:
    return _changed(await db.execute(Q.mark_dead, outbox_id, lease_id, error))


def _changed(status: str) -> bool:
    return status.rsplit(" ", 1)[-1] != "0"
