"""A refresh in flight cannot outlive the logout or the reuse detection that meets it.

The refresh switches organization, so it writes the user's row after it has written the new
refresh token; a superuser holding a share lock on that row keeps the refresh there, mid-way,
while the revocation arrives.
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from tests.sessions.conftest import Hold
from tests.support import factories
from tests.support.accounts import signed_up
from tests.support.flows import Mailbox

EMAIL = "locum@ward.example.org"


async def _refresh(client: httpx.AsyncClient, token: str, **extra: str) -> httpx.Response:
    return await client.post(
        "/auth/token", data={"grant_type": "refresh_token", "refresh_token": token, **extra}
    )


async def _member_of_a_second_organization(
    app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection
) -> tuple[UUID, UUID]:
    """(user, second organization)."""
    user_id = await admin_conn.fetchval("SELECT id FROM users WHERE email = $1", EMAIL)
    org_id = await factories.organization(app_conn, "Second Clinic")
    role_id = await factories.role(app_conn, org_id)
    await factories.member(app_conn, org_id, user_id, role_id)
    return user_id, org_id


async def _logout(client: httpx.AsyncClient, current: str, _stale: str) -> httpx.Response:
    return await client.post("/auth/revoke", data={"token": current})


async def _replay(client: httpx.AsyncClient, _current: str, stale: str) -> httpx.Response:
    return await _refresh(client, stale)


@pytest.mark.parametrize("revocation", [_logout, _replay], ids=["logout", "reuse"])
async def test_a_token_rotated_while_its_family_is_revoked_is_revoked_too(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    app_conn: asyncpg.Connection,
    admin_conn: asyncpg.Connection,
    hold: Hold,
    revocation: Any,
) -> None:
    first = await signed_up(client, mailbox, EMAIL)
    user_id, second_org = await _member_of_a_second_organization(app_conn, admin_conn)
    rotated = await _refresh(client, first["refresh_token"])
    assert rotated.status_code == 200
    stale, current = first["refresh_token"], rotated.json()["refresh_token"]
    await admin_conn.execute(  # the stale token was rotated long ago: replaying it is reuse
        "UPDATE refresh_tokens SET rotated_at = now() - interval '1 minute'"
        " WHERE user_id = $1 AND rotated_at IS NOT NULL",
        user_id,
    )
    await hold.take("SELECT 1 FROM users WHERE id = $1 FOR SHARE", user_id)
    refresh = asyncio.create_task(_refresh(client, current, organization_id=str(second_org)))
    await hold.until_waiting(1)
    revoking = asyncio.create_task(revocation(client, current, stale))
    await hold.until_waiting(2)
    await hold.release()
    issued, revoked = await refresh, await revoking
    assert issued.status_code == 200, "the refresh began first and goes first"
    assert revoked.status_code in (200, 400)  # a logout answers 200, a replay 400
    assert (await _refresh(client, issued.json()["refresh_token"])).status_code == 400
    assert (await _refresh(client, current)).status_code == 400
    live = await admin_conn.fetchval(
        "SELECT count(*) FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL", user_id
    )
    assert live == 0
