"""Platform operators: read by a request (its own person only, under RLS), written only by the
command line through the owner role's connection (``python -m service grant-operator``)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from service.db.queries import load

q = load(__file__)


async def is_operator(conn: asyncpg.Connection, user_id: UUID) -> bool:
    """Whether ``user_id`` is a platform operator; the transaction's user must be them."""
    return bool(await conn.fetchval(q.is_operator, user_id))


async def command_line(conn: asyncpg.Connection) -> None:
    """Prepare the owner role's connection of the command line: under row-level security
    too, it finds an account by its address as the anonymous sign-in lookup does."""
    await conn.execute(q.anonymous_session)


async def grant(conn: asyncpg.Connection, email: str, granted_by: str) -> UUID | None:
    """Make the account with this (normalized) address an operator; None when there is no
    such account. Granting twice changes nothing. Needs the owner role's connection."""
    found: UUID | None = await conn.fetchval(q.grant_operator, email, granted_by)
    return found


async def revoke(conn: asyncpg.Connection, email: str) -> bool:
    """Take the role back; False when the address was no operator. Owner role only."""
    return await conn.fetchval(q.revoke_operator, email) is not None
