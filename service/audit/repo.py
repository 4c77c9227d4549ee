"""SQL for the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from service.audit.actions import Action, ActorKind, ResourceType
from service.db.queries import load

q = load(__file__)


@dataclass(frozen=True, slots=True)
class Event:
    id: UUID
    organization_id: UUID
    actor_user_id: UUID | None
    actor_kind: str
    action: str
    resource_type: str
    resource_id: str
    changes: str  # the stored JSON object, as text
    request_id: str | None
    client_request_id: str | None
    address: str | None
    created_at: datetime
    actor_client_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class Filters:
    """What a listing narrows to; None matches everything."""

    actor_user_id: UUID | None = None
    action: str | None = None
    resource_type: str | None = None
    resource_id: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


async def insert(
    conn: asyncpg.Connection,
    *,
    event_id: UUID,
    organization_id: UUID,
    actor_user_id: UUID | None,
    actor_kind: ActorKind,
    action: Action,
    resource_type: ResourceType,
    resource_id: str,
    changes_json: str,
    request_id: str | None,
    client_request_id: str | None,
    address: str | None,
    actor_client_id: UUID | None = None,
) -> None:
    await conn.execute(
        q.insert_event,
        event_id,
        organization_id,
        actor_user_id,
        actor_kind,
        action,
        resource_type,
        resource_id,
        changes_json,
        request_id,
        client_request_id,
        address,
        actor_client_id,
    )


async def page(
    conn: asyncpg.Connection,
    organization_id: UUID,
    filters: Filters,
    *,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[Event]:
    rows = await conn.fetch(
        q.list_events,
        organization_id,
        filters.actor_user_id,
        filters.action,
        filters.resource_type,
        filters.resource_id,
        filters.since,
        filters.until,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )
    return [Event(**dict(row)) for row in rows]


async def by_id(conn: asyncpg.Connection, organization_id: UUID, event_id: UUID) -> Event | None:
    row = await conn.fetchrow(q.event_by_id, organization_id, event_id)
    return Event(**dict(row)) if row else None
