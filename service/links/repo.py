"""Hashed single-use tokens: issue, peek (for pages), consume (atomically), expire."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.db.queries import load
from service.ids import uuid7
from service.security.opaque import digest, new_token

q = load(__file__)

VERIFY_EMAIL = "verify_email"
PASSWORD_RESET = "password_reset"  # noqa: S105 (a purpose, not a secret)
SET_PASSWORD = "set_password"  # noqa: S105

LIFETIMES = {VERIFY_EMAIL: 24 * 3600, PASSWORD_RESET: 3600, SET_PASSWORD: 7 * 24 * 3600}


@dataclass(frozen=True, slots=True)
class Redeemed:
    id: UUID
    user_id: UUID
    purpose: str
    email: str
    organization_id: UUID | None
    client_id: str | None


async def issue(
    conn: asyncpg.Connection,
    *,
    user_id: UUID,
    purpose: str,
    email: str,
    organization_id: UUID | None = None,
    client_id: str | None = None,
) -> str:
    """Store a new token's hash and return the token itself, for the mail only."""
    raw, hashed = new_token()
    await conn.execute(
        q.insert_token,
        uuid7(),
        user_id,
        purpose,
        hashed,
        email,
        organization_id,
        float(LIFETIMES[purpose]),
        client_id,
    )
    return raw


async def consume(conn: asyncpg.Connection, raw: str, purposes: tuple[str, ...]) -> Redeemed | None:
    row = await conn.fetchrow(q.consume_token, digest(raw), list(purposes))
    return Redeemed(**dict(row)) if row else None


async def peek(conn: asyncpg.Connection, raw: str, purposes: tuple[str, ...]) -> Redeemed | None:
    row = await conn.fetchrow(q.peek_token, digest(raw), list(purposes))
    return Redeemed(**dict(row)) if row else None


async def expire_unused(
    conn: asyncpg.Connection, user_id: UUID, purposes: tuple[str, ...]
) -> list[UUID]:
    """Kill every outstanding token of these purposes; returns their organizations."""
    rows = await conn.fetch(q.expire_unused, user_id, list(purposes))
    return [r["organization_id"] for r in rows if r["organization_id"] is not None]


async def pending_registration_organization(conn: asyncpg.Connection, user_id: UUID) -> UUID | None:
    org_id: UUID | None = await conn.fetchval(q.pending_registration_organization, user_id)
    return org_id
