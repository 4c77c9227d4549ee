"""SQL for app clients and their secrets. Tenant functions take the organization; the caller
holds the transaction."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from uuid import UUID

import asyncpg

from service.accounts.repo import SessionCaller, session_caller_from
from service.db.queries import load
from service.ids import uuid7

q = load(__file__)


class Unread(enum.Enum):
    """What a combined statement answers for the half it did not run."""

    UNREAD = "unread"


UNREAD: Final = Unread.UNREAD


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
    return _credentials(dict(row)) if row else None


def _credentials(fields: dict[str, Any]) -> tuple[Client, list[bytes]]:
    """A client and its secret hashes from the columns ``app_client_credentials`` answers;
    the dict keeps whatever else the statement answered."""
    client = Client(**{name: fields.pop(name) for name in Client.__dataclass_fields__})
    return client, list(fields.pop("secret_hashes"))


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """What counting a token on a client's budget answered: the seconds until the budget
    allows another (0: counted), and the client's live status, role code and permissions
    (``status`` is None when the budget refused or the client is gone)."""

    retry_after: int
    status: str | None = None
    role_code: str = ""
    permissions: tuple[str, ...] = ()


async def for_token(
    conn: asyncpg.Connection, org_id: UUID, client: UUID, budget: tuple[str, int, int]
) -> TokenGrant:
    """Count a token on the client's ``budget`` (key, limit, window in seconds) and read its
    live role, last use stamped, in one statement (migration 030; run it outside a
    transaction)."""
    row = await conn.fetchrow(q.client_token, org_id, client, *budget)
    return (
        _grant(row["retry_after"], row["status"], row["role_code"], row["permissions"])
        if row
        else TokenGrant(0)
    )


def _grant(
    retry_after: int, status: str | None, role_code: str | None, permissions: list[str] | None
) -> TokenGrant:
    if retry_after > 0:
        return TokenGrant(retry_after)
    return TokenGrant(0, status, role_code or "", tuple(permissions or ()))


async def with_secrets_and_token(
    conn: asyncpg.Connection, client_id: str, presented: bytes, budget: tuple[str, int, int]
) -> tuple[Client, list[bytes], TokenGrant | None] | None:
    """:func:`with_secrets` and, when ``presented`` (a keyed hash) is one of the client's
    live secrets and it may act as itself, :func:`for_token` (``budget`` is the key's prefix,
    the limit and the window), in one statement (migration 030). The caller still decides on
    the hashes; the grant is None when the second half did not run."""
    row = await conn.fetchrow(q.client_credentials_token, client_id, presented, *budget)
    if row is None:
        return None
    fields = dict(row)
    client, hashes = _credentials(fields)
    if not fields["ran"]:
        return client, hashes, None
    grant = _grant(
        fields["retry_after"], fields["live_status"], fields["role_code"], fields["permissions"]
    )
    return client, hashes, grant


async def with_secrets_and_caller(
    conn: asyncpg.Connection, client_id: str, presented: bytes, org_id: UUID, user_id: UUID
) -> tuple[Client, list[bytes], SessionCaller | Unread | None] | None:
    """:func:`with_secrets` and, when ``presented`` (a keyed hash) is one of the live client's
    secrets and ``org_id`` is its organization, the member ``user_id`` as
    :func:`service.accounts.repo.session_caller` reads them, in one statement (migration
    030). The caller still decides on the hashes; :data:`UNREAD` when the second half did
    not run, None when it found no such member."""
    row = await conn.fetchrow(q.client_credentials_caller, client_id, presented, org_id, user_id)
    if row is None:
        return None
    fields = dict(row)
    client, hashes = _credentials(fields)
    if not fields.pop("ran"):
        return client, hashes, UNREAD
    if fields["caller_id"] is None:
        return client, hashes, None
    prefix = len("caller_")
    caller = {name[prefix:]: value for name, value in fields.items() if name.startswith("caller_")}
    return client, hashes, session_caller_from(caller)


async def count_locked(conn: asyncpg.Connection, org_id: UUID) -> int:
    """How many clients the organization holds, after taking the organization's registration
    lock (held until the transaction ends): parallel registrations count one after another."""
    await conn.execute(q.lock_clients_of, org_id)
    count: int = await conn.fetchval(q.count_clients, org_id)
    return count
