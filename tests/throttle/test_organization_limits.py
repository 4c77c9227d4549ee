"""An organization creates and invites at most 100 people an hour; then 429 with Retry-After."""

from __future__ import annotations

import asyncpg
import httpx

from tests.support.accounts import bearer, signed_up
from tests.support.flows import Mailbox
from tests.users.helpers import new_user, org_of, role_id

OWNER = "owner@clinic.example"


async def test_member_creation_and_invitations_are_limited_per_organization(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    owner = bearer(await signed_up(client, mailbox, OWNER))
    member = await role_id(admin_conn, await org_of(admin_conn, OWNER), "member")
    for i in range(100):
        body = new_user(f"staff{i}@clinic.example", member)
        assert (await client.post("/auth/users", json=body, headers=owner)).status_code == 201
    over = await client.post(
        "/auth/users", json=new_user("one.more@x.example", member), headers=owner
    )
    assert over.status_code == 429
    assert over.json()["errors"][0]["code"] == "rate_limited"
    assert 3500 <= int(over.headers["Retry-After"]) <= 3600
    assert await admin_conn.fetchval("SELECT count(*) FROM memberships") == 101

    invite = {"email": "guest0@x.example", "role": "member"}
    first = await client.post("/auth/invite", json=invite, headers=owner)
    assert first.status_code == 201
    resend = f"/auth/invitations/{first.json()['invitationId']}/resend"
    for i in range(1, 99):
        invite = {"email": f"guest{i}@x.example", "role": "member"}
        assert (await client.post("/auth/invite", json=invite, headers=owner)).status_code == 201
    assert (await client.post(resend, headers=owner)).status_code == 200  # the hundredth
    refused = await client.post("/auth/invite", json={"email": "g@x.example", "role": "member"})
    assert refused.status_code == 401  # without a token nothing is counted at all
    refused = await client.post(
        "/auth/invite", json={"email": "g@x.example", "role": "member"}, headers=owner
    )
    assert refused.status_code == 429
    assert (await client.post(resend, headers=owner)).status_code == 429
