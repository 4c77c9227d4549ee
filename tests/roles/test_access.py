"""Who may do what: no privilege escalation, tenants never see each other, permissions gate."""

from __future__ import annotations

import uuid

import asyncpg
import httpx

from service.config import Settings
from tests.roles.people import changes, create, member, new_role, owner, without_request_id
from tests.support.flows import Mailbox


async def test_nobody_grants_what_they_do_not_hold(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    boss = await owner(client, mailbox, admin_conn, "boss@clinic.org")
    admin = await member(client, admin_conn, settings, boss.org_id, "admin@clinic.org", "admin")
    for permissions in (
        ["users.read", "organization.update"],
        ["fhir:Patient.read"],
        ["fhir:Patient.write", "users.read", "organization.update"],
    ):
        response = await client.post(
            "/auth/roles", json=new_role(permissions=permissions), headers=admin.headers
        )
        assert response.status_code == 403, response.text
        error = response.json()["errors"][0]
        assert error["code"] == "forbidden"
        assert error["source"] == {"pointer": "/data/attributes/permissions"}
        for lacking in permissions:
            assert (lacking in error["detail"]) == (lacking != "users.read")
    assert await admin_conn.fetchval("SELECT count(*) FROM roles WHERE NOT is_managed") == 0

    # What the admin holds, they may grant.
    mine = await create(client, admin, name="Helpers", permissions=["users.read", "audit.read"])
    grown = await client.patch(
        f"/auth/roles/{mine['id']}",
        json=changes(permissions=["users.read", "organization.update"]),
        headers=admin.headers,
    )
    assert grown.status_code == 403
    clinical = await client.patch(
        f"/auth/roles/{mine['id']}",
        json=changes(permissions=["fhir:Observation.read"]),
        headers=admin.headers,
    )
    assert clinical.status_code == 403
    stored = await admin_conn.fetchval(
        "SELECT permissions FROM roles WHERE id = $1::uuid", mine["id"]
    )
    assert stored == ["users.read", "audit.read"]

    # A role that already holds more than the admin: even a rename keeps that set, refused.
    nurses = await create(client, boss, name="Nurses", permissions=["fhir:Patient.read"])
    rename = await client.patch(
        f"/auth/roles/{nurses['id']}", json=changes(name="Nursing"), headers=admin.headers
    )
    assert rename.status_code == 403
    assert "fhir:Patient.read" in rename.json()["errors"][0]["detail"]
    shrink = await client.patch(
        f"/auth/roles/{nurses['id']}",
        json=changes(permissions=["users.read"]),
        headers=admin.headers,
    )
    # Nor may it be stripped down to what the admin holds: it is beyond their reach.
    assert shrink.status_code == 403, shrink.text
    assert "fhir:Patient.read" in shrink.json()["errors"][0]["detail"]
    kept = await admin_conn.fetchval(
        "SELECT permissions FROM roles WHERE id = $1::uuid", nurses["id"]
    )
    assert kept == ["fhir:Patient.read"]
    # The owner holds every permission and may grant any.
    owned = await client.patch(
        f"/auth/roles/{mine['id']}",
        json=changes(permissions=["organization.update", "fhir:Patient.write"]),
        headers=boss.headers,
    )
    assert owned.status_code == 200, owned.text


async def test_another_organizations_roles_are_not_found(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    a = await owner(client, mailbox, admin_conn, "a@alpha.org", organization="Alpha Clinic")
    b = await owner(client, mailbox, admin_conn, "b@beta.org", organization="Beta Clinic")
    b_custom = await create(client, b, name="Beta Only", code="beta-only")
    b_member = await admin_conn.fetchval(
        "SELECT id FROM roles WHERE organization_id = $1 AND code = 'member'", b.org_id
    )
    before = await admin_conn.fetch(
        "SELECT * FROM roles WHERE organization_id = $1 ORDER BY id", b.org_id
    )
    missing = f"/auth/roles/{uuid.uuid4()}"

    async def calls(path: str) -> list[httpx.Response]:
        return [
            await client.get(path, headers=a.headers),
            await client.patch(path, json=changes(name="Taken Over"), headers=a.headers),
            await client.delete(path, headers=a.headers),
        ]

    expected = [without_request_id(r) for r in await calls(missing)]
    assert expected[0]["errors"][0]["code"] == "role_not_found"
    assert all(body == expected[0] for body in expected)
    for role_id in (b_custom["id"], str(b_member)):
        answers = await calls(f"/auth/roles/{role_id}")
        assert [r.status_code for r in answers] == [404, 404, 404]
        assert [without_request_id(r) for r in answers] == expected
    after = await admin_conn.fetch(
        "SELECT * FROM roles WHERE organization_id = $1 ORDER BY id", b.org_id
    )
    assert [dict(r) for r in after] == [dict(r) for r in before]

    listed = await client.get("/auth/roles?page[size]=200", headers=a.headers)
    ids = {r["id"] for r in listed.json()["data"]}
    assert len(ids) == 4
    assert b_custom["id"] not in ids
    assert str(b_member) not in ids
    by_code = await client.get("/auth/roles?filter[code]=beta-only", headers=a.headers)
    assert by_code.json()["data"] == []
    # The same name and code are free in A: uniqueness is per organization.
    twin = await create(client, a, name="Beta Only", code="beta-only")
    assert twin["id"] != b_custom["id"]


async def test_a_member_without_permissions_is_refused_everywhere(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    boss = await owner(client, mailbox, admin_conn, "boss@clinic.org")
    custom = await create(client, boss, name="Existing")
    nobody = await member(
        client, admin_conn, settings, boss.org_id, "nobody@clinic.org", "permissionless"
    )
    path = f"/auth/roles/{custom['id']}"
    answers = [
        await client.get("/auth/roles", headers=nobody.headers),
        await client.get("/auth/roles?filter[name]=Care Team User", headers=nobody.headers),
        await client.get(path, headers=nobody.headers),
        await client.post("/auth/roles", json=new_role(permissions=[]), headers=nobody.headers),
        await client.patch(path, json=changes(name="Mine Now"), headers=nobody.headers),
        await client.delete(path, headers=nobody.headers),
        await client.get("/auth/permissions", headers=nobody.headers),
    ]
    assert [r.status_code for r in answers] == [403] * 7
    assert {r.json()["errors"][0]["code"] for r in answers} == {"forbidden"}
    stored = await admin_conn.fetchrow("SELECT name FROM roles WHERE id = $1::uuid", custom["id"])
    assert stored["name"] == "Existing"
    assert await admin_conn.fetchval("SELECT count(*) FROM roles WHERE NOT is_managed") == 1
    # A member holding roles.read but not roles.write reads, and cannot write.
    carer = await member(client, admin_conn, settings, boss.org_id, "carer@clinic.org", "member")
    assert (await client.get(path, headers=carer.headers)).status_code == 200
    refused = await client.post("/auth/roles", json=new_role(permissions=[]), headers=carer.headers)
    assert refused.status_code == 403
    unauthenticated = await client.get("/auth/roles")
    assert unauthenticated.status_code == 401
