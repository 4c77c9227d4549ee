"""Creating, listing, changing and removing members."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from service.config import Settings
from tests.support.accounts import bearer, login, signed_up
from tests.support.fhir import FhirServer
from tests.support.flows import Mailbox, link_in
from tests.users.helpers import PASSWORD, member_with_role, new_user, org_of, role_id, token_for

OWNER = "owner@clinic.org"


@pytest.fixture
async def owner(client: httpx.AsyncClient, mailbox: Mailbox) -> dict[str, str]:
    return bearer(await signed_up(client, mailbox, OWNER))


async def test_create_without_a_mail_and_read_back(
    client: httpx.AsyncClient,
    owner: dict[str, str],
    admin_conn: asyncpg.Connection,
    mailbox: Mailbox,
) -> None:
    org = await org_of(admin_conn, OWNER)
    member = await role_id(admin_conn, org, "member")
    body = new_user("quiet@clinic.org", member, sendPasswordResetEmail=False)
    created = await client.post("/auth/users", json=body, headers=owner)
    assert created.status_code == 201, created.text
    user_id = created.json()["data"]["id"]
    one = await client.get(f"/auth/users/{user_id}", headers=owner)
    assert one.json() == created.json()
    assert one.headers["content-type"].startswith("application/vnd.api+json")
    assert mailbox.to("quiet@clinic.org") == []


async def test_a_known_person_joins_only_by_following_the_link(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    other = bearer(await signed_up(client, mailbox, "other-owner@lab.org", organizationName="Lab"))
    await signed_up(client, mailbox, "known@clinic.org", organizationName="Clinic")
    before = await admin_conn.fetchval(
        "SELECT password_hash FROM users WHERE email = 'known@clinic.org'"
    )
    lab = await org_of(admin_conn, "other-owner@lab.org")
    clinic = await org_of(admin_conn, "known@clinic.org")
    created = await client.post(
        "/auth/users",
        json=new_user("known@clinic.org", await role_id(admin_conn, lab, "member")),
        headers=other,
    )
    assert created.status_code == 201, created.text
    after = await admin_conn.fetchval(
        "SELECT password_hash FROM users WHERE email = 'known@clinic.org'"
    )
    assert before == after
    again = await client.post(
        "/auth/users",
        json=new_user("known@clinic.org", await role_id(admin_conn, lab, "member")),
        headers=other,
    )
    assert again.status_code == 409
    assert again.json()["errors"][0]["source"]["pointer"] == "/data/attributes/email"
    # Pending until the person accepts: no session for the new organization yet.
    assert (await login(client, "known@clinic.org", organization_id=str(lab))).status_code == 401
    ask = await mailbox.next_to("known@clinic.org", after=1)
    assert "Lab" in ask.text
    path, token = link_in(ask)
    assert path == "/auth/invitations/accept"
    joined = await client.post(path, data={"token": token})
    assert joined.status_code == 200, joined.text
    # Both memberships work now: the user chooses at login.
    for org in (clinic, lab):
        response = await login(client, "known@clinic.org", organization_id=str(org))
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("change", "pointer", "status"),
    [
        ({"attributes": {"userType": "patient"}}, "/data/attributes/userType", 400),
        ({"attributes": {"clientId": "unknown-client"}}, "/data/attributes/clientId", 400),
        ({"attributes": {"email": "nope"}}, "/data/attributes/email", 400),
        ({"attributes": {"emailVerified": True}}, "/data/attributes/emailVerified", 400),
        ({"attributes": {"permissions": ["users.write"]}}, "/data/attributes/permissions", 400),
        ({"attributes": {"createdAt": 1}}, "/data/attributes/createdAt", 400),
        ({"attributes": {"organization": "x"}}, "/data/attributes/organization", 400),
        ({"id": "0190af3b-1c2e-7c00-8a4f-b2d9c4e5f100"}, "/data/id", 403),
        (
            {"relationships": {"auth/roles": {"data": {"type": "auth/roles", "id": "nope"}}}},
            "/data/relationships/auth~1roles/data/id",
            400,
        ),
        (
            {
                "relationships": {
                    "fhir/practitioner": {"data": {"type": "fhir/practitioner", "id": "unknown"}}
                }
            },
            "/data/relationships/fhir~1practitioner/data/id",
            400,
        ),
    ],
)
async def test_bad_creates_write_nothing(
    client: httpx.AsyncClient,
    owner: dict[str, str],
    admin_conn: asyncpg.Connection,
    change: dict,
    pointer: str,
    status: int,
) -> None:
    org = await org_of(admin_conn, OWNER)
    body = new_user("x@clinic.org", await role_id(admin_conn, org, "member"))
    for key, value in change.items():
        if isinstance(value, dict):
            body["data"].setdefault(key, {}).update(value)
        else:
            body["data"][key] = value
    response = await client.post("/auth/users", json=body, headers=owner)
    assert response.status_code == status, response.text
    assert pointer in {e.get("source", {}).get("pointer") for e in response.json()["errors"]}
    assert await admin_conn.fetchval("SELECT count(*) FROM users WHERE email = 'x@clinic.org'") == 0


async def test_fhir_server_down_is_503_and_nothing_written(
    client: httpx.AsyncClient,
    owner: dict[str, str],
    admin_conn: asyncpg.Connection,
    fhir: FhirServer,
) -> None:
    fhir.failing = True
    org = await org_of(admin_conn, OWNER)
    body = new_user("down@clinic.org", await role_id(admin_conn, org, "member"))
    body["data"]["relationships"]["fhir/practitioner"] = {
        "data": {"type": "fhir/practitioner", "id": "p1"}
    }
    response = await client.post("/auth/users", json=body, headers=owner)
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert (
        await admin_conn.fetchval("SELECT count(*) FROM users WHERE email = 'down@clinic.org'") == 0
    )


async def test_practitioner_link_is_unique_and_unlinks(
    client: httpx.AsyncClient,
    owner: dict[str, str],
    admin_conn: asyncpg.Connection,
    fhir: FhirServer,
) -> None:
    fhir.practitioners["p-1"] = {"resourceType": "Practitioner", "id": "p-1"}
    org = await org_of(admin_conn, OWNER)
    member = await role_id(admin_conn, org, "member")
    link = {"data": {"type": "fhir/practitioner", "id": "p-1"}}
    first = new_user("a@clinic.org", member)
    first["data"]["relationships"]["fhir/practitioner"] = link
    created = await client.post("/auth/users", json=first, headers=owner)
    assert created.status_code == 201
    second = new_user("b@clinic.org", member)
    second["data"]["relationships"]["fhir/practitioner"] = link
    clash = await client.post("/auth/users", json=second, headers=owner)
    assert clash.status_code == 409
    user_id = created.json()["data"]["id"]
    unlink = {
        "data": {
            "type": "auth/users",
            "id": user_id,
            "relationships": {"fhir/practitioner": {"data": None}},
        }
    }
    changed = await client.patch(f"/auth/users/{user_id}", json=unlink, headers=owner)
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["relationships"]["fhir/practitioner"]["data"] is None


async def test_the_last_owner_stays(
    client: httpx.AsyncClient, owner: dict[str, str], admin_conn: asyncpg.Connection
) -> None:
    org = await org_of(admin_conn, OWNER)
    me = (await client.get("/auth/me", headers=owner)).json()["data"]["id"]
    member = await role_id(admin_conn, org, "member")
    for change in (
        {"attributes": {"active": False}},
        {"relationships": {"auth/roles": {"data": {"type": "auth/roles", "id": member}}}},
    ):
        body = {"data": {"type": "auth/users", "id": me, **change}}
        response = await client.patch(f"/auth/users/{me}", json=body, headers=owner)
        assert response.status_code == 409
        assert response.json()["errors"][0]["code"] == "last_owner"
    removed = await client.delete(f"/auth/users/{me}", headers=owner)
    assert removed.status_code == 409


async def test_deactivation_and_removal_end_sessions_at_once(
    client: httpx.AsyncClient,
    owner: dict[str, str],
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    org = await org_of(admin_conn, OWNER)
    await member_with_role(admin_conn, settings, org, "nurse@clinic.org", "member")
    response = await login(client, "nurse@clinic.org", PASSWORD)
    nurse_tokens = response.json()
    nurse = bearer(nurse_tokens)
    nurse_id = (await client.get("/auth/me", headers=nurse)).json()["data"]["id"]
    off = {"data": {"type": "auth/users", "id": nurse_id, "attributes": {"active": False}}}
    assert (
        await client.patch(f"/auth/users/{nurse_id}", json=off, headers=owner)
    ).status_code == 200
    assert (await client.get("/auth/me", headers=nurse)).status_code == 401
    refresh = await client.post(
        "/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": nurse_tokens["refresh_token"]},
    )
    assert refresh.status_code == 400
    assert (await client.delete(f"/auth/users/{nurse_id}", headers=owner)).status_code == 204
    assert (await client.delete(f"/auth/users/{nurse_id}", headers=owner)).status_code == 204
    assert (await client.get(f"/auth/users/{nurse_id}", headers=owner)).status_code == 404


async def test_no_privilege_escalation(
    client: httpx.AsyncClient,
    owner: dict[str, str],
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    org = await org_of(admin_conn, OWNER)
    await member_with_role(admin_conn, settings, org, "admin@clinic.org", "admin")
    admin = await token_for(client, "admin@clinic.org")
    owner_role = await role_id(admin_conn, org, "owner")
    member_role = await role_id(admin_conn, org, "member")
    # An admin cannot create an owner, nor a Care Team User (whose FHIR permissions it lacks).
    for role in (owner_role, member_role):
        response = await client.post(
            "/auth/users", json=new_user("up@clinic.org", role), headers=admin
        )
        assert response.status_code == 403
    # Nor promote itself, nor demote or remove the owner.
    admin_id = (await client.get("/auth/me", headers=admin)).json()["data"]["id"]
    owner_id = (await client.get("/auth/me", headers=owner)).json()["data"]["id"]
    promote = {
        "data": {
            "type": "auth/users",
            "id": admin_id,
            "relationships": {"auth/roles": {"data": {"type": "auth/roles", "id": owner_role}}},
        }
    }
    assert (
        await client.patch(f"/auth/users/{admin_id}", json=promote, headers=admin)
    ).status_code == 403
    demote = {"data": {"type": "auth/users", "id": owner_id, "attributes": {"active": False}}}
    assert (
        await client.patch(f"/auth/users/{owner_id}", json=demote, headers=admin)
    ).status_code == 403
    assert (await client.delete(f"/auth/users/{owner_id}", headers=admin)).status_code == 403
    assert (await client.get("/auth/me", headers=owner)).status_code == 200


async def test_permissionless_member_is_refused(
    client: httpx.AsyncClient,
    owner: dict[str, str],
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    org = await org_of(admin_conn, OWNER)
    await member_with_role(admin_conn, settings, org, "nobody@clinic.org", "permissionless")
    nobody = await token_for(client, "nobody@clinic.org")
    assert (await client.get("/auth/me", headers=nobody)).status_code == 200
    assert (await client.get("/auth/users", headers=nobody)).status_code == 403
    body = new_user("x@clinic.org", await role_id(admin_conn, org, "permissionless"))
    assert (await client.post("/auth/users", json=body, headers=nobody)).status_code == 403


async def test_list_filters_and_pages(
    client: httpx.AsyncClient, owner: dict[str, str], admin_conn: asyncpg.Connection
) -> None:
    org = await org_of(admin_conn, OWNER)
    member = await role_id(admin_conn, org, "member")
    for i in range(7):
        body = new_user(
            f"staff{i}@clinic.org", member, name=f"Staff {i}", sendPasswordResetEmail=False
        )
        assert (await client.post("/auth/users", json=body, headers=owner)).status_code == 201
    seen: list[str] = []
    url = "/auth/users?page[size]=3"
    while url:
        page = (await client.get(url, headers=owner)).json()
        seen += [u["attributes"]["email"] for u in page["data"]]
        url = page["links"].get("next")
    assert len(seen) == 8 == len(set(seen))
    by_email = (
        await client.get("/auth/users?filter[email]=STAFF3@clinic.org", headers=owner)
    ).json()
    assert [u["attributes"]["email"] for u in by_email["data"]] == ["staff3@clinic.org"]
    by_name = (
        await client.get("/auth/users", params={"filter[name]": "staff"}, headers=owner)
    ).json()
    assert len(by_name["data"]) == 7
    by_role = (await client.get("/auth/users?filter[role]=owner", headers=owner)).json()
    assert [u["attributes"]["email"] for u in by_role["data"]] == [OWNER]
    bad = await client.get("/auth/users?filter[password]=x", headers=owner)
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["source"]["parameter"] == "filter[password]"


@pytest.mark.parametrize(("environment", "welcomed"), [("sandbox", True), ("production", False)])
async def test_welcome_mail_only_in_the_sandbox(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
    environment: str,
    welcomed: bool,
) -> None:
    import dataclasses

    from tests.support.server import serve

    there = dataclasses.replace(settings, app_env=environment)
    async with serve(there) as url, httpx.AsyncClient(base_url=url) as other:
        owner = bearer(await signed_up(other, mailbox, OWNER))
        org = await org_of(admin_conn, OWNER)
        body = new_user("fresh@clinic.org", await role_id(admin_conn, org, "member"))
        assert (await other.post("/auth/users", json=body, headers=owner)).status_code == 201
        await mailbox.next_to("fresh@clinic.org")  # the set-password mail
        if welcomed:
            await mailbox.next_to("fresh@clinic.org", after=1)
        else:
            import asyncio

            await asyncio.sleep(0.5)
        subjects = sorted(str(m.message["Subject"]) for m in mailbox.to("fresh@clinic.org"))
    assert len(subjects) == (2 if welcomed else 1)
