"""Rotating a client's secret without downtime, and at once after a leak."""

from __future__ import annotations

import asyncio
import json
import time

import asyncpg
import httpx

from service.jsonapi import JSONAPI
from tests.app_clients.clients import registered, role_id, token
from tests.roles.people import Member, owner
from tests.support.flows import Mailbox


async def _rotate(
    client: httpx.AsyncClient, me: Member, client_uuid: str, grace: int | None = None
) -> httpx.Response:
    body = None if grace is None else json.dumps({"meta": {"gracePeriodSeconds": grace}})
    return await client.post(
        f"/auth/app-clients/{client_uuid}/rotate-secret",
        content=body,
        headers={**me.headers, **({"Content-Type": JSONAPI} if body else {})},
    )


async def test_both_secrets_work_during_the_grace_and_only_the_new_one_after(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "rotate@clinic.org")
    made = await registered(client, me, await role_id(admin_conn, me.org_id, "member"))
    client_id, old = made["attributes"]["clientId"], made["attributes"]["clientSecret"]
    default = await _rotate(client, me, made["id"])
    assert default.status_code == 200, default.text
    assert default.headers["cache-control"] == "no-store"
    expires = default.json()["meta"]["previousSecretExpiresAt"]
    assert abs(expires - (time.time() + 86_400)) < 60
    second = default.json()["data"]["attributes"]["clientSecret"]
    assert second != old
    assert (await token(client, client_id, old)).status_code == 200
    assert (await token(client, client_id, second)).status_code == 200
    # A short grace: the previous secret (and the one before it) stop when it ends.
    short = await _rotate(client, me, made["id"], grace=1)
    third = short.json()["data"]["attributes"]["clientSecret"]
    assert (await token(client, client_id, second)).status_code == 200
    await asyncio.sleep(1.2)
    assert (await token(client, client_id, second)).status_code == 401
    assert (await token(client, client_id, old)).status_code == 401
    assert (await token(client, client_id, third)).status_code == 200
    actions = await admin_conn.fetch(
        "SELECT action FROM audit_events WHERE action = 'app_client.rotate_secret'"
    )
    assert len(actions) == 2


async def test_a_leaked_secret_stops_at_once(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "leak@clinic.org")
    made = await registered(client, me, await role_id(admin_conn, me.org_id, "member"))
    client_id, leaked = made["attributes"]["clientId"], made["attributes"]["clientSecret"]
    answer = await _rotate(client, me, made["id"], grace=0)
    assert answer.status_code == 200, answer.text
    assert answer.json()["meta"]["previousSecretExpiresAt"] is None
    assert (await token(client, client_id, leaked)).status_code == 401
    fresh = answer.json()["data"]["attributes"]["clientSecret"]
    assert (await token(client, client_id, fresh)).status_code == 200


async def test_a_grace_out_of_range_is_refused(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "range@clinic.org")
    made = await registered(client, me, await role_id(admin_conn, me.org_id, "member"))
    for grace in (-1, 31 * 86_400):
        answer = await _rotate(client, me, made["id"], grace=grace)
        assert answer.status_code == 400, answer.text
        assert answer.json()["errors"][0]["source"]["pointer"] == "/meta/gracePeriodSeconds"
    assert await admin_conn.fetchval("SELECT count(*) FROM app_client_secrets") == 1
