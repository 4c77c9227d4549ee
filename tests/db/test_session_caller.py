"""``app_session_caller`` (migration 023): the caller of a signed-in request in one statement.

It reads the member from the tables rather than through ``organization_members``; these tests
hold the two equal, and hold that the function sets its context for its own statement only
and stays under row-level security (the app role calls it).
"""

from __future__ import annotations

import asyncpg

from tests.support import factories

MEMBER_COLUMNS = 11  # organization_members' own columns come first, in its order


async def _clinic(conn: asyncpg.Connection, name: str) -> tuple[object, object]:
    org_id = await factories.organization(conn, name)
    role_id = await factories.role(conn, org_id)
    user_id = await factories.user(conn, f"someone@{name.lower()}.example.org")
    await factories.member(conn, org_id, user_id, role_id)
    return org_id, user_id


async def test_the_caller_is_the_member_the_organization_shows(
    app_conn: asyncpg.Connection,
) -> None:
    org_id, user_id = await _clinic(app_conn, "Shown")
    caller = await app_conn.fetchrow("SELECT * FROM app_session_caller($1, $2)", org_id, user_id)
    assert caller is not None
    async with app_conn.transaction():
        await app_conn.execute("SELECT set_config('app.org_id', $1, true)", str(org_id))
        shown = await app_conn.fetchrow(
            "SELECT * FROM organization_members WHERE organization_id = $1 AND id = $2",
            org_id,
            user_id,
        )
    assert shown is not None
    assert list(shown.keys()) == list(caller.keys())[:MEMBER_COLUMNS]
    assert list(shown.values()) == list(caller.values())[:MEMBER_COLUMNS]
    assert caller["accepted"] is True
    assert caller["permissions"] == ["users.read"]


async def test_no_caller_from_another_organization(app_conn: asyncpg.Connection) -> None:
    ours, _ = await _clinic(app_conn, "Ours")
    _, theirs = await _clinic(app_conn, "Theirs")
    found = await app_conn.fetchrow("SELECT * FROM app_session_caller($1, $2)", ours, theirs)
    assert found is None


async def test_the_context_ends_with_the_statement(app_conn: asyncpg.Connection) -> None:
    org_id, user_id = await _clinic(app_conn, "Brief")
    assert await app_conn.fetchrow("SELECT * FROM app_session_caller($1, $2)", org_id, user_id)
    left = await app_conn.fetchrow(
        "SELECT current_setting('app.org_id', true) AS org,"
        " current_setting('app.user_id', true) AS usr"
    )
    assert left is not None
    assert (left["org"] or "") == ""
    assert (left["usr"] or "") == ""
    assert await app_conn.fetchval("SELECT count(*) FROM memberships") == 0
