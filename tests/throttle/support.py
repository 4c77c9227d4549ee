"""Steps shared by the throttle tests over HTTP."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import httpx
from argon2 import PasswordHasher

from tests.support import factories
from tests.support.accounts import PASSWORD


def from_address(address: str) -> dict[str, str]:
    """Headers of a request that the trusted proxy on loopback forwards from ``address``."""
    return {"X-Forwarded-For": address}


async def hasher(client: httpx.AsyncClient) -> dict[str, int]:
    """The service's argon2 counters."""
    response = await client.get("/test/hasher")
    assert response.status_code == 200, response.text
    stats: dict[str, int] = response.json()
    return stats


async def login(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, *, address: str
) -> httpx.Response:
    return await client.post(
        "/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
        headers=from_address(address),
    )


async def staff(
    app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection, emails: list[str]
) -> UUID:
    """Verified members of one organization with ``PASSWORD`` (hashed as the test settings
    would), inserted with SQL; the organization's id."""
    org_id = await factories.organization(app_conn, "Harbour Clinic")
    role_id = await factories.role(app_conn, org_id)
    stored = PasswordHasher(memory_cost=256, time_cost=1, parallelism=1).hash(PASSWORD)
    for email in emails:
        user_id = await factories.user(app_conn, email)
        await factories.member(app_conn, org_id, user_id, role_id)
        await admin_conn.execute(
            "UPDATE users SET password_hash = $2, email_verified_at = now() WHERE id = $1",
            user_id,
            stored,
        )
    return org_id
