"""record(): one row in the caller's transaction, or nothing at all."""

from __future__ import annotations

import json
from uuid import UUID

import asyncpg
import pytest

from service.audit.recorder import record
from service.db.tx import set_tenant, transaction
from service.ids import uuid7
from service.logs import request_id_var
from tests.support import factories


@pytest.fixture
async def org(app_conn: asyncpg.Connection) -> UUID:
    return await factories.organization(app_conn, "Record Clinic")


async def test_record_writes_the_event_with_its_context(
    pool: asyncpg.Pool, admin_conn: asyncpg.Connection, org: UUID
) -> None:
    actor, user = uuid7(), uuid7()
    token = request_id_var.set("req-abc-123")
    try:
        async with transaction(pool, org_id=org, user_id=actor) as conn:
            await record(
                conn,
                organization_id=org,
                action="user.update",
                resource_id=user,
                actor_user_id=actor,
                before={"name": "Ann", "active": True, "password_hash": "$argon2id$a"},
                after={"name": "Ann Lee", "active": True, "password_hash": "$argon2id$b"},
                address="203.0.113.9",
            )
            started = await conn.fetchval("SELECT now()")
    finally:
        request_id_var.reset(token)
    row = await admin_conn.fetchrow("SELECT *, changes::text AS diff FROM audit_events")
    assert row["id"].version == 7
    assert row["organization_id"] == org
    assert (row["actor_user_id"], row["actor_kind"]) == (actor, "user")
    assert (row["action"], row["resource_type"]) == ("user.update", "auth/users")
    assert row["resource_id"] == str(user)
    assert json.loads(row["diff"]) == {"name": {"before": "Ann", "after": "Ann Lee"}}
    assert "argon2" not in row["diff"]
    assert (row["request_id"], row["address"]) == ("req-abc-123", "203.0.113.9")
    assert row["created_at"] == started


async def test_outside_a_request_there_is_no_request_id_and_unknown_is_no_address(
    app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection, org: UUID
) -> None:
    async with app_conn.transaction():
        await set_tenant(app_conn, org_id=org, user_id=None)
        await record(
            app_conn,
            organization_id=org,
            action="auth.login_failed",
            resource_id="someone",
            actor_kind="anonymous",
            address="unknown",
        )
    row = await admin_conn.fetchrow("SELECT * FROM audit_events")
    assert (row["request_id"], row["address"], row["actor_user_id"]) == (None, None, None)
    assert row["actor_kind"] == "anonymous"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"action": "user.explode"}, "unknown audit action"),
        ({"actor_kind": "robot", "actor_user_id": None}, "actor_kind"),
        ({"actor_user_id": None}, "needs actor_user_id"),
        ({"actor_kind": "system"}, "have none"),
    ],
)
async def test_mistaken_arguments_are_refused_before_anything_is_written(
    app_conn: asyncpg.Connection,
    admin_conn: asyncpg.Connection,
    org: UUID,
    arguments: dict[str, object],
    message: str,
) -> None:
    call: dict[str, object] = {
        "organization_id": org,
        "action": "user.create",
        "resource_id": "u-1",
        "actor_user_id": uuid7(),
        **arguments,
    }
    with pytest.raises(ValueError, match=message):
        async with app_conn.transaction():
            await set_tenant(app_conn, org_id=org, user_id=None)
            await record(app_conn, **call)  # type: ignore[arg-type]
    assert await admin_conn.fetchval("SELECT count(*) FROM audit_events") == 0


async def test_without_the_tenant_set_the_write_is_refused(
    app_conn: asyncpg.Connection, org: UUID
) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        async with app_conn.transaction():
            await set_tenant(app_conn, org_id=None, user_id=None)
            await record(
                app_conn,
                organization_id=org,
                action="organization.create",
                resource_id=str(org),
                actor_kind="system",
            )


async def test_a_failed_audit_write_takes_the_whole_change_with_it(
    pool: asyncpg.Pool, admin_conn: asyncpg.Connection, org: UUID
) -> None:
    role_id, actor = uuid7(), uuid7()
    huge = {f"field_{n}": "x" * 200 for n in range(200)}  # about 40 kB of diff
    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with transaction(pool, org_id=org, user_id=actor) as conn:
            await conn.execute(
                "INSERT INTO roles (id, organization_id, code, name) VALUES ($1, $2, 'x', 'X')",
                role_id,
                org,
            )
            assert await conn.fetchval("SELECT count(*) FROM roles WHERE id = $1", role_id) == 1
            await record(
                conn,
                organization_id=org,
                action="role.create",
                resource_id=role_id,
                actor_user_id=actor,
                after=huge,
            )
    assert caught.value.constraint_name == "audit_events_changes_size_check"
    assert await admin_conn.fetchval("SELECT count(*) FROM roles WHERE id = $1", role_id) == 0
    assert await admin_conn.fetchval("SELECT count(*) FROM audit_events") == 0


async def test_a_diff_just_under_the_limit_is_kept(
    app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection, org: UUID
) -> None:
    async with app_conn.transaction():
        await set_tenant(app_conn, org_id=org, user_id=None)
        await record(
            app_conn,
            organization_id=org,
            action="organization.update",
            resource_id=str(org),
            actor_kind="system",
            after={"description": "y" * 12_000},
        )
    assert await admin_conn.fetchval("SELECT count(*) FROM audit_events") == 1
