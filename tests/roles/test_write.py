"""Creating, changing and deleting custom roles; managed roles stay read-only."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import httpx

from service.config import Settings
from service.jsonapi import JSONAPI
from tests.roles.people import changes, create, member, new_role, owner
from tests.support.flows import Mailbox


async def test_create_returns_the_role_and_stores_it(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "create@clinic.org")
    body = new_role(
        name="  Night Nurse ",
        description="Works nights.",
        permissions=["fhir:Patient.read", "users.read", "fhir:Patient.read"],
    )
    response = await client.post(
        "/auth/roles", content=json.dumps(body), headers={**me.headers, "Content-Type": JSONAPI}
    )
    assert response.status_code == 201, response.text
    assert response.headers["content-type"].startswith(JSONAPI)
    role = response.json()["data"]
    assert response.headers["location"] == f"/auth/roles/{role['id']}"
    assert role["links"] == {"self": response.headers["location"]}
    attributes = role["attributes"]
    assert attributes["name"] == "Night Nurse"
    assert attributes["code"] == "night-nurse"
    assert attributes["isManaged"] is False
    assert attributes["permissions"] == ["users.read", "fhir:Patient.read"]  # catalogue order
    assert attributes["createdAt"] == attributes["updatedAt"]
    stored = await admin_conn.fetchrow("SELECT * FROM roles WHERE id = $1::uuid", role["id"])
    assert stored["organization_id"] == me.org_id
    assert (stored["code"], stored["name"], stored["description"]) == (
        "night-nurse",
        "Night Nurse",
        "Works nights.",
    )
    assert stored["permissions"] == ["users.read", "fhir:Patient.read"]
    assert not stored["is_managed"]
    fetched = await client.get(response.headers["location"], headers=me.headers)
    assert fetched.json()["data"] == role


async def test_codes_given_and_derived(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "codes@clinic.org")
    given = await create(client, me, name="Front Desk", code="desk_2", permissions=[])
    assert given["attributes"]["code"] == "desk_2"
    assert given["attributes"]["permissions"] == []
    accents = await create(client, me, name="3rd-shift Infirmière (ICU)")
    assert accents["attributes"]["code"] == "role-3rd-shift-infirmiere-icu"
    # A derived code that is taken, or is a managed role's, gets a number.
    first = await create(client, me, name="Night Nurse!")
    second = await create(client, me, name="Night Nurse?")
    assert (first["attributes"]["code"], second["attributes"]["code"]) == (
        "night-nurse",
        "night-nurse-2",
    )
    admin_like = await create(client, me, name="Admin")
    assert admin_like["attributes"]["code"] == "admin-2"
    symbols = await create(client, me, name="***")
    assert symbols["attributes"]["code"] == "role"


async def test_patch_changes_what_is_sent(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "patch@clinic.org")
    role = await create(client, me, name="Scheduler", description="Books visits.")
    path = f"/auth/roles/{role['id']}"
    await asyncio.sleep(1.05)  # so that updatedAt, in whole seconds, moves
    response = await client.patch(
        path, json=changes(permissions=["fhir:Appointment.write", "users.read"]), headers=me.headers
    )
    assert response.status_code == 200, response.text
    attributes = response.json()["data"]["attributes"]
    assert attributes["permissions"] == ["users.read", "fhir:Appointment.write"]
    assert (attributes["name"], attributes["description"]) == ("Scheduler", "Books visits.")
    assert attributes["updatedAt"] > attributes["createdAt"] == role["attributes"]["createdAt"]

    body = changes(name="Front Office", description="")
    body["data"]["id"] = role["id"]
    renamed = await client.patch(path, json=body, headers=me.headers)
    assert renamed.status_code == 200, renamed.text
    stored = await admin_conn.fetchrow("SELECT * FROM roles WHERE id = $1::uuid", role["id"])
    assert (stored["name"], stored["description"], stored["code"]) == (
        "Front Office",
        "",
        "scheduler",
    )
    assert stored["permissions"] == ["users.read", "fhir:Appointment.write"]
    # The same name in another case is the role's own, not a clash.
    recased = await client.patch(path, json=changes(name="FRONT OFFICE"), headers=me.headers)
    assert recased.status_code == 200, recased.text
    assert recased.json()["data"]["attributes"]["name"] == "FRONT OFFICE"


async def test_delete(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    me = await owner(client, mailbox, admin_conn, "delete@clinic.org")
    unused = await create(client, me, name="Temporary")
    response = await client.delete(f"/auth/roles/{unused['id']}", headers=me.headers)
    assert response.status_code == 204
    assert response.content == b""
    assert (
        await admin_conn.fetchval("SELECT count(*) FROM roles WHERE id = $1::uuid", unused["id"])
        == 0
    )
    again = await client.delete(f"/auth/roles/{unused['id']}", headers=me.headers)
    assert again.status_code == 404
    assert again.json()["errors"][0]["code"] == "role_not_found"

    held = await create(client, me, name="Held", code="held")
    await member(client, admin_conn, settings, me.org_id, "holder@clinic.org", "held")
    refused = await client.delete(f"/auth/roles/{held['id']}", headers=me.headers)
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["code"] == "role_in_use"
    assert (
        await admin_conn.fetchval("SELECT count(*) FROM roles WHERE id = $1::uuid", held["id"]) == 1
    )


async def test_managed_roles_are_read_only(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "managed@clinic.org")
    before = await admin_conn.fetch(
        "SELECT * FROM roles WHERE organization_id = $1 ORDER BY id", me.org_id
    )
    assert len(before) == 4
    for row in before:
        path = f"/auth/roles/{row['id']}"
        for response in (
            await client.patch(path, json=changes(name="Renamed"), headers=me.headers),
            await client.patch(path, json=changes(), headers=me.headers),
            await client.delete(path, headers=me.headers),
        ):
            assert response.status_code == 403, (row["code"], response.text)
            assert response.json()["errors"][0]["code"] == "forbidden"
    after = await admin_conn.fetch(
        "SELECT * FROM roles WHERE organization_id = $1 ORDER BY id", me.org_id
    )
    assert [dict(r) for r in after] == [dict(r) for r in before]


async def test_concurrent_creates_of_one_name_give_one_role(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "race@clinic.org")
    answers = await asyncio.gather(
        *(
            client.post(
                "/auth/roles", json=new_role(name="Racers", code=f"racer-{n}"), headers=me.headers
            )
            for n in range(8)
        )
    )
    assert sorted(r.status_code for r in answers) == [201] + [409] * 7
    for refused in (r for r in answers if r.status_code == 409):
        error = refused.json()["errors"][0]
        assert (error["code"], error["source"]) == (
            "conflict",
            {"pointer": "/data/attributes/name"},
        )
    count = await admin_conn.fetchval(
        "SELECT count(*) FROM roles WHERE organization_id = $1 AND name = 'Racers'", me.org_id
    )
    assert count == 1
