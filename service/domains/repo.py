"""SQL for custom domains (the one owner of ``organization_domains``). Tenant functions take
the organization; the caller holds the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from service.db.queries import load

q = load(__file__)


@dataclass(frozen=True, slots=True)
class Domain:
    id: UUID
    organization_id: UUID
    domain: str
    domain_type: str
    status: str
    verification_token: str
    verified_at: datetime | None
    last_check_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Card:
    """What resolving a hostname tells anyone."""

    id: UUID
    name: str
    slug: str
    logo_url: str | None
    icon_url: str | None
    language_code: str | None


@dataclass(frozen=True, slots=True)
class Due:
    """A verified domain whose record is due to be looked at again."""

    id: UUID
    organization_id: UUID
    domain: str
    verification_token: str


def _domain(row: asyncpg.Record | None) -> Domain | None:
    return Domain(**dict(row)) if row else None


async def verified_domain(conn: asyncpg.Connection, org_id: UUID, domain: str) -> bool:
    """Whether ``org_id`` has ``domain`` (lowercase, as stored) verified; tenant = org."""
    return bool(await conn.fetchval(q.verified_domain, org_id, domain))


async def listed(conn: asyncpg.Connection, org_id: UUID) -> list[Domain]:
    return [Domain(**dict(r)) for r in await conn.fetch(q.list_domains, org_id)]


async def by_id(conn: asyncpg.Connection, org_id: UUID, domain_id: UUID) -> Domain | None:
    return _domain(await conn.fetchrow(q.domain_by_id, org_id, domain_id))


async def insert(
    conn: asyncpg.Connection, domain_id: UUID, org_id: UUID, domain: str, kind: str, token: str
) -> Domain | None:
    """None when the organization has this domain already."""
    return _domain(await conn.fetchrow(q.insert_domain, domain_id, org_id, domain, kind, token))


async def locked(conn: asyncpg.Connection, org_id: UUID, domain_id: UUID) -> Domain | None:
    """The domain, locked until the transaction ends (what a check changes from)."""
    return _domain(await conn.fetchrow(q.lock_domain, org_id, domain_id))


async def checked(
    conn: asyncpg.Connection, org_id: UUID, domain_id: UUID, found: bool | None
) -> Domain | None:
    """Record a look at the record: verified when ``found``, pending when not, the status
    unchanged when ``None`` (DNS could not tell); ``last_check_at`` in every case."""
    return _domain(await conn.fetchrow(q.checked_domain, org_id, domain_id, found))


async def delete(conn: asyncpg.Connection, org_id: UUID, domain_id: UUID) -> Domain | None:
    return _domain(await conn.fetchrow(q.delete_domain, org_id, domain_id))


async def resolve(conn: asyncpg.Connection, *, slug: str | None, domain: str | None) -> Card | None:
    """One statement that sets its own context (migration 032); run it alone."""
    row = await conn.fetchrow(q.resolve, slug, domain)
    return Card(**dict(row)) if row else None


async def due(conn: asyncpg.Connection, older_than: timedelta, batch: int) -> list[Due]:
    return [Due(**dict(r)) for r in await conn.fetch(q.to_recheck, older_than, batch)]
