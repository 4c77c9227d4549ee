"""Who can claim an account: an anonymous registrant, the holder of a link, another tenant.

Each test is an attack over HTTP with the mail really delivered and its links followed: a
registration aimed at an account an administrator created, a squatter's password waiting for
the address's owner to click, an organization probing or renaming another's people, and an
invitation link used as if it were a password.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from tests.support.accounts import PASSWORD, bearer, login, register, registration, signed_up
from tests.support.flows import Mailbox, link_in

ALICE = "alice@ward.example.org"
ALICE_PASSWORD = "alices own passphrase"
EVE_PASSWORD = "eves chosen passphrase"


async def _role(admin_conn: asyncpg.Connection, owner_email: str, code: str) -> tuple[str, str]:
    row = await admin_conn.fetchrow(
        "SELECT r.organization_id, r.id FROM roles r JOIN memberships m "
        "ON m.organization_id = r.organization_id JOIN users u ON u.id = m.user_id "
        "WHERE u.email = $1 AND r.code = $2 ORDER BY m.created_at LIMIT 1",
        owner_email,
        code,
    )
    return str(row["organization_id"]), str(row["id"])


def _member(email: str, role_id: str, name: str = "Alice Ward") -> dict[str, Any]:
    return {
        "data": {
            "type": "auth/users",
            "attributes": {"email": email, "name": name, "userType": "builder"},
            "relationships": {"auth/roles": {"data": {"type": "auth/roles", "id": role_id}}},
        }
    }


async def _add(
    client: httpx.AsyncClient, headers: dict[str, str], email: str, role_id: str, **kw: str
) -> httpx.Response:
    response = await client.post("/auth/users", json=_member(email, role_id, **kw), headers=headers)
    assert response.status_code == 201, response.text
    return response


async def test_registration_cannot_take_over_an_account_an_admin_created(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    owner = bearer(await signed_up(client, mailbox, "chief@ward.example.org"))
    org, admin_role = await _role(admin_conn, "chief@ward.example.org", "admin")
    created = await _add(client, owner, ALICE, admin_role)
    alice_id = created.json()["data"]["id"]
    set_password = await mailbox.next_to(ALICE)
    # Eve registers Alice's address before Alice has set her password.
    body = registration(ALICE, password=EVE_PASSWORD, firstName="Eve", organizationName="Evil")
    eve = await client.post("/auth/register", json=body)
    fresh = await client.post("/auth/register", json=registration("new@ward.example.org"))
    assert (eve.status_code, eve.content) == (fresh.status_code, fresh.content)
    notice = await mailbox.next_to(ALICE, after=1)
    assert "token=" not in notice.text
    seen_by_alice = notice.text + str(notice.message["Subject"]) + notice.part("html")
    assert "Evil" not in seen_by_alice, "a stranger's text"
    seen = await client.get(f"/auth/users/{alice_id}", headers=owner)
    assert seen.json()["data"]["attributes"]["name"] == "Alice Ward"
    # Alice's own link still works, and only her password opens her account.
    _, token = link_in(set_password)
    done = await client.post(
        "/auth/password-reset/confirm", json={"token": token, "password": ALICE_PASSWORD}
    )
    assert done.status_code == 204, done.text
    assert (await login(client, ALICE, EVE_PASSWORD, organization_id=org)).status_code == 401
    assert (await login(client, ALICE, ALICE_PASSWORD, organization_id=org)).status_code == 200
    assert await admin_conn.fetchval("SELECT count(*) FROM organizations WHERE name = 'Evil'") == 0


async def test_an_anonymous_registration_never_deletes_an_organization(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    owner = bearer(await signed_up(client, mailbox, "chief@ward.example.org"))
    org, owner_role = await _role(admin_conn, "chief@ward.example.org", "owner")
    await _add(client, owner, ALICE, owner_role)
    chief = await admin_conn.fetchval("SELECT id FROM users WHERE email = 'chief@ward.example.org'")
    left = await client.delete(f"/auth/users/{chief}", headers=owner)
    assert left.status_code == 204, left.text  # Alice, not yet verified, is the only member
    trail = await admin_conn.fetchval(
        "SELECT count(*) FROM audit_events WHERE organization_id = $1::uuid", org
    )
    await register(client, ALICE, password=EVE_PASSWORD)
    assert await admin_conn.fetchval("SELECT count(*) FROM organizations WHERE id = $1::uuid", org)
    assert trail == await admin_conn.fetchval(
        "SELECT count(*) FROM audit_events WHERE organization_id = $1::uuid", org
    )


async def test_the_app_role_cannot_delete_an_organization(app_conn: asyncpg.Connection) -> None:
    privileges = await app_conn.fetchval(
        "SELECT has_table_privilege(current_user, 'organizations', 'DELETE')"
    )
    assert privileges is False


async def test_a_squatters_password_never_reaches_an_organization(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    await register(client, ALICE, password=EVE_PASSWORD, organization="Squat")
    squat_path, squat_token = link_in(await mailbox.next_to(ALICE))
    owner = bearer(await signed_up(client, mailbox, "chief@ward.example.org"))
    org, member_role = await _role(admin_conn, "chief@ward.example.org", "member")
    await _add(client, owner, ALICE, member_role)
    # Alice clicks the squatter's confirmation link: without Eve's password it activates nothing.
    for attempt in ({"token": squat_token, "password": ALICE_PASSWORD}, {"token": squat_token}):
        refused = await client.post(squat_path, json=attempt)
        assert refused.status_code == 400, refused.text
    assert (await login(client, ALICE, EVE_PASSWORD)).status_code == 401
    # Registering again no longer replaces the account: something else holds it now.
    await register(client, ALICE, password="a second squat passphrase")
    join_path, join_token = link_in(await mailbox.next_to(ALICE, after=1))
    assert join_path == "/auth/invitations/accept"
    person = {"firstName": "Alice", "lastName": "Ward", "password": ALICE_PASSWORD}
    joined = await client.post(join_path, json={"token": join_token, **person})
    assert joined.status_code == 200, joined.text
    for password in (EVE_PASSWORD, "a second squat passphrase"):
        assert (await login(client, ALICE, password, organization_id=org)).status_code == 401
    assert (await login(client, ALICE, ALICE_PASSWORD, organization_id=org)).status_code == 200


async def test_confirming_a_registration_needs_the_registrants_password(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await register(client, ALICE, password=EVE_PASSWORD)
    path, token = link_in(await mailbox.next_to(ALICE))
    wrong = await client.post(path, json={"token": token, "password": ALICE_PASSWORD})
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["source"]["pointer"] == "/password"
    assert (await login(client, ALICE, EVE_PASSWORD)).status_code == 401
    right = await client.post(path, json={"token": token, "password": EVE_PASSWORD})
    assert right.status_code == 204, "the link outlives a mistyped password"
    assert (await login(client, ALICE, EVE_PASSWORD)).status_code == 200


async def test_another_tenant_learns_nothing_and_renames_nothing(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    person = await signed_up(client, mailbox, ALICE, firstName="Alice", lastName="Ward")
    rival = bearer(await signed_up(client, mailbox, "boss@rival.example.org", organization="Rival"))
    _, role = await _role(admin_conn, "boss@rival.example.org", "member")
    await admin_conn.execute(  # an account a month old: its age must not show through
        "UPDATE users SET created_at = now() - interval '30 days' WHERE email = $1", ALICE
    )
    known = (await _add(client, rival, ALICE, role, name="Probe")).json()["data"]
    unknown = (await _add(client, rival, "nobody@ward.example.org", role, name="Probe")).json()
    shown, fresh = known["attributes"], unknown["data"]["attributes"]
    assert set(shown) == set(fresh)
    for field in ("name", "emailVerified", "active", "userType"):
        assert shown.get(field) == fresh.get(field), field
    account_created = await admin_conn.fetchval(
        "SELECT extract(epoch FROM created_at)::bigint FROM users WHERE email = $1", ALICE
    )
    assert shown["createdAt"] != account_created, "the organization's date, not the account's"
    assert shown["createdAt"] <= fresh["createdAt"]
    renamed = await client.patch(
        f"/auth/users/{known['id']}",
        json={"data": {"type": "auth/users", "id": known["id"], "attributes": {"name": "Mallory"}}},
        headers=rival,
    )
    assert renamed.status_code == 200, renamed.text
    me = await client.get("/auth/me", headers=bearer(person))
    assert me.json()["data"]["attributes"]["name"] == "Alice Ward"
    rival_org, _ = await _role(admin_conn, "boss@rival.example.org", "member")
    pending = await login(client, ALICE, organization_id=rival_org)
    assert pending.status_code == 401, "no session in an organization the person never accepted"


async def _invite(
    client: httpx.AsyncClient, mailbox: Mailbox, owner: dict[str, str], after: int
) -> str:
    invited = await client.post(
        "/auth/invite", json={"email": ALICE, "role": "member"}, headers=owner
    )
    assert invited.status_code == 201, invited.text
    return link_in(await mailbox.next_to(ALICE, after=after))[1]


async def test_an_invitation_link_is_not_a_password(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    person = await signed_up(client, mailbox, ALICE)
    owner = bearer(await signed_up(client, mailbox, "lab@lab.example.org", organization="Lab"))
    alice = await admin_conn.fetchval("SELECT id FROM users WHERE email = $1", ALICE)
    accept = "/auth/invitations/accept"
    # The link alone records the membership but issues nothing; a wrong password not even that.
    token = await _invite(client, mailbox, owner, after=1)
    wrong = await client.post(accept, json={"token": token, "password": "not hers at all"})
    assert wrong.status_code == 400
    link_only = await client.post(accept, json={"token": token})
    assert link_only.status_code == 202, link_only.text
    assert "access_token" not in link_only.text
    # Her password, or a session of her account, proves her: then the answer has tokens.
    for n, proof in enumerate(({"password": PASSWORD}, {}), start=2):
        assert (await client.delete(f"/auth/users/{alice}", headers=owner)).status_code == 204
        token = await _invite(client, mailbox, owner, after=n)
        headers = bearer(person) if not proof else {}
        proven = await client.post(accept, json={"token": token, **proof}, headers=headers)
        assert proven.status_code == 200, proven.text
        assert "access_token" in proven.json()
