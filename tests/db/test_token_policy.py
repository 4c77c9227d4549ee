"""One-time tokens as the app role: an organization writes them only for its own members."""

from __future__ import annotations

import hashlib
import secrets
from uuid import UUID

import asyncpg
import pytest

from service.db.tx import SET_TENANT
from service.ids import uuid7
from tests.support import factories

INSERT = (
    "INSERT INTO one_time_tokens (id, user_id, purpose, token_hash, email, organization_id,"
    " expires_at) VALUES ($1, $2, 'set_password', $3, $4, $5, now() + interval '1 hour')"
)


async def _insert(
    conn: asyncpg.Connection, tenant: UUID | None, user: UUID, org: UUID | None
) -> None:
    digest = hashlib.sha256(secrets.token_bytes(32)).digest()
    async with conn.transaction():
        # No tenant: the anonymous context of the flows that mint links before anyone is known.
        await conn.execute(SET_TENANT, str(tenant) if tenant else None, None, tenant is None)
        await conn.execute(INSERT, uuid7(), user, digest, "someone@example.org", org)


@pytest.fixture
async def people(app_conn: asyncpg.Connection) -> dict[str, UUID]:
    """Organization A with its member, organization B with its member, and a loner."""
    found: dict[str, UUID] = {}
    for name in ("a", "b"):
        org = await factories.organization(app_conn, f"Org {name}")
        role = await factories.role(app_conn, org)
        user = await factories.user(app_conn, f"staff@{name}.example")
        await factories.member(app_conn, org, user, role)
        found[f"org_{name}"], found[f"member_{name}"] = org, user
    found["loner"] = await factories.user(app_conn, "loner@example.org")
    return found


async def test_a_tenant_cannot_mint_a_token_for_someone_it_does_not_employ(
    app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection, people: dict[str, UUID]
) -> None:
    org_a = people["org_a"]
    for victim in (people["member_b"], people["loner"]):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
            await _insert(app_conn, org_a, victim, org_a)
    assert await admin_conn.fetchval("SELECT count(*) FROM one_time_tokens") == 0


async def test_a_tenant_mints_tokens_for_its_members_and_no_tenant_for_anyone(
    app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection, people: dict[str, UUID]
) -> None:
    await _insert(app_conn, people["org_a"], people["member_a"], people["org_a"])
    # Still refused: a member of A, but the token names another organization.
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        await _insert(app_conn, people["org_a"], people["member_a"], people["org_b"])
    # Flows outside any organization (registration, reset) are unchanged.
    await _insert(app_conn, None, people["loner"], None)
    await _insert(app_conn, None, people["member_b"], people["org_b"])
    assert await admin_conn.fetchval("SELECT count(*) FROM one_time_tokens") == 3
