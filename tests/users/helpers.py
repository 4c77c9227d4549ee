"""Arranging members for the member tests."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import httpx

from service.config import Settings
from service.security.passwords import PasswordHasher
from tests.support.accounts import login

PASSWORD = "members own passphrase"


async def org_of(admin_conn: asyncpg.Connection, email: str) -> UUID:
    org: UUID = await admin_conn.fetchval(
        "SELECT m.organization_id FROM memberships m JOIN users u ON u.id = m.user_id "
        "WHERE u.email = $1 ORDER BY m.created_at LIMIT 1",
        email,
    )
    return org


async def role_id(admin_conn: asyncpg.Connection, org: UUID, code: str) -> str:
    return str(
        await admin_conn.fetchval(
            "SELECT id FROM roles WHERE organization_id = $1 AND code = $2", org, code
        )
    )


async def member_with_role(
    admin_conn: asyncpg.Connection, settings: Settings, org: UUID, email: str, code: str
) -> None:
    """A verified user with a password, holding ``code`` in ``org``, written directly."""
    hasher = PasswordHasher(settings)
    try:
        password_hash = await hasher.hash(PASSWORD)
    finally:
        hasher.close()
    user_id = await admin_conn.fetchval(
        "INSERT INTO users (id, email, name, password_hash, email_verified_at) "
        "VALUES (gen_random_uuid(), $1, $1, $2, now()) "
        "ON CONFLICT (email) DO UPDATE SET email = excluded.email RETURNING id",
        email,
        password_hash,
    )
    await admin_conn.execute(
        "INSERT INTO memberships (organization_id, user_id, role_id) "
        "SELECT $1, $2, id FROM roles WHERE organization_id = $1 AND code = $3",
        org,
        user_id,
        code,
    )


async def token_for(
    client: httpx.AsyncClient, email: str, org: UUID | None = None
) -> dict[str, str]:
    extra = {"organization_id": str(org)} if org else {}
    response = await login(client, email, PASSWORD, **extra)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def new_user(email: str, role: str, **attributes: Any) -> dict[str, Any]:
    return {
        "data": {
            "type": "auth/users",
            "attributes": {
                "email": email,
                "name": "New Person",
                "userType": "builder",
                **attributes,
            },
            "relationships": {"auth/roles": {"data": {"type": "auth/roles", "id": role}}},
        }
    }
