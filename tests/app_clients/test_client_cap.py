"""An organization holds at most APP_CLIENTS_PER_ORGANIZATION app clients, however many
registrations arrive at once."""

from __future__ import annotations

import asyncio
import dataclasses

import asyncpg
import httpx
import pytest

from service.config import Settings
from tests.app_clients.clients import create, role_id, zus_body
from tests.roles.people import owner
from tests.support.flows import Mailbox

CAP = 3


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, app_clients_per_organization=CAP)


async def test_parallel_registrations_stop_at_the_cap(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "cap@clinic.org")
    other = await owner(client, mailbox, admin_conn, "cap@other.org", "Other")
    role = await role_id(admin_conn, me.org_id, "member")
    answers = await asyncio.gather(
        *(create(client, me, zus_body(role, name=f"Backend {i}")) for i in range(CAP * 3))
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] * CAP + [409] * (CAP * 2), statuses
    refused = next(answer for answer in answers if answer.status_code == 409)
    assert refused.json()["errors"][0]["code"] == "conflict"
    held = await admin_conn.fetchval(
        "SELECT count(*) FROM app_clients WHERE organization_id = $1", me.org_id
    )
    assert held == CAP
    # Another organization counts its own; a deleted client frees a place.
    theirs = await create(
        client, other, zus_body(await role_id(admin_conn, other.org_id, "member"))
    )
    assert theirs.status_code == 201
    made = next(answer for answer in answers if answer.status_code == 201)
    gone = await client.delete(f"/auth/app-clients/{made.json()['data']['id']}", headers=me.headers)
    assert gone.status_code == 204
    again = await create(client, me, zus_body(role, name="Replacement"))
    assert again.status_code == 201
