"""``GET /v1/public/organizations/resolve``: throttled per client address, and one indexed
read whichever way it is asked (read from the planner as the app role, in the context the
function ``app_resolve_organization`` sets; sequential scans priced out)."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx

from service.config import Settings
from tests.domains.helpers import resolve
from tests.v1.test_organizations import error

# The two reads of app_resolve_organization (migration 032), as the function runs them.
BY_SLUG = (
    "SELECT o.id, o.name, o.slug, o.logo_url, o.icon_url, o.language_code"
    " FROM organizations o WHERE o.slug = $1"
)
BY_DOMAIN = (
    "SELECT o.id, o.name, o.slug, o.logo_url, o.icon_url, o.language_code"
    " FROM organization_domains d JOIN organizations o ON o.id = d.organization_id"
    " WHERE d.domain = $1 AND d.status = 'verified'"
)


async def test_resolving_is_throttled_per_client_address(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    limit = settings.resolve_per_minute
    answers = await asyncio.gather(*(resolve(client, slug=f"guess-{i}") for i in range(limit + 5)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [404] * limit + [429] * 5
    refused = next(a for a in answers if a.status_code == 429)
    assert error(refused)["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) > 0


async def _plan(conn: asyncpg.Connection, query: str, value: str) -> str:
    async with conn.transaction():
        await conn.execute("SELECT set_config('app.resolve', 'on', true)")
        await conn.execute("SET LOCAL enable_seqscan = off")
        rows = await conn.fetch(f"EXPLAIN {query}", value)
    return "\n".join(row[0] for row in rows)


async def test_resolving_reads_one_index_either_way(app_conn: asyncpg.Connection) -> None:
    by_slug = await _plan(app_conn, BY_SLUG, "restartix")
    assert "organizations_slug_key" in by_slug, by_slug
    by_domain = await _plan(app_conn, BY_DOMAIN, "clinic.example.com")
    assert "organization_domains_verified_key" in by_domain, by_domain
    assert "organizations_pkey" in by_domain, by_domain
    for plan in (by_slug, by_domain):
        assert "Seq Scan" not in plan, plan


async def test_the_function_answers_only_the_public_card(app_conn: asyncpg.Connection) -> None:
    names = await app_conn.fetchval(
        "SELECT proargnames FROM pg_proc WHERE proname = 'app_resolve_organization'"
    )
    assert names[2:] == ["id", "name", "slug", "logo_url", "icon_url", "language_code"]
    # Outside the function the resolve context is off again, and no tenant shows anything.
    async with app_conn.transaction():
        await app_conn.fetch("SELECT * FROM app_resolve_organization('nobody', NULL)")
        assert await app_conn.fetchval("SELECT current_setting('app.resolve', true)") == ""
        assert await app_conn.fetchval("SELECT count(*) FROM organization_domains") == 0
