"""Seed 002's /v1/organizations/{id}/members against what an attacker would try: grants
beyond the caller's own permissions, the last owner, members without
``organizations.manage_members``, other organizations by path and by ``X-Organization-ID``,
and malformed requests. Every refusal leaves memberships, audit events and sessions as they
were. Role codes are the managed ones (``owner``, ``admin``, ``member``, ``permissionless``)
and custom ones made here; see tests/v1/test_members.py."""

from __future__ import annotations

import asyncpg
import httpx

from service.config import Settings
from tests.roles.people import create, member, owner
from tests.support.flows import Mailbox
from tests.v1.test_members import members_of, user_id, written
from tests.v1.test_organizations import error, make_operator, v1


async def test_nobody_grants_what_they_lack_and_the_last_owner_stays(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    boss = await owner(client, mailbox, admin_conn, "owner@ward.example", "Ward")
    helper = await member(client, admin_conn, settings, boss.org_id, "admin@ward.example", "admin")
    nurse = await member(client, admin_conn, settings, boss.org_id, "nurse@ward.example", "member")
    await make_operator(admin_conn, helper)  # even an operator holds no more than their role
    outsider = await owner(client, mailbox, admin_conn, "someone@else.example", "Else")
    before = await written(admin_conn)
    for email, role in (
        (outsider.email, "owner"),  # permissions the admin lacks
        (outsider.email, "member"),  # FHIR permissions the admin lacks
        (helper.email, "owner"),
        (boss.email, "admin"),  # the owner holds more than the admin
    ):
        refused = await client.post(
            members_of(boss), json={"email": email, "role": role}, headers=v1(helper)
        )
        assert (refused.status_code, error(refused)["code"]) == (403, "forbidden"), (email, role)
    boss_id = await user_id(admin_conn, boss.email)
    removal = await client.delete(f"{members_of(boss)}/{boss_id}", headers=v1(helper))
    assert (removal.status_code, error(removal)["code"]) == (403, "forbidden")
    # The sole owner can neither step down nor leave.
    demoted = await client.post(
        members_of(boss), json={"email": boss.email, "role": "admin"}, headers=v1(boss)
    )
    assert (demoted.status_code, error(demoted)["code"]) == (409, "last_owner")
    left = await client.delete(f"{members_of(boss)}/{boss_id}", headers=v1(boss))
    assert (left.status_code, error(left)["code"]) == (409, "last_owner")
    # A member without organizations.manage_members reaches none of it.
    nurse_id = await user_id(admin_conn, nurse.email)
    for answer in (
        await client.get(members_of(boss), headers=v1(nurse)),
        await client.post(
            members_of(boss), json={"email": nurse.email, "role": "admin"}, headers=v1(nurse)
        ),
        await client.delete(f"{members_of(boss)}/{nurse_id}", headers=v1(nurse)),
    ):
        assert (answer.status_code, error(answer)["code"]) == (403, "forbidden")
    assert await written(admin_conn) == before
    # With a second owner, the first may step down.
    promoted = await client.post(
        members_of(boss), json={"email": helper.email, "role": "owner"}, headers=v1(boss)
    )
    assert promoted.status_code == 200, promoted.text
    stepped = await client.post(
        members_of(boss), json={"email": boss.email, "role": "admin"}, headers=v1(boss)
    )
    assert stepped.json()["data"]["role_code"] == "admin"


async def test_other_organizations_are_out_of_reach(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    mine = await owner(client, mailbox, admin_conn, "owner@a.example", "A")
    theirs = await owner(client, mailbox, admin_conn, "owner@b.example", "B")
    await make_operator(admin_conn, mine)
    staff = await member(client, admin_conn, settings, theirs.org_id, "staff@b.example", "member")
    staff_id = await user_id(admin_conn, staff.email)
    theirs_id = await user_id(admin_conn, theirs.email)
    await create(client, theirs, name="Night Nurse", code="night_nurse")
    before = await written(admin_conn)
    body = {"email": staff.email, "role": "admin"}
    for answer in (
        await client.get(members_of(mine, theirs.org_id), headers=v1(mine)),
        await client.post(members_of(mine, theirs.org_id), json=body, headers=v1(mine)),
        await client.delete(f"{members_of(mine, theirs.org_id)}/{staff_id}", headers=v1(mine)),
    ):
        assert (answer.status_code, error(answer)["code"]) == (404, "organization_not_found")
    header = v1(mine, **{"X-Organization-ID": str(theirs.org_id)})
    for answer in (
        await client.get(members_of(mine, theirs.org_id), headers=header),
        await client.post(members_of(mine, theirs.org_id), json=body, headers=header),
        await client.delete(f"{members_of(mine, theirs.org_id)}/{theirs_id}", headers=header),
    ):
        assert (answer.status_code, error(answer)["code"]) == (403, "forbidden")
        assert staff.email not in answer.text
    # Another organization's custom role is no role here.
    foreign = await client.post(
        members_of(mine), json={"email": staff.email, "role": "night_nurse"}, headers=v1(mine)
    )
    assert (foreign.status_code, error(foreign)["code"]) == (400, "role_not_found")
    assert await written(admin_conn) == before


async def test_malformed_requests(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    boss = await owner(client, mailbox, admin_conn, "owner@forms.example", "Forms")
    path = members_of(boss)
    before = await written(admin_conn)
    bad_id = await client.delete(f"{path}/not-a-uuid", headers=v1(boss))
    assert (bad_id.status_code, error(bad_id)["code"]) == (400, "invalid_id")
    broken = await client.post(
        path, content=b"{", headers={**v1(boss), "Content-Type": "application/json"}
    )
    assert (broken.status_code, error(broken)["code"]) == (400, "invalid_body")
    for sent, field in (
        ({"email": boss.email}, "role"),
        ({"role": "admin"}, "email"),
        ({"email": "not an address", "role": "admin"}, "email"),
        ({"email": boss.email, "role": ""}, "role"),
        ({"email": boss.email, "role": "admin", "organization_id": str(boss.org_id)}, None),
    ):
        refused = await client.post(path, json=sent, headers=v1(boss))
        problem = error(refused)
        assert (refused.status_code, problem["code"]) == (400, "validation_error"), sent
        assert field is None or field in problem["fields"], problem
    unknown = await client.post(
        path, json={"email": boss.email, "role": "specialist"}, headers=v1(boss)
    )
    assert (unknown.status_code, error(unknown)["code"]) == (400, "role_not_found")
    assert await written(admin_conn) == before
