"""What the role routes refuse, each error with its code and pointer; nothing is written."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

from tests.roles.people import Member, changes, create, new_role, owner
from tests.support.flows import Mailbox


@pytest.fixture
async def me(client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection) -> Member:
    return await owner(client, mailbox, admin_conn, "errors@clinic.org")


def _errors(response: httpx.Response, status: int) -> list[tuple[str, str | None]]:
    assert response.status_code == status, response.text
    return [(e["code"], (e.get("source") or {}).get("pointer")) for e in response.json()["errors"]]


async def _custom_count(admin_conn: asyncpg.Connection, member: Member) -> int:
    count: int = await admin_conn.fetchval(
        "SELECT count(*) FROM roles WHERE organization_id = $1 AND NOT is_managed", member.org_id
    )
    return count


BAD_CREATES: list[tuple[dict[str, Any], int, list[tuple[str, str | None]]]] = [
    (
        {"data": {**new_role()["data"], "id": "0190af3b-1c2e-7c00-8a4f-b2d9c4e5f100"}},
        403,
        [("forbidden", "/data/id")],
    ),
    (new_role(isManaged=True), 400, [("validation_error", "/data/attributes/isManaged")]),
    (
        new_role(createdAt=1638828368, updatedAt=1),
        400,
        [
            ("validation_error", "/data/attributes/createdAt"),
            ("validation_error", "/data/attributes/updatedAt"),
        ],
    ),
    (new_role(colour="red"), 400, [("validation_error", "/data/attributes/colour")]),
    (
        {"data": {**new_role()["data"], "type": "auth/users"}},
        400,
        [("validation_error", "/data/type")],
    ),
    (
        {"data": {"type": "auth/roles", "attributes": {"name": "X"}}},
        400,
        [("validation_error", "/data/attributes/permissions")],
    ),
    (
        new_role(permissions=["users.read", "users.fly", "users.read", "fhir:Unicorn.read"]),
        400,
        [
            ("validation_error", "/data/attributes/permissions/1"),
            ("validation_error", "/data/attributes/permissions/3"),
        ],
    ),
    (
        new_role(name=" ", code="Bad Code", description="x" * 1001),
        400,
        [
            ("validation_error", "/data/attributes/name"),
            ("validation_error", "/data/attributes/description"),
            ("validation_error", "/data/attributes/code"),
        ],
    ),
    (new_role(name="Line\nbreak"), 400, [("validation_error", "/data/attributes/name")]),
    (new_role(code="1st"), 400, [("validation_error", "/data/attributes/code")]),
    (new_role(code="owner"), 400, [("validation_error", "/data/attributes/code")]),
    (new_role(code="permissionless"), 400, [("validation_error", "/data/attributes/code")]),
    (new_role(name="Care Team User"), 409, [("conflict", "/data/attributes/name")]),
    (
        new_role(name="BUILDER admin", code="existing"),
        409,
        [
            ("conflict", "/data/attributes/name"),
            ("conflict", "/data/attributes/code"),
        ],
    ),
    (new_role(name="Other", code="existing"), 409, [("conflict", "/data/attributes/code")]),
]


@pytest.mark.parametrize(("body", "status", "expected"), BAD_CREATES)
async def test_bad_creates(
    client: httpx.AsyncClient,
    admin_conn: asyncpg.Connection,
    me: Member,
    body: dict[str, Any],
    status: int,
    expected: list[tuple[str, str | None]],
) -> None:
    await create(client, me, name="Existing", code="existing")
    response = await client.post("/auth/roles", json=body, headers=me.headers)
    assert _errors(response, status) == expected
    assert await _custom_count(admin_conn, me) == 1


async def test_bad_patches(
    client: httpx.AsyncClient, admin_conn: asyncpg.Connection, me: Member
) -> None:
    await create(client, me, name="Existing", code="existing")
    role = await create(client, me, name="Target", code="target")
    path = f"/auth/roles/{role['id']}"
    wrong_id = changes(name="New")
    wrong_id["data"]["id"] = "0190af3b-1c2e-7c00-8a4f-b2d9c4e5f100"
    cases: list[tuple[dict[str, Any], int, list[tuple[str, str | None]]]] = [
        (changes(code="renamed"), 400, [("validation_error", "/data/attributes/code")]),
        (changes(isManaged=True), 400, [("validation_error", "/data/attributes/isManaged")]),
        (
            changes(permissions=["nope"]),
            400,
            [("validation_error", "/data/attributes/permissions/0")],
        ),
        (changes(name=""), 400, [("validation_error", "/data/attributes/name")]),
        (changes(name="existing"), 409, [("conflict", "/data/attributes/name")]),
        (changes(name="Owner"), 409, [("conflict", "/data/attributes/name")]),
        ({"data": {"type": "roles", "attributes": {}}}, 400, [("validation_error", "/data/type")]),
        (wrong_id, 409, [("conflict", "/data/id")]),
    ]
    for body, status, expected in cases:
        response = await client.patch(path, json=body, headers=me.headers)
        assert _errors(response, status) == expected, body
    stored = await admin_conn.fetchrow("SELECT * FROM roles WHERE id = $1::uuid", role["id"])
    assert (stored["name"], stored["code"], stored["permissions"]) == (
        "Target",
        "target",
        ["users.read"],
    )
    assert stored["updated_at"] == stored["created_at"]


async def test_bodies_that_are_not_documents(client: httpx.AsyncClient, me: Member) -> None:
    for content in (b"", b"{not json", b"[]", b'{"data": null}'):
        response = await client.post(
            "/auth/roles",
            content=content,
            headers={**me.headers, "Content-Type": "application/json"},
        )
        assert response.status_code == 400, content
        assert response.json()["errors"][0]["code"] in ("invalid_body", "validation_error")
    form = await client.post("/auth/roles", data={"name": "x"}, headers=me.headers)
    assert form.status_code == 415


@pytest.mark.parametrize(
    "role_id",
    ["not-a-uuid", "0190af3b1c2e7c008a4fb2d9c4e5f100", "1"],
)
async def test_malformed_ids(client: httpx.AsyncClient, me: Member, role_id: str) -> None:
    path = f"/auth/roles/{role_id}"
    for response in (
        await client.get(path, headers=me.headers),
        await client.patch(path, json=changes(name="X"), headers=me.headers),
        await client.delete(path, headers=me.headers),
    ):
        assert _errors(response, 400) == [("invalid_id", None)]
