"""SQL for users and their memberships."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg

from service.db.queries import load
from service.fields import normalize_email
from service.ids import uuid7

q = load(__file__)


@dataclass(frozen=True, slots=True)
class User:
    id: UUID
    email: str
    name: str
    given_name: str | None
    family_name: str | None
    password_hash: str | None
    email_verified_at: datetime | None
    disabled_at: datetime | None
    last_organization_id: UUID | None


@dataclass(frozen=True, slots=True)
class Membership:
    organization_id: UUID
    organization_name: str
    role_code: str
    permissions: list[str]
    practitioner_id: str | None
    member_since: datetime | None = None


async def by_email(conn: asyncpg.Connection, email: str) -> User | None:
    """Addresses are stored normalized; so is the one looked up."""
    row = await conn.fetchrow(q.user_by_email, normalize_email(email))
    return User(**dict(row)) if row else None


async def by_id(conn: asyncpg.Connection, user_id: UUID, *, lock: bool = False) -> User | None:
    row = await conn.fetchrow(q.user_by_id_locked if lock else q.user_by_id, user_id)
    return User(**dict(row)) if row else None


async def insert(
    conn: asyncpg.Connection,
    *,
    user_id: UUID,
    email: str,
    name: str,
    given_name: str | None,
    family_name: str | None,
    password_hash: str | None,
    verified: bool = False,
) -> None:
    await conn.execute(
        q.insert_user,
        user_id,
        email,
        name,
        given_name,
        family_name,
        password_hash,
        datetime.now(UTC) if verified else None,
    )


async def insert_unkept(conn: asyncpg.Connection, *, name: str) -> User:
    """An account that lives only inside a savepoint about to be rolled back: the stand-in a
    flow works on for an address without an account, so that it costs what the real path
    costs. Its address can never be a real one."""
    user_id = uuid7()
    email = f"{user_id}@unkept.invalid"
    await insert(
        conn,
        user_id=user_id,
        email=email,
        name=name,
        given_name=None,
        family_name=None,
        password_hash=None,
    )
    return User(user_id, email, name, None, None, None, None, None, None)


async def restart_registration(
    conn: asyncpg.Connection,
    user_id: UUID,
    *,
    password_hash: str,
    name: str,
    given_name: str,
    family_name: str,
) -> None:
    await conn.execute(
        q.restart_registration, user_id, password_hash, name, given_name, family_name
    )


async def mark_verified(conn: asyncpg.Connection, user_id: UUID, org_id: UUID | None) -> None:
    await conn.execute(q.mark_verified, user_id, org_id)


async def set_password(conn: asyncpg.Connection, user_id: UUID, password_hash: str) -> None:
    await conn.execute(q.set_password, user_id, password_hash)


async def rehash(conn: asyncpg.Connection, user_id: UUID, new_hash: str, old_hash: str) -> None:
    await conn.execute(q.rehash_password, user_id, new_hash, old_hash)


async def set_last_organization(conn: asyncpg.Connection, user_id: UUID, org_id: UUID) -> None:
    await conn.execute(q.set_last_organization, user_id, org_id)


async def active_memberships(conn: asyncpg.Connection, user_id: UUID) -> list[Membership]:
    return [Membership(**dict(r)) for r in await conn.fetch(q.active_memberships, user_id)]


async def membership(conn: asyncpg.Connection, org_id: UUID, user_id: UUID) -> Membership | None:
    row = await conn.fetchrow(q.membership, org_id, user_id)
    return Membership(**dict(row)) if row else None


@dataclass(frozen=True, slots=True)
class MemberView:
    id: UUID
    email: str
    name: str
    email_verified: bool
    active: bool
    role_id: UUID
    role_code: str
    practitioner_id: str | None
    organization_id: UUID
    created_at: datetime
    updated_at: datetime


async def member_view(conn: asyncpg.Connection, org_id: UUID, user_id: UUID) -> MemberView | None:
    row = await conn.fetchrow(q.member_view, org_id, user_id)
    return MemberView(**dict(row)) if row else None


@dataclass(frozen=True, slots=True)
class SessionCaller:
    """The caller of an authenticated request, read once by the authentication itself."""

    view: MemberView
    accepted: bool
    disabled_at: datetime | None
    permissions: list[str]
    sessions_since: datetime | None
    sessions_epoch: int


async def session_caller(
    conn: asyncpg.Connection, org_id: UUID, user_id: UUID
) -> SessionCaller | None:
    """Sets the tenant to ``org_id`` and ``user_id`` (transaction-local) and reads the caller
    there, in one statement (``app_session_caller``, migration 023)."""
    row = await conn.fetchrow(q.session_caller, org_id, user_id)
    return session_caller_from(dict(row)) if row else None


def session_caller_from(fields: dict[str, Any]) -> SessionCaller:
    """A caller from the columns ``app_session_caller`` answers (the dict is consumed)."""
    names = ("accepted", "disabled_at", "permissions", "sessions_since", "sessions_epoch")
    extra = {name: fields.pop(name) for name in names}
    return SessionCaller(view=MemberView(**fields), **extra)


@dataclass(frozen=True, slots=True)
class SessionClient:
    """An app client as authentication decides on it: live status, live role."""

    id: UUID
    client_id: str
    name: str
    status: str
    role_code: str
    permissions: list[str]
    tokens_since: datetime


async def session_client(
    conn: asyncpg.Connection, org_id: UUID, client: UUID
) -> SessionClient | None:
    """Sets the tenant to ``org_id`` (transaction-local, no user) and reads the app client
    there, in one statement (``app_client_caller``, migration 025)."""
    row = await conn.fetchrow(q.session_client, org_id, client)
    return SessionClient(**dict(row)) if row else None


async def issuing_client(
    conn: asyncpg.Connection, org_id: UUID, client_id: str
) -> tuple[str, datetime] | None:
    """Status and ``tokens_since`` of the app client ``client_id`` of the organization."""
    row = await conn.fetchrow(q.issuing_client, org_id, client_id)
    return (row["status"], row["tokens_since"]) if row else None
