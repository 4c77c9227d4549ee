"""Login throttling under concurrent bursts, over HTTP: a burst gets no more checks than the
limit, and the throttle cannot be turned against the account's owner or a clinic's NAT."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx

from tests.support.accounts import PASSWORD
from tests.throttle.support import hasher, login, staff

ATTACKER = "203.0.113.66"
NAT = "198.51.100.20"


async def test_forty_simultaneous_guesses_get_ten_verifications(
    client: httpx.AsyncClient, app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection
) -> None:
    await staff(app_conn, admin_conn, ["victim@clinic.example"])
    before = (await hasher(client))["verifications"]
    guesses = await asyncio.gather(
        *(
            login(client, "victim@clinic.example", f"guess number {i}", address=ATTACKER)
            for i in range(40)
        )
    )
    assert (await hasher(client))["verifications"] - before == 10
    # Refused and checked guesses get byte-identical answers.
    assert {g.status_code for g in guesses} == {401}
    assert len({g.content for g in guesses}) == 1
    # Even the right password is refused from the attacker's client, with the same answer...
    blocked = await login(client, "victim@clinic.example", address=ATTACKER)
    assert (blocked.status_code, blocked.content) == (401, guesses[0].content)
    # ...while the owner, from a client that has not been failing, signs in.
    assert (await login(client, "victim@clinic.example", address="192.0.2.10")).status_code == 200


async def test_the_owner_signs_in_from_their_own_client_during_a_distributed_attack(
    client: httpx.AsyncClient, app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection
) -> None:
    await staff(app_conn, admin_conn, ["owner@clinic.example"])
    home = "192.0.2.44"
    assert (await login(client, "owner@clinic.example", address=home)).status_code == 200
    # Ten addresses, ten wrong guesses each: the account-wide ceiling of 100 is reached.
    attack = [
        login(client, "owner@clinic.example", f"wrong {i}", address=f"203.0.113.{i // 10}")
        for i in range(100)
    ]
    assert {r.status_code for r in await asyncio.gather(*attack)} == {401}
    stranger = await login(client, "owner@clinic.example", address="203.0.113.200")
    assert stranger.status_code == 401
    # The client that signed in before is spared the ceiling: the owner is not locked out.
    assert (await login(client, "owner@clinic.example", address=home)).status_code == 200


async def test_a_nat_full_of_failures_does_not_lock_its_clinic_out(
    client: httpx.AsyncClient, app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection
) -> None:
    people = [f"nurse{i}@clinic.example" for i in range(30)]
    await staff(app_conn, admin_conn, [*people, "new.starter@clinic.example"])
    # A morning wave: thirty people sign in from one address at once, none is refused.
    wave = await asyncio.gather(*(login(client, p, address=NAT) for p in people))
    assert [r.status_code for r in wave] == [200] * 30
    # Someone behind the same address sprays wrong passwords until the address limit holds.
    spray = [login(client, f"guess{i}@clinic.example", "wrong", address=NAT) for i in range(110)]
    sprayed = await asyncio.gather(*spray)
    assert {r.status_code for r in sprayed} == {401}
    newcomer = await login(client, "new.starter@clinic.example", address=NAT)
    assert (newcomer.status_code, newcomer.content) == (401, sprayed[0].content)
    # The next morning's wave still goes through: these clients signed in here before.
    wave = await asyncio.gather(*(login(client, p, address=NAT) for p in people))
    assert [r.status_code for r in wave] == [200] * 30


async def test_a_refused_attempt_costs_no_argon2_work(
    client: httpx.AsyncClient, app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection
) -> None:
    await staff(app_conn, admin_conn, ["timed@clinic.example"])
    for i in range(10):
        await login(client, "timed@clinic.example", f"wrong {i}", address=ATTACKER)
    before = await hasher(client)
    refused = await login(client, "timed@clinic.example", PASSWORD, address=ATTACKER)
    assert refused.status_code == 401
    assert await hasher(client) == before  # refused without any argon2 work
