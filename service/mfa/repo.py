"""SQL for second factors, recovery codes and pending second steps (``queries.sql``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from service.db.queries import load

q = load(__file__)

STEP_PREFIX = "mfa_"  # the second step's opaque token: mfa_<user id and 256 random bits>


@dataclass(frozen=True, slots=True)
class Factor:
    id: UUID
    kind: str
    label: str
    confirmed_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TotpFactor(Factor):
    secret: bytes  # sealed; empty for a passkey
    last_step: int | None


@dataclass(frozen=True, slots=True)
class Counts:
    total: int
    confirmed: int


@dataclass(frozen=True, slots=True)
class Challenge:
    """A pending second step, as locked for an attempt."""

    token_hash: bytes
    user_id: UUID
    organization_id: UUID
    sessions_epoch: int
    purpose: str
    app_client_id: UUID | None
    browser_family: UUID | None
    enrol: bool
    auth_time: datetime
    amr: list[str]
    satisfied: list[str] | None
    passkey_challenge: bytes | None
    failures: int
    expired: bool
    used: bool


async def lock_person(conn: asyncpg.Connection, user_id: UUID) -> None:
    """Until the transaction ends, no other change to this person's factors runs."""
    await conn.execute(q.lock_person, user_id)


def factor_from(row: asyncpg.Record) -> Factor:
    return Factor(**{name: row[name] for name in Factor.__slots__})


async def factors(conn: asyncpg.Connection, user_id: UUID) -> list[Factor]:
    return [factor_from(row) for row in await conn.fetch(q.list_factors, user_id)]


async def counts(conn: asyncpg.Connection, user_id: UUID) -> Counts:
    row = await conn.fetchrow(q.count_factors, user_id)
    return Counts(row["total"], row["confirmed"])


async def insert_totp(
    conn: asyncpg.Connection, factor_id: UUID, user_id: UUID, label: str, sealed: bytes
) -> Factor:
    return factor_from(await conn.fetchrow(q.insert_totp, factor_id, user_id, label, sealed))


async def delete_unconfirmed(conn: asyncpg.Connection, user_id: UUID) -> None:
    await conn.execute(q.delete_unconfirmed, user_id)


async def factor(conn: asyncpg.Connection, factor_id: UUID, user_id: UUID) -> TotpFactor | None:
    """One of the person's factors, with its sealed secret when it is a TOTP one."""
    row = await conn.fetchrow(q.get_factor, factor_id, user_id)
    if row is None:
        return None
    return TotpFactor(**{**dict(row), "secret": row["secret"] or b""})


async def confirmed_totp(conn: asyncpg.Connection, user_id: UUID) -> list[TotpFactor]:
    return [TotpFactor(**dict(row)) for row in await conn.fetch(q.confirmed_totp, user_id)]


async def accept_step(conn: asyncpg.Connection, factor_id: UUID, user_id: UUID, step: int) -> bool:
    """Take ``step`` for the factor (and confirm it); False when it, or a later one, was
    taken already."""
    return await conn.fetchval(q.accept_step, factor_id, user_id, step) is not None


async def rename(
    conn: asyncpg.Connection, factor_id: UUID, user_id: UUID, label: str
) -> Factor | None:
    row = await conn.fetchrow(q.rename_factor, factor_id, user_id, label)
    return factor_from(row) if row else None


async def delete(conn: asyncpg.Connection, factor_id: UUID, user_id: UUID) -> Factor | None:
    row = await conn.fetchrow(q.delete_factor, factor_id, user_id)
    return factor_from(row) if row else None


async def delete_member_factors(conn: asyncpg.Connection, user_id: UUID) -> int:
    """Remove every factor and recovery code of a member of the transaction's organization
    (the admin reset, decided by the caller); how many factors went."""
    await conn.execute(q.reset_for, user_id)
    status: str = await conn.execute(q.delete_member_factors, user_id)
    await conn.execute(q.delete_recovery_codes, user_id)
    await conn.execute(q.reset_for, None)
    return int(status.split()[-1])


async def replace_recovery_codes(
    conn: asyncpg.Connection, user_id: UUID, hashes: list[bytes]
) -> None:
    await conn.execute(q.delete_recovery_codes, user_id)
    await conn.execute(q.insert_recovery_codes, user_id, hashes)


async def forget_recovery_codes(conn: asyncpg.Connection, user_id: UUID) -> None:
    await conn.execute(q.delete_recovery_codes, user_id)


async def use_recovery_code(conn: asyncpg.Connection, user_id: UUID, code_hash: bytes) -> bool:
    return await conn.fetchval(q.use_recovery_code, user_id, code_hash) is not None


async def recovery_codes_left(conn: asyncpg.Connection, user_id: UUID) -> tuple[int, int]:
    """(unused, issued) recovery codes of the person's current set."""
    row = await conn.fetchrow(q.recovery_codes_left, user_id)
    return row["unused"], row["issued"]


async def insert_challenge(
    conn: asyncpg.Connection,
    *,
    token_hash: bytes,
    user_id: UUID,
    organization_id: UUID,
    sessions_epoch: int,
    purpose: str,
    app_client_id: UUID | None,
    browser_family: UUID | None,
    enrol: bool,
    auth_time: datetime,
    amr: list[str],
    ttl: int,
) -> None:
    await conn.execute(
        q.insert_challenge,
        token_hash,
        user_id,
        organization_id,
        sessions_epoch,
        purpose,
        app_client_id,
        browser_family,
        enrol,
        auth_time,
        amr,
        ttl,
    )


async def lock_challenge(
    conn: asyncpg.Connection, token_hash: bytes, user_id: UUID
) -> Challenge | None:
    row = await conn.fetchrow(q.lock_challenge, token_hash, user_id)
    return Challenge(**dict(row)) if row else None


async def fail_challenge(
    conn: asyncpg.Connection, token_hash: bytes, user_id: UUID, most: int
) -> None:
    await conn.execute(q.fail_challenge, token_hash, user_id, most)


async def spend_challenge(conn: asyncpg.Connection, token_hash: bytes, user_id: UUID) -> None:
    await conn.execute(q.spend_challenge, token_hash, user_id)


async def satisfy_challenge(
    conn: asyncpg.Connection, token_hash: bytes, user_id: UUID, methods: list[str]
) -> None:
    await conn.execute(q.satisfy_challenge, token_hash, user_id, methods)
