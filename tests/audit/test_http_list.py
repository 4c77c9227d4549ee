"""GET /auth/audit-events over HTTP: newest first, keyset pages, and every filter."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from service.audit.recorder import record
from service.db.tx import set_tenant
from service.ids import uuid7
from tests.audit.support import identity, role_updates
from tests.support.accounts import bearer, signed_up
from tests.support.flows import Mailbox

NEWEST_FIRST = "ORDER BY created_at DESC, id DESC"


@pytest.fixture
async def owner(client: httpx.AsyncClient, mailbox: Mailbox) -> dict[str, Any]:
    return await signed_up(client, mailbox, "owner@audit-clinic.org")


async def _walk(client: httpx.AsyncClient, headers: dict[str, str], url: str) -> list[list[dict]]:
    pages = []
    next_url: str | None = url
    while next_url:
        response = await client.get(next_url, headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/vnd.api+json")
        body = response.json()
        pages.append(body["data"])
        next_url = body["links"].get("next")
        assert len(pages) < 10, "the walk does not end"
    return pages


async def test_pages_of_fifty_walk_every_event_newest_first_exactly_once(
    client: httpx.AsyncClient,
    owner: dict[str, Any],
    app_conn: asyncpg.Connection,
    admin_conn: asyncpg.Connection,
) -> None:
    org_id, user_id = identity(owner)
    earlier = await admin_conn.fetch(f"SELECT id FROM audit_events {NEWEST_FIRST}")
    mine: list[str] = []
    for batch in range(4):  # four transactions: equal times within, later times across
        mine += await role_updates(app_conn, org_id, user_id, 30, prefix=f"b{batch}")
    stored = await admin_conn.fetch(f"SELECT id FROM audit_events {NEWEST_FIRST}")
    assert len(stored) == len(earlier) + 120

    pages = await _walk(client, bearer(owner), "/auth/audit-events?page[size]=50")
    events = [event for page in pages for event in page]
    assert [len(page) for page in pages][:2] == [50, 50]
    assert len(pages) == 3
    assert [e["id"] for e in events] == [str(r["id"]) for r in stored]
    assert len({e["id"] for e in events}) == len(events)
    newest = [e["attributes"]["resourceId"] for e in events[:120]]
    assert newest == list(reversed(mine))
    assert [str(r["id"]) for r in earlier] == [e["id"] for e in events[120:]]


async def test_an_event_is_shown_as_an_audit_events_resource(
    client: httpx.AsyncClient, owner: dict[str, Any], app_conn: asyncpg.Connection
) -> None:
    org_id, user_id = identity(owner)
    await role_updates(app_conn, org_id, user_id, 1, prefix="shape")
    body = (
        await client.get("/auth/audit-events?filter[resourceId]=shape-000", headers=bearer(owner))
    ).json()
    assert body["links"]["self"] == "/auth/audit-events?filter[resourceId]=shape-000"
    [event] = body["data"]
    assert event["type"] == "auth/audit-events"
    assert event["links"] == {"self": f"/auth/audit-events/{event['id']}"}
    attributes = event["attributes"]
    assert attributes["action"] == "role.update"
    assert attributes["actorKind"] == "user"
    assert attributes["resourceType"] == "auth/roles"
    assert attributes["changes"] == {"name": {"before": "Role 0", "after": "Role 0!"}}
    assert attributes["requestId"] is None
    assert attributes["address"] is None
    assert isinstance(attributes["createdAt"], int)
    assert event["relationships"] == {
        "auth/users": {"data": {"type": "auth/users", "id": str(user_id)}},
        "auth/app-clients": {"data": None},
    }


async def _one(conn: asyncpg.Connection, org_id: UUID, **event: Any) -> None:
    async with conn.transaction():
        await set_tenant(conn, org_id=org_id, user_id=None)
        await record(conn, organization_id=org_id, **event)


async def test_each_filter_narrows_the_list(
    client: httpx.AsyncClient, owner: dict[str, Any], app_conn: asyncpg.Connection
) -> None:
    org_id, _ = identity(owner)
    p, q = uuid7(), uuid7()
    await _one(
        app_conn,
        org_id,
        action="role.update",
        resource_id="role-a",
        actor_user_id=p,
    )
    await _one(
        app_conn,
        org_id,
        action="role.delete",
        resource_id="role-b",
        actor_user_id=p,
    )
    await _one(
        app_conn,
        org_id,
        action="invitation.create",
        resource_id="inv-c",
        actor_user_id=q,
    )
    await _one(
        app_conn,
        org_id,
        action="invitation.revoke",
        resource_id="inv-c",
        actor_kind="system",
    )

    async def listed(query: str) -> list[tuple[str, str]]:
        response = await client.get(f"/auth/audit-events?{query}", headers=bearer(owner))
        assert response.status_code == 200, response.text
        return [
            (e["attributes"]["action"], e["attributes"]["resourceId"])
            for e in response.json()["data"]
        ]

    assert await listed(f"filter[actor]={p}") == [
        ("role.delete", "role-b"),
        ("role.update", "role-a"),
    ]
    assert await listed(f"filter[actor]={q}") == [("invitation.create", "inv-c")]
    assert await listed("filter[action]=role.delete") == [("role.delete", "role-b")]
    assert await listed("filter[resourceType]=auth/invitations") == [
        ("invitation.revoke", "inv-c"),
        ("invitation.create", "inv-c"),
    ]
    assert await listed("filter[resourceId]=inv-c") == await listed(
        "filter[resourceType]=auth/invitations"
    )
    assert await listed(f"filter[actor]={p}&filter[action]=role.update") == [
        ("role.update", "role-a")
    ]
    assert await listed(f"filter[actor]={uuid7()}") == []
    revoke = await client.get(
        "/auth/audit-events?filter[action]=invitation.revoke", headers=bearer(owner)
    )
    assert revoke.json()["data"][0]["relationships"]["auth/users"] == {"data": None}
    assert revoke.json()["data"][0]["attributes"]["actorKind"] == "system"
