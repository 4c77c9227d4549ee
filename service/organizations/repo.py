"""SQL for organizations; callers hold the transaction and have set its tenant."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from service.db.queries import load
from service.ids import uuid7
from service.security.permissions import MANAGED_ROLES

q = load(__file__)


async def insert(conn: asyncpg.Connection, org_id: UUID, name: str, slug: str) -> bool:
    """Insert unless the slug is taken; True when inserted."""
    return await conn.fetchrow(q.insert_organization, org_id, name, slug) is not None


async def insert_managed_roles(conn: asyncpg.Connection, org_id: UUID) -> dict[str, UUID]:
    ids: dict[str, UUID] = {}
    for role in MANAGED_ROLES:
        ids[role.code] = uuid7()
        await conn.execute(
            q.insert_role,
            ids[role.code],
            org_id,
            role.code,
            role.name,
            role.description,
            True,
            list(role.permissions),
        )
    return ids


async def add_member(conn: asyncpg.Connection, org_id: UUID, user_id: UUID, role_id: UUID) -> None:
    await conn.execute(q.insert_membership, org_id, user_id, role_id)


async def name_of(conn: asyncpg.Connection, org_id: UUID) -> str | None:
    name: str | None = await conn.fetchval(q.organization_name, org_id)
    return name


async def sole_member_organizations(
    conn: asyncpg.Connection, user_id: UUID, candidates: list[UUID]
) -> list[UUID]:
    rows = await conn.fetch(q.sole_member_organizations, user_id, candidates)
    return [row["id"] for row in rows]


async def delete(conn: asyncpg.Connection, org_id: UUID) -> None:
    await conn.execute(q.delete_organization, org_id)
