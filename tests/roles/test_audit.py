"""Every change to a role leaves one audit event, written in the same transaction."""

from __future__ import annotations

import json

import asyncpg
import httpx

from tests.roles.people import changes, create, owner
from tests.support.flows import Mailbox


async def test_create_update_delete_are_recorded(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "audited@clinic.org")
    user_id = await admin_conn.fetchval("SELECT id FROM users WHERE email = $1", me.email)
    role = await create(client, me, name="Audited", permissions=["users.read"])
    path = f"/auth/roles/{role['id']}"
    patched = await client.patch(
        path, json=changes(permissions=["users.read", "audit.read"]), headers=me.headers
    )
    assert patched.status_code == 200
    unchanged = await client.patch(path, json=changes(name="Audited"), headers=me.headers)
    assert unchanged.status_code == 200
    refused = await client.patch(path, json=changes(code="other"), headers=me.headers)
    assert refused.status_code == 400
    deleted = await client.delete(path, headers=me.headers)
    assert deleted.status_code == 204

    rows = await admin_conn.fetch(
        "SELECT organization_id, actor_user_id, action, resource_type, resource_id, changes,"
        " request_id FROM audit_events WHERE resource_type = 'auth/roles' ORDER BY id"
    )
    assert [r["action"] for r in rows] == ["role.create", "role.update", "role.delete"]
    assert {(r["organization_id"], r["actor_user_id"], r["resource_id"]) for r in rows} == {
        (me.org_id, user_id, role["id"])
    }
    created, updated, removed = (json.loads(r["changes"]) for r in rows)
    assert created["code"] == {"before": None, "after": "audited"}
    assert created["isManaged"] == {"before": None, "after": False}
    assert updated == {
        "permissions": {"before": ["users.read"], "after": ["users.read", "audit.read"]}
    }
    assert removed["name"] == {"before": "Audited", "after": None}
    assert rows[1]["request_id"] == patched.headers["x-request-id"]
