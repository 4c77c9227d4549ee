"""SQL for roles. Every function takes the organization; the caller holds the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from service.db.queries import load
from service.ids import uuid7
from service.security.permissions import MANAGED_ROLES

q = load(__file__)


@dataclass(frozen=True, slots=True)
class Role:
    id: UUID
    organization_id: UUID
    code: str
    name: str
    description: str
    is_managed: bool
    permissions: list[str]
    created_at: datetime
    updated_at: datetime


def _role(row: asyncpg.Record | None) -> Role | None:
    return Role(**dict(row)) if row else None


async def page(
    conn: asyncpg.Connection,
    org_id: UUID,
    *,
    name: str | None,
    code: str | None,
    is_managed: bool | None,
    after: UUID | None,
    limit: int,
) -> list[Role]:
    rows = await conn.fetch(q.list_roles, org_id, name, code, is_managed, after, limit)
    return [Role(**dict(row)) for row in rows]


async def role_by_id(
    conn: asyncpg.Connection, org_id: UUID, role_id: UUID, *, lock: bool = False
) -> Role | None:
    """The organization's role with this id; ``lock`` holds it until the transaction ends."""
    return _role(await conn.fetchrow(q.lock_role if lock else q.role_by_id, org_id, role_id))


async def role_by_code(conn: asyncpg.Connection, org_id: UUID, code: str) -> Role | None:
    """The organization's role with this code (``member``, or a custom role's code)."""
    return _role(await conn.fetchrow(q.role_by_code, org_id, code))


async def clashes(
    conn: asyncpg.Connection,
    org_id: UUID,
    *,
    name: str | None,
    code: str | None,
    except_id: UUID | None = None,
) -> tuple[bool, bool]:
    """Whether another role here already has the name (any case), and the code."""
    row = await conn.fetchrow(q.clashes, org_id, name, code, except_id)
    return bool(row["name_taken"]), bool(row["code_taken"])


async def insert(
    conn: asyncpg.Connection,
    *,
    role_id: UUID,
    org_id: UUID,
    code: str,
    name: str,
    description: str,
    permissions: list[str],
    is_managed: bool = False,
) -> Role:
    row = await conn.fetchrow(
        q.insert_role, role_id, org_id, code, name, description, is_managed, permissions
    )
    return Role(**dict(row))


async def insert_managed(conn: asyncpg.Connection, org_id: UUID) -> dict[str, UUID]:
    """The roles every organization is created with; their ids by code."""
    ids: dict[str, UUID] = {}
    for role in MANAGED_ROLES:
        ids[role.code] = uuid7()
        await insert(
            conn,
            role_id=ids[role.code],
            org_id=org_id,
            code=role.code,
            name=role.name,
            description=role.description,
            permissions=list(role.permissions),
            is_managed=True,
        )
    return ids


async def update(
    conn: asyncpg.Connection,
    org_id: UUID,
    role_id: UUID,
    *,
    name: str,
    description: str,
    permissions: list[str],
) -> Role | None:
    row = await conn.fetchrow(q.update_role, org_id, role_id, name, description, permissions)
    return _role(row)


async def delete(conn: asyncpg.Connection, org_id: UUID, role_id: UUID) -> bool:
    status: str = await conn.execute(q.delete_role, org_id, role_id)
    return status == "DELETE 1"


async def holders(conn: asyncpg.Connection, org_id: UUID, role_id: UUID) -> list[str]:
    """The kinds of rows that still refer to the role (``members``, ...); empty when none."""
    return [row["holder"] for row in await conn.fetch(q.role_holders, org_id, role_id)]
