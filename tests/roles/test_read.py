"""Reading roles: the seed's lookup by name, filters, keyset paging, one role, the catalogue."""

from __future__ import annotations

import asyncpg
import httpx

from service.ids import parse_uuid
from service.jsonapi import JSONAPI
from service.security.permissions import CATALOGUE, MANAGED_ROLES
from tests.roles.people import create, owner
from tests.support.flows import Mailbox

ATTRIBUTES = {"name", "code", "description", "isManaged", "permissions", "createdAt", "updatedAt"}


async def test_seed_lookup_by_name(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "seed@clinic.org")
    response = await client.get("/auth/roles?filter[name]=Care Team User", headers=me.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(JSONAPI)
    data = response.json()["data"]
    assert len(data) == 1
    role = data[0]
    assert role["type"] == "auth/roles"
    assert parse_uuid(role["id"]) is not None
    assert set(role["attributes"]) == ATTRIBUTES
    attributes = role["attributes"]
    assert attributes["name"] == "Care Team User"
    assert attributes["code"] == "member"
    assert attributes["isManaged"] is True
    assert type(attributes["createdAt"]) is int
    assert type(attributes["updatedAt"]) is int
    assert role["links"] == {"self": f"/auth/roles/{role['id']}"}
    stored = await admin_conn.fetchrow(
        "SELECT id, permissions, extract(epoch FROM created_at)::bigint AS created"
        " FROM roles WHERE organization_id = $1 AND code = 'member'",
        me.org_id,
    )
    assert role["id"] == str(stored["id"])
    assert attributes["permissions"] == stored["permissions"]
    assert "fhir:Patient.read" in attributes["permissions"]
    assert abs(attributes["createdAt"] - stored["created"]) <= 1
    same = await client.get("/auth/roles?filter[name]=care team USER", headers=me.headers)
    assert [r["id"] for r in same.json()["data"]] == [role["id"]]
    admin = await client.get("/auth/roles?filter[name]=Builder Admin", headers=me.headers)
    assert [r["attributes"]["code"] for r in admin.json()["data"]] == ["admin"]


async def test_filters(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "filters@clinic.org")
    custom = await create(client, me, name="Night Nurse")

    async def codes(query: str) -> list[str]:
        response = await client.get(f"/auth/roles{query}", headers=me.headers)
        assert response.status_code == 200, response.text
        return sorted(r["attributes"]["code"] for r in response.json()["data"])

    managed = sorted(role.code for role in MANAGED_ROLES)
    assert await codes("") == sorted([*managed, "night-nurse"])
    assert await codes("?filter[isManaged]=true") == managed
    assert await codes("?filter[isManaged]=false") == ["night-nurse"]
    assert await codes("?filter[code]=member") == ["member"]
    assert await codes("?filter[code]=Member") == []
    assert await codes("?filter[name]=night nurse&filter[isManaged]=false") == ["night-nurse"]
    assert await codes("?filter[name]=Nobody") == []
    one = await client.get(f"/auth/roles/{custom['id']}", headers=me.headers)
    assert one.status_code == 200
    assert one.json()["data"] == custom

    for query, parameter in [
        ("?filter[isManaged]=yes", "filter[isManaged]"),
        ("?filter[isManaged]=True", "filter[isManaged]"),
        ("?filter[colour]=red", "filter[colour]"),
        ("?page[size]=0", "page[size]"),
        ("?page[size]=201", "page[size]"),
        ("?page[after]=not-a-cursor", "page[after]"),
        ("?page[after]=WyJ4Il0", "page[after]"),  # a well-formed cursor naming no id
    ]:
        response = await client.get(f"/auth/roles{query}", headers=me.headers)
        assert response.status_code == 400, query
        error = response.json()["errors"][0]
        assert error["code"] == "validation_error"
        assert error["source"] == {"parameter": parameter}


async def test_keyset_paging_walks_every_role_once(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "paging@clinic.org")
    for number in range(60):
        await create(client, me, name=f"Custom Role {number:02d}")
    everything = await admin_conn.fetch(
        "SELECT id FROM roles WHERE organization_id = $1 ORDER BY id", me.org_id
    )
    assert len(everything) == 64

    first = await client.get("/auth/roles", headers=me.headers)
    assert len(first.json()["data"]) == 50  # the default page size
    assert "next" in first.json()["links"]

    seen: list[str] = []
    pages = []
    url: str | None = "/auth/roles?page[size]=25&filter[isManaged]=false"
    while url is not None:
        response = await client.get(url, headers=me.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(len(body["data"]))
        assert all(not r["attributes"]["isManaged"] for r in body["data"])
        seen.extend(r["id"] for r in body["data"])
        url = body["links"].get("next")
        if url is not None:
            assert "filter%5BisManaged%5D=false" in url or "filter[isManaged]=false" in url
    assert pages == [25, 25, 10]
    assert seen == sorted(seen)
    custom = await admin_conn.fetch(
        "SELECT id FROM roles WHERE organization_id = $1 AND NOT is_managed ORDER BY id",
        me.org_id,
    )
    assert seen == [str(row["id"]) for row in custom]

    largest = await client.get("/auth/roles?page[size]=200", headers=me.headers)
    assert [r["id"] for r in largest.json()["data"]] == [str(row["id"]) for row in everything]
    assert "next" not in largest.json()["links"]


async def test_permission_catalogue(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "catalogue@clinic.org")
    response = await client.get("/auth/permissions", headers=me.headers)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert [p["id"] for p in data] == list(CATALOGUE)
    users_read = next(p for p in data if p["id"] == "users.read")
    assert users_read == {
        "type": "auth/permissions",
        "id": "users.read",
        "attributes": {"description": CATALOGUE["users.read"], "kind": "service"},
    }
    fhir = await client.get("/auth/permissions?filter[kind]=fhir", headers=me.headers)
    ids = [p["id"] for p in fhir.json()["data"]]
    assert ids == [p for p in CATALOGUE if p.startswith("fhir:")]
    assert "fhir:Patient.read" in ids
    service = await client.get("/auth/permissions?filter[kind]=service", headers=me.headers)
    assert {p["attributes"]["kind"] for p in service.json()["data"]} == {"service"}
    assert len(service.json()["data"]) + len(ids) == len(CATALOGUE)
    bad = await client.get("/auth/permissions?filter[kind]=other", headers=me.headers)
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["source"] == {"parameter": "filter[kind]"}
