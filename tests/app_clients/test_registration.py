"""Registering app clients with Zus's body: what is answered, stored and refused."""

from __future__ import annotations

import hashlib

import asyncpg
import httpx

from service.config import Settings
from tests.app_clients.clients import create, registered, role_id, zus_body
from tests.roles.people import member, owner
from tests.support.flows import Mailbox


async def test_zus_body_gives_an_id_a_client_id_and_a_secret_shown_once(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "zus@clinic.org")
    builder = await role_id(admin_conn, me.org_id, "admin")
    response = await create(client, me, zus_body(builder))
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    data = response.json()["data"]
    attributes = data["attributes"]
    assert response.headers["location"] == f"/auth/app-clients/{data['id']}"
    assert attributes["type"] == "machine_to_machine"
    assert attributes["userType"] == "builder"
    assert attributes["tokenEndpointAuthMethod"] == "client_secret_basic"
    assert attributes["status"] == "active"
    assert attributes["lastUsedAt"] is None
    assert data["relationships"]["auth/roles"]["data"] == {"type": "auth/roles", "id": builder}
    secret = attributes["clientSecret"]
    assert secret.startswith("acs_")
    assert len(secret) == 47
    again = await client.get(f"/auth/app-clients/{data['id']}", headers=me.headers)
    assert again.status_code == 200
    assert "clientSecret" not in again.json()["data"]["attributes"]
    listed = await client.get("/auth/app-clients", headers=me.headers)
    assert [c["id"] for c in listed.json()["data"]] == [data["id"]]
    assert "clientSecret" not in listed.json()["data"][0]["attributes"]
    # Only a keyed hash is kept: neither the secret nor its plain SHA-256 is anywhere.
    stored = await admin_conn.fetch("SELECT secret_hash FROM app_client_secrets")
    assert len(stored) == 1
    assert stored[0]["secret_hash"] != hashlib.sha256(secret.encode()).digest()
    dump = await admin_conn.fetchval("SELECT string_agg(t::text, ' ') FROM app_clients t")
    assert secret not in dump
    assert secret[4:] not in dump
    event = await admin_conn.fetchrow(
        "SELECT * FROM audit_events WHERE action = 'app_client.create'"
    )
    assert event["resource_id"] == data["id"]
    assert "secret" not in event["changes"]


async def test_a_role_beyond_the_caller_and_a_caller_without_the_permission_are_refused(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    me = await owner(client, mailbox, admin_conn, "reach@clinic.org")
    admin = await member(client, admin_conn, settings, me.org_id, "admin@clinic.org", "admin")
    nurse = await member(client, admin_conn, settings, me.org_id, "nurse@clinic.org", "member")
    owner_role = await role_id(admin_conn, me.org_id, "owner")
    member_role = await role_id(admin_conn, me.org_id, "member")
    # An admin may not make a client that acts as an owner.
    response = await create(client, admin, zus_body(owner_role))
    assert response.status_code == 403, response.text
    error = response.json()["errors"][0]
    assert error["source"]["pointer"] == "/data/relationships/auth~1roles/data/id"
    # A care team member may not register clients at all.
    assert (await create(client, nurse, zus_body(member_role))).status_code == 403
    assert (await client.get("/auth/app-clients", headers=nurse.headers)).status_code == 403
    # Nor may the admin manage a client the owner made with the owner role.
    mighty = await registered(client, me, owner_role)
    for method, path in (
        ("POST", f"/auth/app-clients/{mighty['id']}/rotate-secret"),
        ("DELETE", f"/auth/app-clients/{mighty['id']}"),
    ):
        answer = await client.request(method, path, headers=admin.headers)
        assert answer.status_code == 403, (path, answer.text)
    assert await admin_conn.fetchval("SELECT count(*) FROM app_client_secrets") == 1
    assert await admin_conn.fetchval("SELECT count(*) FROM app_clients") == 1


async def test_another_organization_sees_nothing(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    alice = await owner(client, mailbox, admin_conn, "alice@a.org", organization="A Clinic")
    bob = await owner(client, mailbox, admin_conn, "bob@b.org", organization="B Clinic")
    made = await registered(client, alice, await role_id(admin_conn, alice.org_id, "member"))
    path = f"/auth/app-clients/{made['id']}"
    assert (await client.get(path, headers=bob.headers)).status_code == 404
    assert (await client.post(f"{path}/rotate-secret", headers=bob.headers)).status_code == 404
    assert (await client.delete(path, headers=bob.headers)).status_code == 404
    assert (await client.get("/auth/app-clients", headers=bob.headers)).json()["data"] == []
    # Nor can B's client be given A's role.
    foreign = await create(client, bob, zus_body(await role_id(admin_conn, alice.org_id, "member")))
    assert foreign.status_code == 400
    assert foreign.json()["errors"][0]["code"] == "role_not_found"


async def test_settings_that_cannot_work_are_refused_with_pointers(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "rules@clinic.org")
    role = await role_id(admin_conn, me.org_id, "member")
    cases = [
        (zus_body(role, passwordGrant=True), "/data/attributes/passwordGrant"),
        (zus_body(role, redirectUris=["https://app.example/cb"]), "/data/attributes/redirectUris"),
        (
            zus_body(
                role, kind="single_page_application", tokenEndpointAuthMethod="client_secret_basic"
            ),
            "/data/attributes/tokenEndpointAuthMethod",
        ),
        (
            zus_body(role, kind="regular_web_application", redirectUris=["http://app.example/cb"]),
            "/data/attributes/redirectUris/0",
        ),
        (
            zus_body(role, kind="regular_web_application", redirectUris=["https://a.example/cb#x"]),
            "/data/attributes/redirectUris/0",
        ),
        (
            zus_body(
                role, kind="single_page_application", allowedOrigins=["https://app.example/path"]
            ),
            "/data/attributes/allowedOrigins/0",
        ),
        (zus_body(role, tokenEndpointAuthMethod="private_key_jwt"), "/data/attributes/jwks"),
    ]
    for body, pointer in cases:
        response = await create(client, me, body)
        assert response.status_code == 400, (body, response.text)
        assert pointer in [e["source"]["pointer"] for e in response.json()["errors"]], response.text
    assert await admin_conn.fetchval("SELECT count(*) FROM app_clients") == 0


async def test_public_and_browser_clients_get_their_defaults(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "kinds@clinic.org")
    role = await role_id(admin_conn, me.org_id, "member")
    spa = await registered(
        client,
        me,
        role,
        type="single_page_application",
        redirectUris=["https://app.example/callback", "http://127.0.0.1:5173/cb"],
        allowedOrigins=["https://app.example"],
    )
    assert spa["attributes"]["tokenEndpointAuthMethod"] == "none"
    assert "clientSecret" not in spa["attributes"]
    native = await registered(
        client, me, role, type="native", redirectUris=["com.example.app:/oauth2redirect"]
    )
    assert native["attributes"]["redirectUris"] == ["com.example.app:/oauth2redirect"]


async def test_a_role_held_by_a_client_cannot_be_deleted(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "inuse@clinic.org")
    made = await client.post(
        "/auth/roles",
        json={
            "data": {
                "type": "auth/roles",
                "attributes": {"name": "Robot", "permissions": ["users.read"]},
            }
        },
        headers={**me.headers, "Content-Type": "application/vnd.api+json"},
    )
    assert made.status_code == 201, made.text
    robot = made.json()["data"]["id"]
    await registered(client, me, robot)
    response = await client.delete(f"/auth/roles/{robot}", headers=me.headers)
    assert response.status_code == 409, response.text
    assert response.json()["errors"][0]["code"] == "role_in_use"
