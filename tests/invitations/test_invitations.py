"""Invitations end to end, through the mail that was really delivered."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest

from service.config import Settings
from tests.support.accounts import bearer, login, signed_up
from tests.support.flows import Mailbox, link_in
from tests.users.helpers import member_with_role, org_of, token_for

OWNER = "owner@hospital.com"
NEW = {"firstName": "Doc", "lastName": "Tor", "password": "a doctor's own passphrase"}


@pytest.fixture
async def owner(client: httpx.AsyncClient, mailbox: Mailbox) -> dict[str, str]:
    return bearer(await signed_up(client, mailbox, OWNER))


async def _invite(
    client: httpx.AsyncClient, headers: dict[str, str], email: str, role: str = "member"
) -> httpx.Response:
    return await client.post("/auth/invite", json={"email": email, "role": role}, headers=headers)


async def _token(mailbox: Mailbox, email: str, after: int = 0) -> str:
    path, token = link_in(await mailbox.next_to(email, after=after))
    assert path == "/auth/invitations/accept"
    return token


async def _members(admin_conn: asyncpg.Connection, email: str) -> int:
    count: int = await admin_conn.fetchval(
        "SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $1",
        email,
    )
    return count


async def test_seed_invite_and_a_new_person_accepts(
    client: httpx.AsyncClient, owner: dict[str, str], mailbox: Mailbox
) -> None:
    response = await client.post(
        "/auth/invite",
        content=b'{\n"email": "doctor@hospital.com",\n"role": "member"\n}',
        headers={**owner, "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"message", "invitationId"}
    assert body["message"] == "Invitation sent."
    mail = await mailbox.next_to("doctor@hospital.com")
    assert "City General Hospital" in mail.text
    _, token = link_in(mail)
    page = await client.get("/auth/invitations/accept", params={"token": token})
    assert page.status_code == 200
    assert 'name="password"' in page.text
    assert "Care Team User" in page.text
    # No session exists before the password is set.
    assert (await login(client, "doctor@hospital.com", NEW["password"])).status_code == 401
    accepted = await client.post("/auth/invitations/accept", json={"token": token, **NEW})
    assert accepted.status_code == 200, accepted.text
    tokens = accepted.json()
    me = (await client.get("/auth/me", headers=bearer(tokens))).json()["data"]
    assert me["attributes"]["email"] == "doctor@hospital.com"
    assert me["attributes"]["emailVerified"] is True
    assert (await login(client, "doctor@hospital.com", NEW["password"])).status_code == 200
    again = await client.post("/auth/invitations/accept", json={"token": token, **NEW})
    assert again.status_code == 400
    assert again.json()["errors"][0]["code"] == "invalid_token"
    shown = (await client.get(f"/auth/invitations/{body['invitationId']}", headers=owner)).json()
    assert shown["data"]["attributes"]["status"] == "accepted"


async def test_someone_with_an_account_elsewhere_only_confirms(
    client: httpx.AsyncClient,
    owner: dict[str, str],
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
) -> None:
    await signed_up(client, mailbox, "nurse@lab.org", organizationName="Lab")
    before = await admin_conn.fetchval(
        "SELECT password_hash FROM users WHERE email = 'nurse@lab.org'"
    )
    assert (await _invite(client, owner, "nurse@lab.org")).status_code == 201
    token = await _token(mailbox, "nurse@lab.org", after=1)
    page = await client.get("/auth/invitations/accept", params={"token": token})
    assert 'name="password"' not in page.text
    done = await client.post("/auth/invitations/accept", data={"token": token})
    assert done.status_code == 200
    assert "You are now a member" in done.text
    assert (
        await admin_conn.fetchval("SELECT password_hash FROM users WHERE email = 'nurse@lab.org'")
        == before
    )
    hospital = await org_of(admin_conn, OWNER)
    switched = await login(client, "nurse@lab.org", organization_id=str(hospital))
    assert switched.status_code == 200


async def test_dead_links(
    client: httpx.AsyncClient,
    owner: dict[str, str],
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
) -> None:
    # revoked
    invited = (await _invite(client, owner, "revoked@x.org")).json()["invitationId"]
    revoked_token = await _token(mailbox, "revoked@x.org")
    assert (await client.delete(f"/auth/invitations/{invited}", headers=owner)).status_code == 204
    # resent: the first link dies
    resent = (await _invite(client, owner, "resent@x.org")).json()["invitationId"]
    old_token = await _token(mailbox, "resent@x.org")
    assert (
        await client.post(f"/auth/invitations/{resent}/resend", headers=owner)
    ).status_code == 200
    await _token(mailbox, "resent@x.org", after=1)
    # replaced by a second invitation to the same address
    await _invite(client, owner, "again@x.org")
    replaced_token = await _token(mailbox, "again@x.org")
    await _invite(client, owner, "again@x.org")
    # expired
    await _invite(client, owner, "late@x.org")
    late_token = await _token(mailbox, "late@x.org")
    await admin_conn.execute(
        "UPDATE invitations SET expires_at = now() - interval '1 second' WHERE email = 'late@x.org'"
    )
    # wrong address
    await _invite(client, owner, "right@x.org")
    right_token = await _token(mailbox, "right@x.org")
    cases = [
        (revoked_token, {}),
        (old_token, {}),
        (replaced_token, {}),
        (late_token, {}),
        (right_token, {"email": "wrong@x.org"}),
        ("inv_made-up", {}),
    ]
    for token, extra in cases:
        answer = await client.post(
            "/auth/invitations/accept", json={"token": token, **NEW, **extra}
        )
        assert answer.status_code == 400, (token, answer.text)
        assert answer.json()["errors"][0]["code"] == "invalid_token"
    for email in ("revoked@x.org", "resent@x.org", "again@x.org", "late@x.org", "right@x.org"):
        assert await _members(admin_conn, email) == 0
    listed = (await client.get("/auth/invitations?filter[status]=expired", headers=owner)).json()
    assert [i["attributes"]["email"] for i in listed["data"]] == ["late@x.org"]


async def test_concurrent_accepts_make_one_membership(
    client: httpx.AsyncClient,
    owner: dict[str, str],
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
) -> None:
    await _invite(client, owner, "twins@x.org")
    token = await _token(mailbox, "twins@x.org")
    answers = await asyncio.gather(
        *(client.post("/auth/invitations/accept", json={"token": token, **NEW}) for _ in range(10))
    )
    assert sorted(a.status_code for a in answers) == [200] + [400] * 9
    assert await _members(admin_conn, "twins@x.org") == 1
    assert await admin_conn.fetchval("SELECT count(*) FROM users WHERE email = 'twins@x.org'") == 1


async def test_invite_refusals(
    client: httpx.AsyncClient,
    owner: dict[str, str],
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    unknown = await _invite(client, owner, "a@x.org", role="surgeon")
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0] == {
        **unknown.json()["errors"][0],
        "code": "role_not_found",
        "source": {"pointer": "/role"},
    }
    member = await _invite(client, owner, OWNER)
    assert member.status_code == 409
    bad = await client.post(
        "/auth/invite", json={"email": "x", "role": "member", "admin": True}, headers=owner
    )
    assert bad.status_code == 400
    assert {e["source"]["pointer"] for e in bad.json()["errors"]} == {"/admin", "/email"}
    org = await org_of(admin_conn, OWNER)
    await member_with_role(admin_conn, settings, org, "admin@x.org", "admin")
    admin = await token_for(client, "admin@x.org")
    assert (await _invite(client, admin, "boss@x.org", role="owner")).status_code == 403
    assert (await _invite(client, admin, "helper@x.org", role="permissionless")).status_code == 201


async def test_json_api_shape(client: httpx.AsyncClient, owner: dict[str, str]) -> None:
    document = {
        "data": {"type": "auth/invitations", "attributes": {"email": "j@x.org", "role": "member"}}
    }
    response = await client.post(
        "/auth/invite",
        content=httpx.Request("POST", "/", json=document).content,
        headers={**owner, "Content-Type": "application/vnd.api+json"},
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["type"] == "auth/invitations"
    assert data["attributes"]["status"] == "pending"
    assert response.headers["location"] == f"/auth/invitations/{data['id']}"
    assert "token" not in response.text.lower()
