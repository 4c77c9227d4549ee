"""Tokens of a membership that ended stay dead, even when the person joins again later."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from tests.support.accounts import bearer, signed_up
from tests.support.flows import Mailbox, link_in

MEMBER = "locum@clinic.example.org"
JOIN = {"firstName": "Lo", "lastName": "Cum", "password": "a locum's own passphrase"}


async def _join(
    client: httpx.AsyncClient, mailbox: Mailbox, owner: dict[str, str], invitation: int
) -> dict[str, Any]:
    invited = await client.post(
        "/auth/invite", json={"email": MEMBER, "role": "member"}, headers=owner
    )
    assert invited.status_code == 201, invited.text
    _, token = link_in(await mailbox.next_to(MEMBER, after=invitation))
    accepted = await client.post("/auth/invitations/accept", json={"token": token, **JOIN})
    assert accepted.status_code == 200, accepted.text
    tokens: dict[str, Any] = accepted.json()
    return tokens


async def test_a_removed_members_old_tokens_do_not_come_back_when_they_rejoin(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    owner = bearer(await signed_up(client, mailbox, "chief@clinic.example.org"))
    before = await _join(client, mailbox, owner, 0)
    member_id = await admin_conn.fetchval("SELECT id FROM users WHERE email = $1", MEMBER)
    removed = await client.delete(f"/auth/users/{member_id}", headers=owner)
    assert removed.status_code == 204
    assert (await client.get("/auth/me", headers=bearer(before))).status_code == 401
    await _join(client, mailbox, owner, 1)
    # Rejoining takes a while in real life (an invitation, a mail, a click): let the new
    # membership begin ten seconds later than it did here, beyond any clock tolerance.
    await admin_conn.execute(
        "UPDATE memberships SET sessions_since = now() + interval '10 seconds' WHERE user_id = $1",
        member_id,
    )
    assert (await client.get("/auth/me", headers=bearer(before))).status_code == 401
    refreshed = await client.post(
        "/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": before["refresh_token"]},
    )
    assert refreshed.status_code == 400


async def test_a_deactivated_members_old_tokens_do_not_come_back_on_reactivation(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    owner = bearer(await signed_up(client, mailbox, "chief@clinic.example.org"))
    before = await _join(client, mailbox, owner, 0)
    member_id = str(await admin_conn.fetchval("SELECT id FROM users WHERE email = $1", MEMBER))

    async def set_active(active: bool) -> None:
        body = {"data": {"type": "auth/users", "id": member_id, "attributes": {"active": active}}}
        answer = await client.patch(f"/auth/users/{member_id}", json=body, headers=owner)
        assert answer.status_code == 200, answer.text

    await set_active(False)
    assert (await client.get("/auth/me", headers=bearer(before))).status_code == 401
    await set_active(True)
    restarted = await admin_conn.fetchval(
        "SELECT sessions_since > created_at FROM memberships WHERE user_id = $1::uuid", member_id
    )
    assert restarted
    await admin_conn.execute(
        "UPDATE memberships SET sessions_since = now() + interval '10 seconds'"
        " WHERE user_id = $1::uuid",
        member_id,
    )
    assert (await client.get("/auth/me", headers=bearer(before))).status_code == 401
