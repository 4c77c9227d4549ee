"""filter[since] and filter[until] in both forms, and the 400s for bad query values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from service.db.tx import set_tenant
from service.ids import uuid7
from service.jsonapi import encode_cursor
from tests.audit.support import identity
from tests.support.accounts import bearer, signed_up
from tests.support.flows import Mailbox

T0 = datetime(2001, 1, 1, tzinfo=UTC)  # 978307200 in Unix seconds
HOUR = timedelta(hours=1)


@pytest.fixture
async def owner(client: httpx.AsyncClient, mailbox: Mailbox) -> dict[str, Any]:
    return await signed_up(client, mailbox, "owner@time-clinic.org")


async def _at_hours(conn: asyncpg.Connection, org_id: UUID, hours: range) -> None:
    """Events at T0 + h hours, for h in ``hours``; written as the owner role, which may set
    the time (the app role may not)."""
    async with conn.transaction():
        await set_tenant(conn, org_id=org_id, user_id=None)
        for h in hours:
            await conn.execute(
                "INSERT INTO audit_events (id, organization_id, actor_kind, action,"
                " resource_type, resource_id, created_at)"
                " VALUES ($1, $2, 'system', 'role.update', 'auth/roles', $3, $4)",
                uuid7(),
                org_id,
                f"h{h}",
                T0 + h * HOUR,
            )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("filter[since]=978310800&filter[until]=978318000", ["h2", "h1"]),  # [1h, 3h)
        ("filter[since]=978310799.5&filter[until]=978314400", ["h1"]),
        ("filter[since]=978310800.000001&filter[until]=978318000", ["h2"]),
        ("filter[since]=2001-01-01T01:00:00Z&filter[until]=2001-01-01T03:00:00Z", ["h2", "h1"]),
        ("filter[since]=2001-01-01T02:00:00%2B01:00&filter[until]=2001-01-01T02:00:00Z", ["h1"]),
        ("filter[since]=2001-01-01t00:59:59.999999z&filter[until]=978314400", ["h1"]),
        ("filter[until]=2001-01-01T02:00:00-00:00", ["h1", "h0"]),
        ("filter[since]=2001-01-01T03:00:00Z&filter[until]=2001-01-02T00:00:00Z", ["h4", "h3"]),
        ("filter[since]=978318000&filter[until]=978318000", []),
    ],
)
async def test_since_is_inclusive_and_until_exclusive_in_either_form(
    client: httpx.AsyncClient,
    owner: dict[str, Any],
    owner_conn: asyncpg.Connection,
    query: str,
    expected: list[str],
) -> None:
    org_id, _ = identity(owner)
    await _at_hours(owner_conn, org_id, range(5))
    response = await client.get(f"/auth/audit-events?{query}", headers=bearer(owner))
    assert response.status_code == 200, response.text
    assert [e["attributes"]["resourceId"] for e in response.json()["data"]] == expected


async def test_a_page_cursor_keeps_the_filters(
    client: httpx.AsyncClient, owner: dict[str, Any], owner_conn: asyncpg.Connection
) -> None:
    org_id, _ = identity(owner)
    await _at_hours(owner_conn, org_id, range(5))
    first = await client.get(
        "/auth/audit-events?filter[until]=978318000&page[size]=2", headers=bearer(owner)
    )
    body = first.json()
    assert [e["attributes"]["resourceId"] for e in body["data"]] == ["h2", "h1"]
    second = await client.get(body["links"]["next"], headers=bearer(owner))
    assert [e["attributes"]["resourceId"] for e in second.json()["data"]] == ["h0"]
    assert "next" not in second.json()["links"]


BAD = [
    ("filter[since]=yesterday", "filter[since]"),
    ("filter[since]=2025-01-01T00:00:00", "filter[since]"),  # no offset
    ("filter[until]=2025-13-01T00:00:00Z", "filter[until]"),
    ("filter[until]=2025-02-30T00:00:00Z", "filter[until]"),
    ("filter[until]=-5", "filter[until]"),
    ("filter[until]=", "filter[until]"),
    ("filter[actor]=not-a-user", "filter[actor]"),
    ("filter[colour]=red", "filter[colour]"),
    ("page[size]=0", "page[size]"),
    ("page[size]=201", "page[size]"),
    ("page[after]=%21%21%21", "page[after]"),
    (f"page[after]={encode_cursor(('x',))}", "page[after]"),
    (f"page[after]={encode_cursor((1, 'not-a-uuid'))}", "page[after]"),
]


async def test_bad_query_values_answer_400_naming_the_parameter(
    client: httpx.AsyncClient, owner: dict[str, Any]
) -> None:
    for query, parameter in BAD:
        response = await client.get(f"/auth/audit-events?{query}", headers=bearer(owner))
        assert response.status_code == 400, query
        [error] = response.json()["errors"]
        assert error["code"] == "validation_error", query
        assert error["source"] == {"parameter": parameter}, query
