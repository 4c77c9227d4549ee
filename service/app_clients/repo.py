"""SQL for app clients and their secrets. Tenant functions take the organization; the caller
holds the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from service.db.queries import load
from service.ids import uuid7

q = load(__file__)


@dataclass(frozen=True, slots=True)
class Client:
    id: UUID
    organization_id: UUID
    client_id: str
    name: str
    type: str
    user_type: str
    role_id: UUID
    token_endpoint_auth_method: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    allowed_origins: list[str]
    jwks: str | None  # the JWK Set as JSON text
    jwks_uri: str | None
    password_grant: bool
    status: str
    tokens_since: datetime
    last_used_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Settable:
    """What a client's admin chooses (everything but ids, type, status history and times)."""

    name: str
    role_id: UUID
    token_endpoint_auth_method: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    allowed_origins: list[str]
    jwks: str | None
    jwks_uri: str | None
    password_grant: bool
    status: str


def _client(row: asyncpg.Record | None) -> Client | None:
    return Client(**dict(row)) if row else None


async def page(
    conn: asyncpg.Connection,
    org_id: UUID,
    *,
    type: str | None,
    status: str | None,
    role_id: UUID | None,
    after: UUID | None,
    limit: int,
) -> list[Client]:
    rows = await conn.fetch(q.list_clients, org_id, type, status, role_id, after, limit)
    return [Client(**dict(row)) for row in rows]


async def by_id(
    conn: asyncpg.Connection, org_id: UUID, client: UUID, *, lock: bool = False
) -> Client | None:
    return _client(await conn.fetchrow(q.lock_client if lock else q.client_by_id, org_id, client))


async def by_client_id(conn: asyncpg.Connection, client_id: str) -> Client | None:
    """The client a token request names (anonymous context)."""
    return _client(await conn.fetchrow(q.client_by_client_id, client_id))


async def insert(
    conn: asyncpg.Connection,
    org_id: UUID,
    *,
    client_id: str,
    type: str,
    user_type: str,
    values: Settable,
    created_by: UUID | None,
) -> Client:
    row = await conn.fetchrow(
        q.insert_client,
        uuid7(),
        org_id,
        client_id,
        values.name,
        type,
        user_type,
        values.role_id,
        values.token_endpoint_auth_method,
        values.redirect_uris,
        values.post_logout_redirect_uris,
        values.allowed_origins,
        values.jwks,
        values.jwks_uri,
        values.password_grant,
        values.status,
        created_by,
    )
    assert row is not None
    return Client(**dict(row))


async def update(conn: asyncpg.Connection, org_id: UUID, client: UUID, values: Settable) -> Client:
    row = await conn.fetchrow(
        q.update_client,
        org_id,
        client,
        values.name,
        values.role_id,
        values.token_endpoint_auth_method,
        values.redirect_uris,
        values.post_logout_redirect_uris,
        values.allowed_origins,
        values.jwks,
        values.jwks_uri,
        values.password_grant,
        values.status,
    )
    assert row is not None
    return Client(**dict(row))


async def delete(conn: asyncpg.Connection, org_id: UUID, client: UUID) -> bool:
    return await conn.fetchval(q.delete_client, org_id, client) is not None


async def add_secret(conn: asyncpg.Connection, org_id: UUID, client: UUID, digest: bytes) -> None:
    await conn.execute(q.insert_secret, uuid7(), org_id, client, digest)


async def retire_secrets(
    conn: asyncpg.Connection, org_id: UUID, client: UUID, *, until: datetime
) -> None:
    """The client's live secrets stop working at ``until`` (at once when it is now)."""
    await conn.execute(q.drop_dead_secrets, org_id, client)
    await conn.execute(q.retire_secrets, org_id, client, until)


async def remember_assertion(
    conn: asyncpg.Connection, client_id: str, jti: str, expires_at: datetime
) -> bool:
    """True the first time this assertion id is seen for the client; False on a replay."""
    return await conn.fetchval(q.remember_assertion, client_id, jti, expires_at) is not None


async def with_secrets(
    conn: asyncpg.Connection, client_id: str
) -> tuple[Client, list[bytes]] | None:
    """The client a token request names and its live secret hashes, in one statement (run
    it outside a transaction; it sets its own anonymous context)."""
    row = await conn.fetchrow(q.client_credentials, client_id)
    if row is None:
        return None
    fields = dict(row)
    hashes = list(fields.pop("secret_hashes"))
    return Client(**fields), hashes


async def for_token(
    conn: asyncpg.Connection, org_id: UUID, client: UUID
) -> tuple[str, str, list[str]] | None:
    """Status, role code and permissions of a client getting a token; last use stamped."""
    row = await conn.fetchrow(q.client_token, org_id, client)
    return (row["status"], row["role_code"], list(row["permissions"])) if row else None
