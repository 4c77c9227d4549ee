"""Reading the trail: one organization's events, newest first, a keyset page at a time.

Events are written by :func:`service.audit.recorder.record`.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from service.audit import repo
from service.audit.query import cursor_of
from service.audit.repo import Event, Filters


async def list_events(
    conn: asyncpg.Connection,
    organization_id: UUID,
    filters: Filters,
    *,
    after: tuple[datetime, UUID] | None,
    size: int,
) -> tuple[list[Event], str | None]:
    """One page of events and the cursor of the next page (None on the last)."""
    rows = await repo.page(conn, organization_id, filters, after=after, limit=size + 1)
    events = rows[:size]
    more = len(rows) > size
    return events, cursor_of(events[-1].created_at, events[-1].id) if more else None


async def get_event(
    conn: asyncpg.Connection, organization_id: UUID, event_id: UUID
) -> Event | None:
    return await repo.by_id(conn, organization_id, event_id)
