"""Rows inserted with plain SQL as the app role, each inside its own tenant's transaction."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from service.db.tx import SET_TENANT
from service.ids import uuid7


async def organization(conn: asyncpg.Connection, name: str) -> UUID:
    org_id = uuid7()
    async with conn.transaction():
        await conn.execute(SET_TENANT, str(org_id), None, False)
        await conn.execute(
            "INSERT INTO organizations (id, name, slug) VALUES ($1, $2, $3)",
            org_id,
            name,
            f"{name.lower().replace(' ', '-')}-{org_id.hex[-6:]}",
        )
    return org_id


async def role(conn: asyncpg.Connection, org_id: UUID, code: str = "member") -> UUID:
    role_id = uuid7()
    async with conn.transaction():
        await conn.execute(SET_TENANT, str(org_id), None, False)
        await conn.execute(
            "INSERT INTO roles (id, organization_id, code, name, is_managed, permissions)"
            " VALUES ($1, $2, $3, $4, true, '{users.read}')",
            role_id,
            org_id,
            code,
            code.title(),
        )
    return role_id


async def user(conn: asyncpg.Connection, email: str) -> UUID:
    user_id = uuid7()
    async with conn.transaction():
        await conn.execute(SET_TENANT, None, None, False)
        await conn.execute(
            "INSERT INTO users (id, email, name) VALUES ($1, $2, $3)", user_id, email, email
        )
    return user_id


async def member(conn: asyncpg.Connection, org_id: UUID, user_id: UUID, role_id: UUID) -> None:
    async with conn.transaction():
        await conn.execute(SET_TENANT, str(org_id), None, False)
        await conn.execute(
            "INSERT INTO memberships (organization_id, user_id, role_id) VALUES ($1, $2, $3)",
            org_id,
            user_id,
            role_id,
        )
