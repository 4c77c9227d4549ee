"""The two hot paths in round trips to the database, counted on the app's own pool.

The app runs with a pool of one connection and a query logger on it, so every statement any
request sends is seen; a signed-in read must cost one, a successful login two (the attempt
reserved and the account found before the password check, the rest after it). asyncpg asks
the server about types it has not seen once per connection, so each path runs once first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest
from litestar import get

from service.config import Settings
from service.ids import uuid7
from service.routing import Injected
from service.security.passwords import PasswordHasher
from tests.support.accounts import PASSWORD, bearer, login
from tests.support.server import serve

EMAIL = "counted@round-trips.example.org"


@dataclass
class Statements:
    sent: list[str] = dataclasses.field(default_factory=list)

    def seen(self, record: asyncpg.connection.LoggedQuery) -> None:
        self.sent.append(record.query)

    def since(self, mark: int) -> list[str]:
        return self.sent[mark:]


@pytest.fixture
async def counted(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Statements]]:
    statements = Statements()

    @get("/test/count-statements")
    async def count(pool: Injected[asyncpg.Pool]) -> None:
        async with pool.acquire() as conn:  # the pool's one connection
            conn.add_query_logger(statements.seen)

    one = dataclasses.replace(settings, db_pool_min=1, db_pool_max=1, mail_worker=False)
    async with serve(one, extra_routes=[count]) as url, httpx.AsyncClient(base_url=url) as client:
        assert (await client.get("/test/count-statements")).status_code == 200
        yield client, statements


@pytest.fixture
async def member(admin_conn: asyncpg.Connection, settings: Settings) -> None:
    """A verified member with a password, written as the superuser."""
    hasher = PasswordHasher(settings)
    try:
        password_hash = await hasher.hash(PASSWORD)
    finally:
        hasher.close()
    org_id, role_id, user_id = uuid7(), uuid7(), uuid7()
    await admin_conn.execute(
        "INSERT INTO organizations (id, name, slug) VALUES ($1, 'Counted', 'counted')", org_id
    )
    await admin_conn.execute(
        "INSERT INTO roles (id, organization_id, code, name, is_managed, permissions)"
        " VALUES ($1, $2, 'member', 'Member', true, '{users.read}')",
        role_id,
        org_id,
    )
    await admin_conn.execute(
        "INSERT INTO users (id, email, name, password_hash, email_verified_at)"
        " VALUES ($1, $2, 'Counted', $3, now())",
        user_id,
        EMAIL,
        password_hash,
    )
    await admin_conn.execute(
        "INSERT INTO memberships (organization_id, user_id, role_id, name)"
        " VALUES ($1, $2, $3, 'Counted')",
        org_id,
        user_id,
        role_id,
    )


@pytest.mark.usefixtures("member")
async def test_a_signed_in_read_costs_one_statement(
    counted: tuple[httpx.AsyncClient, Statements],
) -> None:
    client, statements = counted
    tokens = (await login(client, EMAIL)).json()
    assert (await client.get("/auth/me", headers=bearer(tokens))).status_code == 200
    mark = len(statements.sent)
    response = await client.get("/auth/me", headers=bearer(tokens))
    assert response.status_code == 200, response.text
    assert response.json()["data"]["attributes"]["email"] == EMAIL
    sent = statements.since(mark)
    assert len(sent) == 1, sent
    assert sent[0].endswith("SELECT * FROM app_session_caller($1, $2);")


@pytest.mark.usefixtures("member")
async def test_a_successful_login_costs_two_statements(
    counted: tuple[httpx.AsyncClient, Statements],
) -> None:
    client, statements = counted
    assert (await login(client, EMAIL)).status_code == 200  # asyncpg learns the types once
    mark = len(statements.sent)
    response = await login(client, EMAIL)
    assert response.status_code == 200, response.text
    sent = statements.since(mark)
    assert len(sent) == 2, sent
    assert "app_login_begin" in sent[0]
    assert "app_login_complete" in sent[1]
