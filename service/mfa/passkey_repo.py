"""SQL for passkeys (``passkeys.sql``): the factor rows of kind ``webauthn`` and the used
challenges of passkey sign-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from service.db.queries import load
from service.mfa.repo import Factor, factor_from

q = load(__file__, "passkeys.sql")


@dataclass(frozen=True, slots=True)
class Passkey:
    id: UUID
    credential_id: bytes
    public_key: bytes
    sign_count: int
    transports: list[str]


@dataclass(frozen=True, slots=True)
class FoundPasskey(Passkey):
    user_id: UUID


async def insert_passkey(
    conn: asyncpg.Connection, factor_id: UUID, user_id: UUID, label: str, challenge: bytes
) -> Factor:
    return factor_from(await conn.fetchrow(q.insert_passkey, factor_id, user_id, label, challenge))


async def pending_passkey(conn: asyncpg.Connection, factor_id: UUID, user_id: UUID) -> bytes | None:
    """The registration challenge of an unconfirmed passkey."""
    challenge: bytes | None = await conn.fetchval(q.pending_passkey, factor_id, user_id)
    return challenge


async def confirm_passkey(
    conn: asyncpg.Connection,
    factor_id: UUID,
    user_id: UUID,
    *,
    credential_id: bytes,
    public_key: bytes,
    sign_count: int,
    transports: list[str],
) -> Factor | None:
    row = await conn.fetchrow(
        q.confirm_passkey, factor_id, user_id, credential_id, public_key, sign_count, transports
    )
    return factor_from(row) if row else None


async def passkeys(conn: asyncpg.Connection, user_id: UUID) -> list[Passkey]:
    return [Passkey(**dict(row)) for row in await conn.fetch(q.passkeys, user_id)]


async def passkey_by_credential(
    conn: asyncpg.Connection, credential_id: bytes
) -> FoundPasskey | None:
    """The confirmed passkey an assertion names (the anonymous context)."""
    await conn.execute(q.name_credential, credential_id.hex())
    row = await conn.fetchrow(q.passkey_by_credential, credential_id)
    await conn.execute(q.name_credential, "")
    return FoundPasskey(**dict(row)) if row else None


async def use_passkey(
    conn: asyncpg.Connection, factor_id: UUID, user_id: UUID, sign_count: int
) -> bool:
    return await conn.fetchval(q.use_passkey, factor_id, user_id, sign_count) is not None


async def set_passkey_challenge(
    conn: asyncpg.Connection, token_hash: bytes, user_id: UUID, challenge: bytes
) -> None:
    await conn.execute(q.set_passkey_challenge, token_hash, user_id, challenge)


async def use_sign_in_challenge(
    conn: asyncpg.Connection, challenge_hash: bytes, expires_at: datetime
) -> bool:
    """Record a passkey sign-in's challenge as used; False when it was already."""
    return await conn.fetchval(q.use_sign_in_challenge, challenge_hash, expires_at) is not None
