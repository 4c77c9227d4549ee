"""Seed 002's /v1/organizations/{id}/members: list, upsert (enrol or change the role) and
remove, through the member service's own rules (the refusals an attacker meets are in
test_members_guards.py).

The seed's examples name roles (``specialist``, ``patient``...) this service does not have;
every organization here has the managed roles ``owner``, ``admin``, ``member`` and
``permissionless`` (and any custom role it creates), so the seed's requests are sent as
written with those codes. An ``admin`` holds ``organizations.manage_members`` but not the
FHIR permissions of ``member`` nor everything ``owner`` holds, so it may grant ``admin`` and
``permissionless`` only. People are made as in tests/roles: an owner who registered
(``owner``), members inserted with a managed role (``member``), operators by a row in
``platform_operators``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import httpx

from service.config import Settings
from tests.roles.people import Member, create, member, owner
from tests.support.accounts import login, register
from tests.support.flows import Mailbox
from tests.v1.test_organizations import error, make_operator, v1

MEMBER_KEYS = {"principal_id", "email", "role_id", "role_code", "joined_at"}
ENROLLED_KEYS = {"principal_id", "email", "organization_id", "role_id", "role_code"}
VOLATILE = {"date", "x-request-id"}


def members_of(who: Member, org_id: UUID | None = None) -> str:
    return f"/v1/organizations/{org_id or who.org_id}/members"


async def user_id(admin_conn: asyncpg.Connection, email: str) -> UUID:
    found: UUID = await admin_conn.fetchval("SELECT id FROM users WHERE email = $1", email)
    return found


async def audit(admin_conn: asyncpg.Connection, org_id: UUID, action: str) -> int:
    count: int = await admin_conn.fetchval(
        "SELECT count(*) FROM audit_events WHERE organization_id = $1 AND action = $2",
        org_id,
        action,
    )
    return count


async def written(admin_conn: asyncpg.Connection) -> tuple[Any, ...]:
    """What a refused request must leave alone."""
    found = []
    for query in (
        "SELECT organization_id, user_id, role_id, active, accepted_at FROM memberships"
        " ORDER BY 1, 2",
        "SELECT id FROM audit_events ORDER BY 1",
        "SELECT user_id, revoked_at FROM refresh_tokens ORDER BY 1, 2",
    ):
        found.append([tuple(r) for r in await admin_conn.fetch(query)])
    return tuple(found)


def same_answer(one: httpx.Response, other: httpx.Response) -> None:
    """Equal status, headers and bytes, apart from the request's own id and date."""
    assert one.status_code == other.status_code
    heads = [
        {k: v for k, v in r.headers.items() if k.lower() not in VOLATILE} for r in (one, other)
    ]
    assert heads[0] == heads[1]
    bodies = [r.json() for r in (one, other)]
    for body in bodies:
        body["error"].pop("request_id", None)
    assert bodies[0] == bodies[1]
    assert len(one.content) == len(other.content)


