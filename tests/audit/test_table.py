"""The audit_events table as the app role: tenant-scoped and append-only."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import pytest

from service.audit.recorder import record
from service.db.tx import SET_TENANT, set_tenant
from service.ids import uuid7
from tests.support import factories


async def _event(conn: asyncpg.Connection, org_id: UUID, resource_id: str = "org") -> None:
    async with conn.transaction():
        await set_tenant(conn, org_id=org_id, user_id=None)
        await record(
            conn,
            organization_id=org_id,
            action="organization.update",
            resource_id=resource_id,
            actor_kind="system",
            before={"name": "Old"},
            after={"name": "New"},
        )


@pytest.fixture
async def org(app_conn: asyncpg.Connection) -> UUID:
    org_id = await factories.organization(app_conn, "Audit Clinic")
    await _event(app_conn, org_id)
    return org_id


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'user.create'",
        "UPDATE audit_events SET changes = '{}' WHERE true",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ],
)
async def test_the_app_role_cannot_change_or_delete_events_even_in_its_tenant(
    app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection, org: UUID, statement: str
) -> None:
    with pytest.raises(
        asyncpg.InsufficientPrivilegeError, match="permission denied for table audit_events"
    ):
        async with app_conn.transaction():
            await app_conn.execute(SET_TENANT, str(org), None, False)
            assert await app_conn.fetchval("SELECT count(*) FROM audit_events") == 1
            await app_conn.execute(statement)
    row = await admin_conn.fetchrow("SELECT action, changes::text FROM audit_events")
    assert row["action"] == "organization.update"
    assert "New" in row["changes"]


async def test_the_app_role_may_only_select_and_insert(app_conn: asyncpg.Connection) -> None:
    granted = {
        privilege: await app_conn.fetchval(
            "SELECT has_table_privilege('audit_events', $1)", privilege
        )
        for privilege in ("SELECT", "UPDATE", "DELETE", "TRUNCATE")
    }
    assert granted == {"SELECT": True, "UPDATE": False, "DELETE": False, "TRUNCATE": False}
    # INSERT is granted column by column: every column but created_at.
    assert await app_conn.fetchval("SELECT has_any_column_privilege('audit_events', 'INSERT')")
    assert not await app_conn.fetchval(
        "SELECT has_column_privilege('audit_events', 'created_at', 'INSERT')"
    )
    assert not await app_conn.fetchval("SELECT has_any_column_privilege('audit_events', 'UPDATE')")


async def test_the_app_cannot_choose_an_events_time(
    app_conn: asyncpg.Connection, org: UUID
) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        async with app_conn.transaction():
            await app_conn.execute(SET_TENANT, str(org), None, False)
            await app_conn.execute(
                "INSERT INTO audit_events (id, organization_id, actor_kind, action,"
                " resource_type, resource_id, created_at)"
                " VALUES ($1, $2, 'system', 'user.create', 'auth/users', 'x', '2000-01-01')",
                uuid7(),
                org,
            )


async def test_not_even_a_superuser_rewrites_an_event(
    admin_conn: asyncpg.Connection, org: UUID
) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await admin_conn.execute("UPDATE audit_events SET action = 'user.create'")
    assert await admin_conn.fetchval("SELECT action FROM audit_events") == "organization.update"


async def test_a_tenant_sees_only_its_own_events(app_conn: asyncpg.Connection, org: UUID) -> None:
    other = await factories.organization(app_conn, "Other Lab")
    await _event(app_conn, other, "other-1")
    await _event(app_conn, other, "other-2")
    for tenant, expected in ((org, ["org"]), (other, ["other-1", "other-2"]), (None, [])):
        async with app_conn.transaction():
            await app_conn.execute(SET_TENANT, str(tenant) if tenant else None, None, False)
            rows = await app_conn.fetch("SELECT resource_id FROM audit_events ORDER BY id")
        assert [r["resource_id"] for r in rows] == expected


async def test_an_event_cannot_be_written_into_another_tenant(
    app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection, org: UUID
) -> None:
    other = await factories.organization(app_conn, "Other Lab")
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        async with app_conn.transaction():
            await set_tenant(app_conn, org_id=org, user_id=None)
            await record(
                app_conn,
                organization_id=other,
                action="organization.update",
                resource_id=str(other),
                actor_kind="system",
            )
    assert await admin_conn.fetchval("SELECT count(*) FROM audit_events") == 1


async def test_events_leave_with_their_organization(
    admin_conn: asyncpg.Connection, org: UUID
) -> None:
    assert await admin_conn.fetchval("SELECT count(*) FROM audit_events") > 0
    await admin_conn.execute("DELETE FROM organizations WHERE id = $1", org)
    assert await admin_conn.fetchval("SELECT count(*) FROM audit_events") == 0
