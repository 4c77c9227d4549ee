"""SQL for members as one organization sees them; the tenant is set by the caller."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.accounts.repo import MemberView
from service.db.queries import load

q = load(__file__)

FIRST = UUID(int=0)


@dataclass(frozen=True, slots=True)
class Role:
    id: UUID
    code: str
    name: str
    permissions: list[str]


@dataclass(frozen=True, slots=True)
class CurrentRole:
    role_id: UUID
    code: str
    permissions: list[str]
    active: bool
    practitioner_id: str | None
    accepted: bool = True


async def page(
    conn: asyncpg.Connection,
    org_id: UUID,
    *,
    after: UUID | None,
    size: int,
    email: str | None,
    name: str | None,
    role_id: UUID | None,
) -> list[MemberView]:
    pattern = None
    if name is not None:
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
    query = q.list_members if email is None and name is None else q.list_members_filtered
    rows = await conn.fetch(query, org_id, after or FIRST, email, pattern, role_id, size)
    return [MemberView(**dict(r)) for r in rows]


async def role(conn: asyncpg.Connection, org_id: UUID, role_id: UUID) -> Role | None:
    row = await conn.fetchrow(q.role_for_assignment, org_id, role_id)
    return Role(**dict(row)) if row else None


async def role_by_code(conn: asyncpg.Connection, org_id: UUID, code: str) -> Role | None:
    row = await conn.fetchrow(q.role_by_code, org_id, code)
    return Role(**dict(row)) if row else None


async def lock_owners(conn: asyncpg.Connection, org_id: UUID) -> list[UUID]:
    return [r["user_id"] for r in await conn.fetch(q.lock_owners, org_id)]


async def current(conn: asyncpg.Connection, org_id: UUID, user_id: UUID) -> CurrentRole | None:
    row = await conn.fetchrow(q.member_role, org_id, user_id)
    return CurrentRole(**dict(row)) if row else None


async def update(
    conn: asyncpg.Connection,
    org_id: UUID,
    user_id: UUID,
    *,
    role_id: UUID,
    active: bool,
    practitioner_id: str | None,
) -> None:
    await conn.execute(q.update_membership, org_id, user_id, role_id, active, practitioner_id)


async def rename(conn: asyncpg.Connection, org_id: UUID, user_id: UUID, name: str) -> None:
    """The organization's name for the person: nothing another organization shows changes."""
    await conn.execute(q.rename_member, org_id, user_id, name)


async def accept(conn: asyncpg.Connection, org_id: UUID, user_id: UUID) -> bool:
    """The person accepted a pending membership; False when it was not pending."""
    return str(await conn.execute(q.accept_membership, org_id, user_id)) == "UPDATE 1"


async def remove(conn: asyncpg.Connection, org_id: UUID, user_id: UUID) -> bool:
    return str(await conn.execute(q.delete_membership, org_id, user_id)) == "DELETE 1"


async def add(
    conn: asyncpg.Connection,
    org_id: UUID,
    user_id: UUID,
    role_id: UUID,
    practitioner_id: str | None,
    *,
    name: str,
    accepted: bool = True,
) -> None:
    """``accepted=False`` for an account that exists already: the person accepts through the
    link mailed to them before the membership carries any session."""
    await conn.execute(q.add_membership, org_id, user_id, role_id, practitioner_id, name, accepted)
