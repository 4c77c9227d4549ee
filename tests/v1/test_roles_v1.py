"""Seed 002's GET /v1/organizations/{id}/roles: every role of the organization for role
pickers. The seed's example lists ``admin``; here every organization has the managed roles
``owner``, ``admin``, ``member`` and ``permissionless`` (``is_system``) and its own."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import httpx

from service.config import Settings
from tests.roles.people import create, member, owner
from tests.support.flows import Mailbox
from tests.v1.test_organizations import error, join, v1

ROLE_KEYS = {"id", "organization_id", "code", "name", "description", "is_system"}
MANAGED = {"owner", "admin", "member", "permissionless"}


async def test_the_seed_request_lists_managed_and_custom_roles(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    boss = await owner(client, mailbox, admin_conn, "owner@restartix.example", "RestartiX")
    custom = await create(client, boss, name="Specialist", code="specialist")
    listed = await client.get(f"/v1/organizations/{boss.org_id}/roles", headers=v1(boss))
    assert listed.status_code == 200, listed.text
    assert listed.headers["content-type"].startswith("application/json")
    roles = listed.json()["data"]
    assert all(set(role) == ROLE_KEYS for role in roles)
    assert {r["code"]: r["is_system"] for r in roles} == {
        **dict.fromkeys(MANAGED, True),
        "specialist": False,
    }
    assert {r["organization_id"] for r in roles} == {str(boss.org_id)}
    [specialist] = [r for r in roles if r["code"] == "specialist"]
    assert (specialist["id"], specialist["name"]) == (custom["id"], "Specialist")
    stored = await admin_conn.fetch(
        "SELECT id::text, description FROM roles WHERE organization_id = $1", boss.org_id
    )
    assert {r["id"]: r["description"] for r in roles} == {s["id"]: s["description"] for s in stored}


async def test_roles_answer_only_their_own_organization_and_manage_members(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    mine = await owner(client, mailbox, admin_conn, "owner@a.example", "A")
    theirs = await owner(client, mailbox, admin_conn, "owner@b.example", "B")
    await create(client, theirs, name="Night Nurse", code="night_nurse")
    for org_id in (theirs.org_id, UUID(int=3)):
        other = await client.get(f"/v1/organizations/{org_id}/roles", headers=v1(mine))
        assert (other.status_code, error(other)["code"]) == (404, "organization_not_found")
        assert "night_nurse" not in other.text
    bad = await client.get("/v1/organizations/nope/roles", headers=v1(mine))
    assert (bad.status_code, error(bad)["code"]) == (400, "invalid_id")
    header = v1(mine, **{"X-Organization-ID": str(theirs.org_id)})
    foreign = await client.get(f"/v1/organizations/{theirs.org_id}/roles", headers=header)
    assert (foreign.status_code, error(foreign)["code"]) == (403, "forbidden")
    nurse = await member(client, admin_conn, settings, mine.org_id, "nurse@a.example", "member")
    denied = await client.get(f"/v1/organizations/{mine.org_id}/roles", headers=v1(nurse))
    assert (denied.status_code, error(denied)["code"]) == (403, "forbidden")
    # An admin of B selected by the header sees B's roles, custom ones included.
    await join(admin_conn, mine, theirs.org_id, "admin")
    there = await client.get(f"/v1/organizations/{theirs.org_id}/roles", headers=header)
    assert there.status_code == 200, there.text
    assert {r["code"] for r in there.json()["data"]} == {*MANAGED, "night_nurse"}
