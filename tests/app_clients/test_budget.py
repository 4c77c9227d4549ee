"""Each client's token budget holds when its requests arrive all at once."""

from __future__ import annotations

import asyncio
import dataclasses

import asyncpg
import httpx
import pytest

from service.config import Settings
from tests.app_clients.clients import registered, role_id, token
from tests.roles.people import owner
from tests.support.flows import Mailbox

BUDGET = 3


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, app_client_tokens_per_hour=BUDGET)


async def test_parallel_requests_get_exactly_the_budget(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "budget@clinic.org")
    role = await role_id(admin_conn, me.org_id, "member")
    busy = await registered(client, me, role)
    calm = await registered(client, me, role, name="Another backend")
    answers = await asyncio.gather(
        *(
            token(client, busy["attributes"]["clientId"], busy["attributes"]["clientSecret"])
            for _ in range(BUDGET * 3)
        )
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] * BUDGET + [429] * (BUDGET * 2), statuses
    refused = next(answer for answer in answers if answer.status_code == 429)
    assert int(refused.headers["retry-after"]) > 0
    # Another client of the same organization has its own budget.
    other = await token(client, calm["attributes"]["clientId"], calm["attributes"]["clientSecret"])
    assert other.status_code == 200


async def test_a_spent_budget_comes_back_whole_when_its_hour_ends(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "renewed@clinic.org")
    role = await role_id(admin_conn, me.org_id, "member")
    made = await registered(client, me, role)
    client_id, secret = made["attributes"]["clientId"], made["attributes"]["clientSecret"]
    first = [await token(client, client_id, secret) for _ in range(BUDGET + 2)]
    assert [a.status_code for a in first] == [200] * BUDGET + [429, 429]
    # Refusals were not counted: the hour ends, and exactly the budget is there again.
    ended = await admin_conn.execute(
        "UPDATE throttle_counters SET window_ends_at = now() - interval '1 second' WHERE key = $1",
        f"client_tokens:{made['id']}",
    )
    assert ended == "UPDATE 1"
    again = await asyncio.gather(*(token(client, client_id, secret) for _ in range(BUDGET * 2)))
    assert sorted(a.status_code for a in again) == [200] * BUDGET + [429] * BUDGET


async def test_a_stranger_naming_the_client_spends_none_of_its_budget(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "stranger@clinic.org")
    role = await role_id(admin_conn, me.org_id, "member")
    made = await registered(client, me, role)
    other = await registered(client, me, role, name="Another backend")
    client_id, secret = made["attributes"]["clientId"], made["attributes"]["clientSecret"]
    wrong = (
        [
            token(client, client_id, "acs_" + "A" * 43),  # a guess
            token(client, client_id, other["attributes"]["clientSecret"]),  # another client's
            token(client, client_id, secret[:-1]),
        ]
        * 5
    )
    refused = await asyncio.gather(*wrong)
    assert {answer.status_code for answer in refused} == {401}
    counted = await admin_conn.fetchval(
        "SELECT failures FROM throttle_counters WHERE key = $1", f"client_tokens:{made['id']}"
    )
    assert counted is None
    answers = await asyncio.gather(*(token(client, client_id, secret) for _ in range(BUDGET)))
    assert [answer.status_code for answer in answers] == [200] * BUDGET
