"""Requests the custom domain tests make, in the seed's words."""

from __future__ import annotations

import asyncpg
import httpx

from service.config import Settings
from service.db.pool import create_pool
from service.domains.service import recheck
from tests.roles.people import Member
from tests.v1.test_organizations import JSON

PREFIX = "_health-auth-verification"  # DOMAIN_TXT_PREFIX's default


def v1(who: Member) -> dict[str, str]:
    return {**who.headers, "Accept": JSON}


async def add(
    client: httpx.AsyncClient, who: Member, domain: str, kind: str = "clinic"
) -> httpx.Response:
    return await client.post(
        f"/v1/organizations/{who.org_id}/domains",
        json={"domain": domain, "domain_type": kind},
        headers=v1(who),
    )


async def verify(client: httpx.AsyncClient, who: Member, domain_id: str) -> httpx.Response:
    return await client.post(
        f"/v1/organizations/{who.org_id}/domains/{domain_id}/verify", headers=v1(who)
    )


async def resolve(client: httpx.AsyncClient, **query: str) -> httpx.Response:
    return await client.get(
        "/v1/public/organizations/resolve", params=query, headers={"Accept": JSON}
    )


async def rows(admin_conn: asyncpg.Connection) -> list[dict[str, object]]:
    """Every custom domain as stored, to show that a refused request changed nothing."""
    found = await admin_conn.fetch("SELECT * FROM organization_domains ORDER BY id")
    return [dict(row) for row in found]


async def rechecked(settings: Settings) -> int:
    """The janitor's re-check, once, with a pool of its own (as the janitor has)."""
    pool = await create_pool(settings.database_url or "", settings)
    try:
        return await recheck(pool, settings)
    finally:
        await pool.close()
