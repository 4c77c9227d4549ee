"""SQL for invitations; every query runs inside the invitation's organization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from service.db.queries import load
from service.security import scoped

q = load(__file__)

PREFIX = "inv_"
LIFETIME = 7 * 24 * 3600
EXPIRES_DAYS = LIFETIME // 86400


@dataclass(frozen=True, slots=True)
class Invitation:
    id: UUID
    email: str
    role_id: UUID | None
    invited_by: UUID | None
    status: str
    expires_at: datetime
    accepted_at: datetime | None
    accepted_user_id: UUID | None
    revoked_at: datetime | None
    created_at: datetime
    updated_at: datetime
    expired: bool

    @property
    def state(self) -> str:
        return "expired" if self.expired else self.status


@dataclass(frozen=True, slots=True)
class Live:
    """A pending, unexpired invitation found by its link."""

    id: UUID
    email: str
    role_id: UUID
    role_code: str
    role_name: str
    organization_name: str


def mint(org_id: UUID) -> tuple[str, bytes]:
    return scoped.mint(PREFIX, org_id)


def organization_of(raw: str) -> UUID | None:
    return scoped.scope_of(PREFIX, raw)


async def insert(
    conn: asyncpg.Connection,
    *,
    invitation_id: UUID,
    org_id: UUID,
    email: str,
    role_id: UUID,
    invited_by: UUID | None,
    token_hash: bytes,
    membership_request: bool = False,
) -> None:
    await conn.execute(
        q.insert_invitation,
        invitation_id,
        org_id,
        email,
        role_id,
        invited_by,
        token_hash,
        float(LIFETIME),
        membership_request,
    )


async def revoke_pending_for(conn: asyncpg.Connection, org_id: UUID, email: str) -> list[UUID]:
    return [r["id"] for r in await conn.fetch(q.revoke_pending_for_email, org_id, email)]


async def view(conn: asyncpg.Connection, org_id: UUID, invitation_id: UUID) -> Invitation | None:
    row = await conn.fetchrow(q.invitation_view, org_id, invitation_id)
    return Invitation(**dict(row)) if row else None


async def page(
    conn: asyncpg.Connection,
    org_id: UUID,
    *,
    after: UUID | None,
    size: int,
    email: str | None,
    status: str | None,
) -> list[Invitation]:
    rows = await conn.fetch(q.list_invitations, org_id, after or UUID(int=0), email, status, size)
    return [Invitation(**dict(r)) for r in rows]


async def lock_status(conn: asyncpg.Connection, org_id: UUID, invitation_id: UUID) -> str | None:
    row = await conn.fetchrow(q.lock_invitation, org_id, invitation_id)
    return str(row["status"]) if row else None


async def revoke(conn: asyncpg.Connection, org_id: UUID, invitation_id: UUID) -> None:
    await conn.execute(q.revoke_invitation, org_id, invitation_id)


async def renew(
    conn: asyncpg.Connection, org_id: UUID, invitation_id: UUID, token_hash: bytes
) -> None:
    await conn.execute(q.renew_token, org_id, invitation_id, token_hash, float(LIFETIME))


async def live(conn: asyncpg.Connection, org_id: UUID, raw: str, *, lock: bool) -> Live | None:
    query = q.lock_by_token if lock else q.peek_by_token
    row = await conn.fetchrow(query, org_id, scoped.digest(raw))
    return Live(**dict(row)) if row else None


async def mark_accepted(
    conn: asyncpg.Connection, org_id: UUID, invitation_id: UUID, user_id: UUID
) -> None:
    await conn.execute(q.mark_accepted, org_id, invitation_id, user_id)


async def pending_with_role(conn: asyncpg.Connection, org_id: UUID, role_id: UUID) -> int:
    count: int = await conn.fetchval(q.pending_with_role, org_id, role_id)
    return count