async def test_the_seed_requests_as_written(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    boss = await owner(client, mailbox, admin_conn, "owner@restartix.example", "RestartiX")
    await make_operator(admin_conn, boss)  # enrols any account (else see the domain test)
    elsewhere = await owner(client, mailbox, admin_conn, "dr.pop@elsewhere.example", "Other")
    listed = await client.get(members_of(boss), headers=v1(boss))
    assert listed.status_code == 200, listed.text
    assert listed.headers["content-type"].startswith("application/json")
    [only] = listed.json()["data"]
    assert set(only) == MEMBER_KEYS
    assert (only["email"], only["role_code"]) == (boss.email, "owner")
    seed = {"email": elsewhere.email, "role": "member"}
    enrolled = await client.post(members_of(boss), json=seed, headers=v1(boss))
    assert enrolled.status_code == 200, enrolled.text
    data = enrolled.json()["data"]
    assert set(data) == ENROLLED_KEYS
    person = await user_id(admin_conn, elsewhere.email)
    assert data["principal_id"] == str(person)
    assert (data["organization_id"], data["role_code"]) == (str(boss.org_id), "member")
    assert await audit(admin_conn, boss.org_id, "user.create") == 1
    # Active and accepted at once: they sign in here with their own password, nothing revoked.
    joined = await login(client, elsewhere.email, organization_id=str(boss.org_id))
    assert joined.status_code == 200, joined.text
    still = await client.get(f"/v1/organizations/{elsewhere.org_id}", headers=v1(elsewhere))
    assert still.status_code == 200
    # The same role again changes and records nothing; another role is one user.update.
    again = await client.post(members_of(boss), json=seed, headers=v1(boss))
    assert again.json() == enrolled.json()
    assert await audit(admin_conn, boss.org_id, "user.update") == 0
    admin = await client.post(members_of(boss), json={**seed, "role": "admin"}, headers=v1(boss))
    assert admin.json()["data"]["role_code"] == "admin"
    assert await audit(admin_conn, boss.org_id, "user.update") == 1
    listed = await client.get(members_of(boss), headers=v1(boss))
    assert {(m["email"], m["role_code"]) for m in listed.json()["data"]} == {
        (boss.email, "owner"),
        (elsewhere.email, "admin"),
    }
    # Removal: 204 twice, one audit row; the account and its other membership stay.
    path = f"{members_of(boss)}/{person}"
    for _ in range(2):
        gone = await client.delete(path, headers=v1(boss))
        assert (gone.status_code, gone.content) == (204, b"")
    assert await audit(admin_conn, boss.org_id, "user.remove") == 1
    assert (await login(client, elsewhere.email)).status_code == 200


async def test_an_outsider_and_an_unknown_address_get_the_same_404(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    boss = await owner(client, mailbox, admin_conn, "owner@clinic.example", "Clinic")
    await owner(client, mailbox, admin_conn, "known@clinic.example", "Known")
    await register(client, "pending@clinic.example", organizationName="Pending")
    before = await written(admin_conn)
    answers = [
        await client.post(
            members_of(boss), json={"email": email, "role": "admin"}, headers=v1(boss)
        )
        for email in ("nobody@clinic.example", "known@clinic.example", "KNOWN@Clinic.example")
    ]
    for answer in answers:
        assert answer.status_code == 404, answer.text
        assert error(answer)["code"] == "user_not_found"
        same_answer(answers[0], answer)
    # An operator may enrol any proven account, but never a pending registration.
    await make_operator(admin_conn, boss)
    for email in ("nobody@clinic.example", "pending@clinic.example"):
        refused = await client.post(
            members_of(boss), json={"email": email, "role": "admin"}, headers=v1(boss)
        )
        same_answer(answers[0], refused)
    assert await written(admin_conn) == before


async def test_a_custom_role_and_a_removed_members_token(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    boss = await owner(client, mailbox, admin_conn, "owner@lab.example", "Lab")
    tech = await member(client, admin_conn, settings, boss.org_id, "tech@lab.example", "member")
    await create(client, boss, name="Lab Tech", code="lab_tech", permissions=["users.read"])
    changed = await client.post(
        members_of(boss), json={"email": "Tech@Lab.example", "role": "lab_tech"}, headers=v1(boss)
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["data"]["role_code"], changed.json()["data"]["email"]) == (
        "lab_tech",
        tech.email,
    )
    # The removed member's access token stops working at once.
    own = f"/v1/organizations/{boss.org_id}"
    assert (await client.get(own, headers=v1(tech))).status_code == 200
    tech_id = await user_id(admin_conn, tech.email)
    gone = await client.delete(f"{members_of(boss)}/{tech_id}", headers=v1(boss))
    assert gone.status_code == 204
    after = await client.get(own, headers=v1(tech))
    assert (after.status_code, error(after)["code"]) == (401, "unauthorized")
    assert (await client.get("/auth/me", headers=tech.headers)).status_code == 401
    # A stranger's id removes nothing and records nothing.
    nobody = await client.delete(f"{members_of(boss)}/{UUID(int=5)}", headers=v1(boss))
    assert nobody.status_code == 204
    assert await audit(admin_conn, boss.org_id, "user.remove") == 1


async def test_a_verified_domain_enrols_its_own_addresses(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    boss = await owner(client, mailbox, admin_conn, "owner@clinic.example", "Clinic")
    helper = await member(client, admin_conn, settings, boss.org_id, "hr@clinic.example", "admin")
    other = await owner(client, mailbox, admin_conn, "owner@other.example", "Other")
    for domain, org, status in (
        ("staff.clinic.example", boss, "verified"),
        ("pending.example", boss, "pending"),
        ("other.example", other, "verified"),  # verified, but by another organization
    ):
        added = await client.post(
            f"/v1/organizations/{org.org_id}/domains",
            json={"domain": domain, "domain_type": "clinic"},
            headers=v1(org),
        )
        assert added.status_code == 201, added.text
        await admin_conn.execute(
            "UPDATE organization_domains SET status = $2,"
            " verified_at = CASE WHEN $2 = 'verified' THEN now() END WHERE id = $1",
            UUID(added.json()["data"]["id"]),
            status,
        )
    for email in ("dr.pop@staff.clinic.example", "dr.ion@pending.example", "ana@other.example"):
        await owner(client, mailbox, admin_conn, email, "Elsewhere")
    await register(client, "squatter@staff.clinic.example", organizationName="Squat")
    before = await written(admin_conn)
    answers = [
        await client.post(
            members_of(boss), json={"email": email, "role": "admin"}, headers=v1(helper)
        )
        for email in (
            "nobody@staff.clinic.example",
            "dr.ion@pending.example",
            "ana@other.example",
            "squatter@staff.clinic.example",  # a pending registration: no proven account
        )
    ]
    for answer in answers:
        assert (answer.status_code, error(answer)["code"]) == (404, "user_not_found")
        same_answer(answers[0], answer)
    assert await written(admin_conn) == before
    joined = await client.post(
        members_of(boss),
        json={"email": "Dr.Pop@STAFF.Clinic.example", "role": "admin"},
        headers=v1(helper),
    )
    assert joined.status_code == 200, joined.text
    assert joined.json()["data"]["email"] == "dr.pop@staff.clinic.example"
    assert await audit(admin_conn, boss.org_id, "user.create") == 1
    here = await login(client, "dr.pop@staff.clinic.example", organization_id=str(boss.org_id))
    assert here.status_code == 200, here.text
    # The domain lets the admin add people, never grant more than the admin holds.
    beyond = await client.post(
        members_of(boss),
        json={"email": "dr.pop@staff.clinic.example", "role": "owner"},
        headers=v1(helper),
    )
    assert (beyond.status_code, error(beyond)["code"]) == (403, "forbidden")
