"""Row-level security as the app role: tenants see and change only their own rows."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import pytest

from service.db.tx import SET_TENANT
from tests.support import factories


@pytest.fixture
async def two_orgs(app_conn: asyncpg.Connection) -> tuple[UUID, UUID]:
    org_a = await factories.organization(app_conn, "Alpha Clinic")
    org_b = await factories.organization(app_conn, "Beta Lab")
    for org in (org_a, org_b):
        role = await factories.role(app_conn, org)
        user = await factories.user(app_conn, f"staff@{org.hex[-8:]}.example")
        await factories.member(app_conn, org, user, role)
    return org_a, org_b


TENANT_TABLES = ("organizations", "roles", "memberships")


@pytest.mark.parametrize("table", TENANT_TABLES)
async def test_no_tenant_sees_no_rows(
    app_conn: asyncpg.Connection, two_orgs: tuple[UUID, UUID], table: str
) -> None:
    async with app_conn.transaction():
        await app_conn.execute(SET_TENANT, None, None, False)
        assert await app_conn.fetchval(f"SELECT count(*) FROM {table}") == 0


async def test_no_tenant_sees_no_account_and_no_link(
    app_conn: asyncpg.Connection, two_orgs: tuple[UUID, UUID]
) -> None:
    """Accounts and links show only to the explicit anonymous context, never to a
    transaction that set nothing (nor to one that forgot its tenant)."""
    user = await factories.user(app_conn, "someone@rls.example")
    async with app_conn.transaction():
        await app_conn.execute(SET_TENANT, None, str(user), True)
        await app_conn.execute(
            "INSERT INTO one_time_tokens (id, user_id, purpose, token_hash, email, expires_at) "
            "VALUES (gen_random_uuid(), $1, 'password_reset', $2, 'someone@rls.example', "
            "now() + interval '1 hour')",
            user,
            bytes(32),
        )
    for settings in ((), (None, None, False)):
        async with app_conn.transaction():
            if settings:
                await app_conn.execute(SET_TENANT, *settings)
            assert await app_conn.fetchval("SELECT count(*) FROM users") == 0
            assert await app_conn.fetchval("SELECT count(*) FROM one_time_tokens") == 0
    async with app_conn.transaction():
        await app_conn.execute(SET_TENANT, None, None, True)
        assert await app_conn.fetchval("SELECT count(*) FROM users") >= 1
        assert await app_conn.fetchval("SELECT count(*) FROM one_time_tokens") == 1


async def test_no_tenant_cannot_insert(
    app_conn: asyncpg.Connection, two_orgs: tuple[UUID, UUID]
) -> None:
    org_a, _ = two_orgs
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        async with app_conn.transaction():
            await app_conn.execute(SET_TENANT, None, None, False)
            await app_conn.execute(
                "INSERT INTO roles (id, organization_id, code, name) "
                "VALUES (gen_random_uuid(), $1, 'nurse', 'Nurse')",
                org_a,
            )


@pytest.mark.parametrize("table", TENANT_TABLES)
async def test_tenant_sees_only_its_rows(
    app_conn: asyncpg.Connection, two_orgs: tuple[UUID, UUID], table: str
) -> None:
    org_a, org_b = two_orgs
    column = "id" if table == "organizations" else "organization_id"
    async with app_conn.transaction():
        await app_conn.execute(SET_TENANT, str(org_a), None, False)
        seen = await app_conn.fetch(f"SELECT DISTINCT {column} AS org FROM {table}")
        assert [row["org"] for row in seen] == [org_a]
        # Filtering for B's rows explicitly finds nothing either.
        assert (
            await app_conn.fetchval(f"SELECT count(*) FROM {table} WHERE {column} = $1", org_b) == 0
        )


async def test_users_in_a_tenant_are_its_members_only(
    app_conn: asyncpg.Connection, two_orgs: tuple[UUID, UUID]
) -> None:
    org_a, _ = two_orgs
    async with app_conn.transaction():
        await app_conn.execute(SET_TENANT, str(org_a), None, False)
        emails = await app_conn.fetch("SELECT email FROM users")
    assert [r["email"] for r in emails] == [f"staff@{org_a.hex[-8:]}.example"]


async def test_update_cannot_move_a_row_to_another_tenant(
    app_conn: asyncpg.Connection, two_orgs: tuple[UUID, UUID]
) -> None:
    org_a, org_b = two_orgs
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        async with app_conn.transaction():
            await app_conn.execute(SET_TENANT, str(org_a), None, False)
            await app_conn.execute("UPDATE roles SET organization_id = $1", org_b)


async def test_insert_for_another_tenant_is_refused(
    app_conn: asyncpg.Connection, two_orgs: tuple[UUID, UUID]
) -> None:
    org_a, org_b = two_orgs
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        async with app_conn.transaction():
            await app_conn.execute(SET_TENANT, str(org_a), None, False)
            await app_conn.execute(
                "INSERT INTO roles (id, organization_id, code, name) "
                "VALUES (gen_random_uuid(), $1, 'nurse', 'Nurse')",
                org_b,
            )


async def test_update_and_delete_of_another_tenant_touch_nothing(
    app_conn: asyncpg.Connection, two_orgs: tuple[UUID, UUID]
) -> None:
    org_a, org_b = two_orgs
    async with app_conn.transaction():
        await app_conn.execute(SET_TENANT, str(org_a), None, False)
        assert (
            await app_conn.execute(
                "UPDATE roles SET name = 'Hijacked' WHERE organization_id = $1", org_b
            )
            == "UPDATE 0"
        )
        assert (
            await app_conn.execute("DELETE FROM memberships WHERE organization_id = $1", org_b)
            == "DELETE 0"
        )
    async with app_conn.transaction():
        await app_conn.execute(SET_TENANT, str(org_b), None, False)
        assert await app_conn.fetchval("SELECT count(*) FROM memberships") == 1
        assert await app_conn.fetchval("SELECT count(*) FROM roles WHERE name = 'Hijacked'") == 0


async def test_a_user_reads_own_memberships_across_organizations(
    app_conn: asyncpg.Connection, two_orgs: tuple[UUID, UUID]
) -> None:
    org_a, org_b = two_orgs
    person = await factories.user(app_conn, "both@example.org")
    for org in (org_a, org_b):
        role = await factories.role(app_conn, org, code="nurse")
        await factories.member(app_conn, org, person, role)
    async with app_conn.transaction():
        await app_conn.execute(SET_TENANT, None, str(person), False)
        orgs = {
            r["organization_id"]
            for r in await app_conn.fetch("SELECT organization_id FROM memberships")
        }
        names = await app_conn.fetchval("SELECT count(*) FROM organizations")
    assert orgs == {org_a, org_b}
    assert names == 2
