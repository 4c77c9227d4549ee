"""An app client acting as itself: client_credentials, its token, and what ends it."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import httpx

from service.jsonapi import JSONAPI
from tests.app_clients.clients import basic, bearer, claims, registered, role_id, token
from tests.roles.people import Member, owner
from tests.support.flows import Mailbox


async def _machine(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    email: str,
    role: str = "admin",
) -> tuple[Member, dict[str, str]]:
    me = await owner(client, mailbox, admin_conn, email)
    made = await registered(client, me, await role_id(admin_conn, me.org_id, role))
    return me, {
        "id": made["id"],
        "client_id": made["attributes"]["clientId"],
        "secret": made["attributes"]["clientSecret"],
    }


async def test_basic_and_post_give_a_token_that_names_the_client_and_works(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, robot = await _machine(client, mailbox, admin_conn, "m2m@clinic.org")
    response = await token(client, robot["client_id"], robot["secret"])
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    answer = response.json()
    assert set(answer) == {"access_token", "token_type", "expires_in"}  # no refresh token
    seen = claims(answer["access_token"])
    assert seen["sub"] == robot["id"]
    assert seen["client_id"] == robot["client_id"]
    assert seen["principal_type"] == "app_client"
    assert "email" not in seen
    assert seen["org"] == str(me.org_id)
    assert seen["role"] == "admin"
    assert "users.read" in seen["permissions"]
    members = await client.get("/auth/users", headers=bearer(answer["access_token"]))
    assert members.status_code == 200, members.text
    assert [m["attributes"]["email"] for m in members.json()["data"]] == ["m2m@clinic.org"]
    mine = await client.get("/auth/me", headers=bearer(answer["access_token"]))
    assert mine.status_code == 403
    posted = await client.post(
        "/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": robot["client_id"],
            "client_secret": robot["secret"],
        },
    )
    assert posted.status_code == 401  # registered for Basic: the post method is refused
    assert posted.json()["error"] == "invalid_client"
    used = await admin_conn.fetchval("SELECT last_used_at FROM app_clients")
    assert used is not None


async def test_wrong_secret_foreign_secret_and_unknown_client_are_one_answer(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    _, robot = await _machine(client, mailbox, admin_conn, "one@clinic.org")
    _, other = await _machine(client, mailbox, admin_conn, "two@clinic.org")
    answers = [
        await token(client, robot["client_id"], robot["secret"] + "x"),
        await token(client, robot["client_id"], other["secret"]),
        await token(client, "NoSuchClientAtAll0000", robot["secret"]),
        await token(client, robot["client_id"], ""),
    ]
    for answer in answers:
        assert answer.status_code == 401, answer.text
        assert answer.json() == {
            "error": "invalid_client",
            "error_description": "Client authentication failed.",
        }
        assert answer.headers["www-authenticate"].startswith("Basic ")


async def test_a_client_may_narrow_its_permissions_never_widen_them(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    _, robot = await _machine(client, mailbox, admin_conn, "scope@clinic.org")
    narrow = await token(client, robot["client_id"], robot["secret"], scope="users.read")
    assert narrow.status_code == 200, narrow.text
    assert narrow.json()["scope"] == "users.read"
    access = narrow.json()["access_token"]
    assert claims(access)["permissions"] == ["users.read"]
    roles = await client.get("/auth/roles", headers=bearer(access))
    assert roles.status_code == 403  # roles.read was not asked for
    wide = await token(
        client, robot["client_id"], robot["secret"], scope="users.read organization.update"
    )
    assert wide.status_code == 400
    assert wide.json()["error"] == "invalid_scope"


async def test_disabling_or_deleting_a_client_refuses_its_live_tokens_at_once(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, robot = await _machine(client, mailbox, admin_conn, "off@clinic.org")
    access = (await token(client, robot["client_id"], robot["secret"])).json()["access_token"]
    assert (await client.get("/auth/users", headers=bearer(access))).status_code == 200
    path = f"/auth/app-clients/{robot['id']}"
    off = {
        "data": {
            "type": "auth/app-clients",
            "id": robot["id"],
            "attributes": {"status": "disabled"},
        }
    }
    changed = await client.patch(
        path, content=json.dumps(off), headers={**me.headers, "Content-Type": JSONAPI}
    )
    assert changed.status_code == 200, changed.text
    assert (await client.get("/auth/users", headers=bearer(access))).status_code == 401
    assert (await token(client, robot["client_id"], robot["secret"])).status_code == 401
    on = {
        "data": {"type": "auth/app-clients", "id": robot["id"], "attributes": {"status": "active"}}
    }
    await client.patch(
        path, content=json.dumps(on), headers={**me.headers, "Content-Type": JSONAPI}
    )
    # Enabled again, it gets new tokens; the one from before stays dead.
    assert (await client.get("/auth/users", headers=bearer(access))).status_code == 401
    await asyncio.sleep(5.2)  # past the five seconds by which disabling outruns clocks
    fresh = (await token(client, robot["client_id"], robot["secret"])).json()["access_token"]
    assert (await client.get("/auth/users", headers=bearer(fresh))).status_code == 200
    assert (await client.get("/auth/users", headers=bearer(access))).status_code == 401
    assert (await client.delete(path, headers=me.headers)).status_code == 204
    assert (await client.get("/auth/users", headers=bearer(fresh))).status_code == 401
    assert (await token(client, robot["client_id"], robot["secret"])).status_code == 401


async def test_a_client_acts_in_the_audit_trail_as_itself(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, robot = await _machine(client, mailbox, admin_conn, "audit@clinic.org")
    access = (await token(client, robot["client_id"], robot["secret"])).json()["access_token"]
    made = await client.post(
        "/auth/roles",
        json={
            "data": {
                "type": "auth/roles",
                "attributes": {"name": "Night", "permissions": ["users.read"]},
            }
        },
        headers={**bearer(access), "Content-Type": JSONAPI},
    )
    assert made.status_code == 201, made.text
    invited = await client.post(
        "/auth/invite",
        json={"email": "new@clinic.org", "role": "permissionless"},
        headers=bearer(access),
    )
    assert invited.status_code == 201, invited.text
    events = await client.get("/auth/audit-events", headers=me.headers)
    mine = [e for e in events.json()["data"] if e["attributes"]["actorKind"] == "app_client"]
    assert {e["attributes"]["action"] for e in mine} == {"role.create", "invitation.create"}
    for event in mine:
        assert event["relationships"]["auth/app-clients"]["data"]["id"] == robot["id"]
        assert event["relationships"]["auth/users"]["data"] is None
    mail = await mailbox.next_to("new@clinic.org")
    assert "Provisioning backend" in mail.text


async def test_browser_clients_do_not_get_client_credentials(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "spa@clinic.org")
    role = await role_id(admin_conn, me.org_id, "member")
    web = await registered(
        client, me, role, type="regular_web_application", redirectUris=["https://app.example/cb"]
    )
    answer = await token(client, web["attributes"]["clientId"], web["attributes"]["clientSecret"])
    assert answer.status_code == 400
    assert answer.json()["error"] == "unauthorized_client"
    spa = await registered(client, me, role, type="single_page_application")
    public = await client.post(
        "/auth/token",
        data={"grant_type": "client_credentials", "client_id": spa["attributes"]["clientId"]},
    )
    assert public.status_code == 400
    assert public.json()["error"] == "unauthorized_client"
    anonymous = await client.post("/auth/token", data={"grant_type": "client_credentials"})
    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == "invalid_client"


async def test_basic_and_form_secrets_together_are_refused(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    _, robot = await _machine(client, mailbox, admin_conn, "both@clinic.org")
    answer = await client.post(
        "/auth/token",
        data={"grant_type": "client_credentials", "client_secret": robot["secret"]},
        headers=basic(robot["client_id"], robot["secret"]),
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
