"""Authorization codes (RFC 6749 4.1): minted for a signed-in person, taken once at the token
endpoint. Only the SHA-256 of a code is stored; the tenant is the client's organization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from service.db.queries import load
from service.security.opaque import digest, new_token
from service.security.sign_in import SignIn

q = load(__file__)

LIFETIME_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Code:
    code_hash: bytes
    organization_id: UUID
    app_client_id: UUID
    user_id: UUID
    redirect_uri: str
    code_challenge: str
    scope: str
    nonce: str | None
    auth_time: datetime
    used: bool
    expired: bool
    issued_family: UUID | None
    amr: list[str]

    @property
    def signed_in(self) -> SignIn:
        return SignIn(tuple(self.amr), self.auth_time)


async def mint(
    conn: asyncpg.Connection,
    *,
    org_id: UUID,
    client: UUID,
    user_id: UUID,
    redirect_uri: str,
    challenge: str,
    scope: str,
    nonce: str | None,
    signed_in: SignIn,
) -> str:
    raw, hashed = new_token()
    await conn.execute(
        q.insert_code,
        hashed,
        org_id,
        client,
        user_id,
        redirect_uri,
        challenge,
        scope,
        nonce,
        signed_in.auth_time,
        float(LIFETIME_SECONDS),
        list(signed_in.amr),
    )
    return raw


async def take(conn: asyncpg.Connection, raw: str, org_id: UUID) -> Code | None:
    """The code, locked until the transaction ends (a second exchange waits, then sees it
    used)."""
    row = await conn.fetchrow(q.take_code, digest(raw), org_id)
    return Code(**dict(row)) if row else None


async def mark_used(conn: asyncpg.Connection, code: Code, issued_family: UUID | None) -> None:
    await conn.execute(q.use_code, code.code_hash, code.organization_id, issued_family)
