"""Tenancy and access: another organization's events are invisible and answer 404."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

from service.ids import uuid7
from tests.audit.support import identity, role_updates
from tests.support.accounts import bearer, signed_up
from tests.support.flows import Mailbox


@pytest.fixture
async def two_owners(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> tuple[dict[str, Any], dict[str, Any]]:
    a = await signed_up(client, mailbox, "owner@alpha.org", organizationName="Alpha Clinic")
    b = await signed_up(client, mailbox, "owner@beta.org", organizationName="Beta Lab")
    return a, b


async def test_an_admin_of_b_sees_none_of_as_events(
    client: httpx.AsyncClient,
    two_owners: tuple[dict[str, Any], dict[str, Any]],
    app_conn: asyncpg.Connection,
    admin_conn: asyncpg.Connection,
) -> None:
    a, b = two_owners
    org_a, user_a = identity(a)
    await role_updates(app_conn, org_a, user_a, 5, prefix="alpha")
    of_a = {
        str(r["id"])
        for r in await admin_conn.fetch(
            "SELECT id FROM audit_events WHERE organization_id = $1", org_a
        )
    }
    assert len(of_a) >= 5

    seen_by_a = await client.get("/auth/audit-events?page[size]=200", headers=bearer(a))
    assert {e["id"] for e in seen_by_a.json()["data"]} == of_a
    for query in ("page[size]=200", "filter[resourceId]=alpha-000", f"filter[actor]={user_a}"):
        seen_by_b = await client.get(f"/auth/audit-events?{query}", headers=bearer(b))
        assert seen_by_b.status_code == 200
        assert not {e["id"] for e in seen_by_b.json()["data"]} & of_a, query


async def test_as_event_from_b_is_the_same_404_as_a_missing_id(
    client: httpx.AsyncClient,
    two_owners: tuple[dict[str, Any], dict[str, Any]],
    app_conn: asyncpg.Connection,
) -> None:
    a, b = two_owners
    org_a, user_a = identity(a)
    await role_updates(app_conn, org_a, user_a, 1, prefix="alpha")
    listed = await client.get("/auth/audit-events?filter[resourceId]=alpha-000", headers=bearer(a))
    [event] = listed.json()["data"]

    own = await client.get(f"/auth/audit-events/{event['id']}", headers=bearer(a))
    assert own.status_code == 200
    assert own.json()["data"] == event

    foreign = await client.get(f"/auth/audit-events/{event['id']}", headers=bearer(b))
    missing = await client.get(f"/auth/audit-events/{uuid7()}", headers=bearer(b))
    for response in (foreign, missing):
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "not_found"
    assert foreign.json()["errors"] == missing.json()["errors"]
    assert foreign.headers.keys() == missing.headers.keys()


async def test_a_malformed_id_is_invalid_id(
    client: httpx.AsyncClient, two_owners: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    response = await client.get("/auth/audit-events/12345", headers=bearer(two_owners[0]))
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_id"


async def test_reading_the_trail_needs_audit_read_checked_live(
    client: httpx.AsyncClient,
    two_owners: tuple[dict[str, Any], dict[str, Any]],
    admin_conn: asyncpg.Connection,
) -> None:
    a, _ = two_owners
    org_a, _ = identity(a)
    assert (await client.get("/auth/audit-events", headers=bearer(a))).status_code == 200
    await admin_conn.execute(
        "UPDATE roles SET permissions = array_remove(permissions, 'audit.read')"
        " WHERE organization_id = $1 AND code = 'owner'",
        org_a,
    )
    for path in ("/auth/audit-events", f"/auth/audit-events/{uuid7()}"):
        refused = await client.get(path, headers=bearer(a))
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["code"] == "forbidden"
        anonymous = await client.get(path)
        assert anonymous.status_code == 401
