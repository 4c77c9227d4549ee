"""Every mutation leaves an audit row in the same transaction; without it nothing is kept."""

from __future__ import annotations

import asyncpg
import httpx

from tests.support.accounts import PASSWORD, bearer, login, signed_up
from tests.support.flows import Mailbox
from tests.users.helpers import new_user, org_of, role_id


async def _events(client: httpx.AsyncClient, headers: dict[str, str], **filters: str) -> list[dict]:
    params = {f"filter[{k}]": v for k, v in filters.items()}
    response = await client.get("/auth/audit-events", params=params, headers=headers)
    assert response.status_code == 200, response.text
    events: list[dict] = response.json()["data"]
    return events


async def test_member_changes_and_sign_ins_are_recorded(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    owner = bearer(await signed_up(client, mailbox, "owner@clinic.org"))
    org = await org_of(admin_conn, "owner@clinic.org")
    body = new_user(
        "new@clinic.org", await role_id(admin_conn, org, "member"), sendPasswordResetEmail=False
    )
    created = (await client.post("/auth/users", json=body, headers=owner)).json()["data"]
    rename = {
        "data": {"type": "auth/users", "id": created["id"], "attributes": {"name": "Renamed"}}
    }
    await client.patch(f"/auth/users/{created['id']}", json=rename, headers=owner)
    await client.delete(f"/auth/users/{created['id']}", headers=owner)
    await login(client, "owner@clinic.org", "not the password at all")
    actions = [e["attributes"]["action"] for e in await _events(client, owner)]
    assert actions[:4] == ["auth.login_failed", "user.remove", "user.update", "user.create"]
    assert {"organization.create", "auth.email_verified", "auth.login"} <= set(actions)
    update = (await _events(client, owner, action="user.update"))[0]["attributes"]
    assert update["changes"] == {"name": {"before": "New Person", "after": "Renamed"}}
    assert update["resourceId"] == created["id"]
    everything = str(await _events(client, owner))
    assert PASSWORD not in everything
    assert "password_hash" not in everything


async def test_a_failed_audit_write_keeps_nothing(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    owner = bearer(await signed_up(client, mailbox, "owner@clinic.org"))
    org = await org_of(admin_conn, "owner@clinic.org")
    body = new_user("lost@clinic.org", await role_id(admin_conn, org, "member"))
    await admin_conn.execute("REVOKE INSERT ON audit_events FROM auth_app")
    response = await client.post("/auth/users", json=body, headers=owner)
    assert response.status_code == 500
    assert response.json()["errors"][0]["code"] == "internal_error"
    assert "audit" not in response.text
    assert (
        await admin_conn.fetchval("SELECT count(*) FROM users WHERE email = 'lost@clinic.org'") == 0
    )
    assert (
        await admin_conn.fetchval(
            "SELECT count(*) FROM mail_outbox WHERE recipient = 'lost@clinic.org'"
        )
        == 0
    )
