"""The argon2 queue is bounded: a flood that would make requests wait too long is answered at
once with 503 and Retry-After, and the service serves normally once it has passed."""

from __future__ import annotations

import asyncio
import dataclasses

import asyncpg
import httpx
import pytest

from service.config import Settings
from service.throttle import account_client_key
from tests.support.accounts import PASSWORD, registration
from tests.support.flows import Mailbox
from tests.throttle.support import from_address, hasher, login


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # One hashing thread, production-sized hashes (tens of milliseconds each), and a wait of
    # at most a tenth of a second: a burst of forty overflows the queue.
    return dataclasses.replace(
        settings,
        argon2_memory_kib=19456,
        argon2_time_cost=2,
        argon2_max_concurrency=1,
        argon2_max_wait_seconds=0.1,
    )


async def test_a_registration_flood_overflows_into_503_then_service_resumes(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    flood = await asyncio.gather(
        *(
            client.post(
                "/auth/register",
                json=registration(f"flood{i}@clinic.example"),
                headers=from_address(f"203.0.113.{i}"),
            )
            for i in range(40)
        )
    )
    statuses = [r.status_code for r in flood]
    assert set(statuses) == {202, 503}, statuses
    busy = [r for r in flood if r.status_code == 503]
    assert all(int(r.headers["Retry-After"]) >= 1 for r in busy)
    assert {r.json()["errors"][0]["code"] for r in busy} == {"service_unavailable"}
    stats = await hasher(client)
    assert stats["refused"] == len(busy)
    assert stats["hashes"] == statuses.count(202)

    # Once the flood has passed, a person registers, verifies and signs in as usual.
    person = "after@clinic.example"
    assert (await client.post("/auth/register", json=registration(person))).status_code == 202
    path, token = await _link(mailbox, person)
    verified = await client.post(path, json={"token": token, "password": PASSWORD})
    assert verified.status_code == 204, verified.text
    assert (await login(client, person, address="192.0.2.5")).status_code == 200


async def test_a_login_flood_overflows_into_503_that_counts_no_failure(
    client: httpx.AsyncClient, admin_conn: asyncpg.Connection
) -> None:
    people = [(f"who{i}@clinic.example", f"198.51.100.{i}") for i in range(30)]
    flood = await asyncio.gather(*(login(client, e, "wrong", address=a) for e, a in people))
    statuses = [r.status_code for r in flood]
    assert set(statuses) == {401, 503}, statuses
    assert all(int(r.headers["Retry-After"]) >= 1 for r in flood if r.status_code == 503)
    # Refused for load, an attempt checked nothing: it gave its reservation back.
    counts = [
        await admin_conn.fetchval(
            "SELECT failures FROM throttle_counters WHERE key = $1", account_client_key(e, a)
        )
        for e, a in people
    ]
    assert [c for c, s in zip(counts, statuses, strict=True) if s == 503] == [0] * statuses.count(
        503
    )
    assert [c for c, s in zip(counts, statuses, strict=True) if s == 401] == [1] * statuses.count(
        401
    )


async def _link(mailbox: Mailbox, address: str) -> tuple[str, str]:
    from tests.support.flows import link_in

    return link_in(await mailbox.next_to(address))
