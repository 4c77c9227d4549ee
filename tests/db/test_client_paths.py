"""The one-statement client paths (migration 030) read what the functions they stand in for
read: the client and its live secrets as ``app_client_credentials``, the member as
``app_session_caller``. Their queries are written out (a nested call would cost a third of
the statement), so these tests hold the answers equal, as the app role, and hold that a
wrong secret reads nothing and spends nothing."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from service.ids import uuid7
from service.security.client_secrets import SecretHasher, new_client_id, new_secret
from tests.support import factories

CLIENT_COLUMNS = 20  # app_client_credentials' columns come first, in its order
HASHER = SecretHasher(None)


async def _client(
    app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection
) -> tuple[UUID, UUID, str, bytes]:
    org_id = await factories.organization(app_conn, "Paths")
    role_id = await factories.role(app_conn, org_id)
    user_id = await factories.user(app_conn, "someone@paths.example.org")
    await factories.member(app_conn, org_id, user_id, role_id)
    client_id, secret = new_client_id(), new_secret()
    row_id = uuid7()
    await admin_conn.execute(
        "INSERT INTO app_clients (id, organization_id, client_id, name, type, role_id,"
        " token_endpoint_auth_method) VALUES ($1, $2, $3, 'Paths', 'machine_to_machine', $4,"
        " 'client_secret_basic')",
        row_id,
        org_id,
        client_id,
        role_id,
    )
    await admin_conn.execute(
        "INSERT INTO app_client_secrets (id, organization_id, app_client_id, secret_hash)"
        " VALUES ($1, $2, $3, $4)",
        uuid7(),
        org_id,
        row_id,
        HASHER.digest(secret),
    )
    return org_id, user_id, client_id, HASHER.digest(secret)


async def test_introspections_statement_reads_what_the_two_functions_read(
    app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection
) -> None:
    org_id, user_id, client_id, presented = await _client(app_conn, admin_conn)
    alone = await app_conn.fetchrow("SELECT * FROM app_client_credentials($1)", client_id)
    caller = await app_conn.fetchrow("SELECT * FROM app_session_caller($1, $2)", org_id, user_id)
    both = await app_conn.fetchrow(
        "SELECT * FROM app_client_credentials_caller($1, $2, $3, $4)",
        client_id,
        presented,
        org_id,
        user_id,
    )
    assert alone is not None
    assert caller is not None
    assert both is not None
    assert list(both.keys())[:CLIENT_COLUMNS] == list(alone.keys())
    assert list(both.values())[:CLIENT_COLUMNS] == list(alone.values())
    assert both["ran"] is True
    tail = list(both.items())[CLIENT_COLUMNS + 1 :]
    assert [k.removeprefix("caller_") for k, _ in tail] == list(caller.keys())
    assert [v for _, v in tail] == list(caller.values())
    # A wrong secret: the client (for the service to refuse), nobody read.
    wrong = await app_conn.fetchrow(
        "SELECT * FROM app_client_credentials_caller($1, $2, $3, $4)",
        client_id,
        HASHER.digest("acs_wrong"),
        org_id,
        user_id,
    )
    assert wrong is not None
    assert wrong["ran"] is False
    assert wrong["caller_email"] is None


async def test_the_token_statement_reads_the_client_and_spends_only_with_its_secret(
    app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection
) -> None:
    _, _, client_id, presented = await _client(app_conn, admin_conn)
    alone = await app_conn.fetchrow("SELECT * FROM app_client_credentials($1)", client_id)
    arguments = ("client_tokens:", 5, 3600)
    wrong = await app_conn.fetchrow(
        "SELECT * FROM app_client_credentials_token($1, $2, $3, $4, $5)",
        client_id,
        HASHER.digest("acs_wrong"),
        *arguments,
    )
    assert wrong is not None
    assert wrong["ran"] is False
    assert await admin_conn.fetchval("SELECT count(*) FROM throttle_counters") == 0
    both = await app_conn.fetchrow(
        "SELECT * FROM app_client_credentials_token($1, $2, $3, $4, $5)",
        client_id,
        presented,
        *arguments,
    )
    assert alone is not None
    assert both is not None
    assert list(both.values())[:CLIENT_COLUMNS] == list(alone.values())
    assert (both["ran"], both["retry_after"], both["live_status"]) == (True, 0, "active")
    assert both["role_code"] == "member"
    assert await admin_conn.fetchval("SELECT failures FROM throttle_counters") == 1
    left = await app_conn.fetchval("SELECT current_setting('app.anonymous', true)")
    assert (left or "") == ""
