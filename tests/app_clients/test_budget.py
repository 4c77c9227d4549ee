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
