"""Start-up fails closed: a database role that would bypass row-level security, or a
production configuration that would leak, stops the service before it serves anything."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from service.app import create_app
from service.config import Settings
from service.db import privileges
from tests.operations.instances import environment, finished
from tests.support import postgres

PASSWORD = "role-test-password"
KEY = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80="


@pytest.fixture
async def unsafe_roles(pg_admin: str, db: postgres.Database) -> AsyncIterator[dict[str, str]]:
    """URLs of roles the service must refuse: superuser, owner, BYPASSRLS, owner's member."""
    suffix = uuid.uuid4().hex[:8]
    bypass, member = f"t_bypass_{suffix}", f"t_member_{suffix}"
    admin = await asyncpg.connect(pg_admin)
    try:
        await admin.execute(f"CREATE ROLE {bypass} LOGIN BYPASSRLS PASSWORD '{PASSWORD}'")
        await admin.execute(f"CREATE ROLE {member} LOGIN PASSWORD '{PASSWORD}' IN ROLE auth_owner")
        yield {
            "superuser": db.admin,
            "owns": db.owner,
            "BYPASSRLS": postgres.with_user(pg_admin, bypass, PASSWORD, db.name),
            "member of a role": postgres.with_user(pg_admin, member, PASSWORD, db.name),
        }
    finally:
        for role in (bypass, member):
            await admin.execute(f"DROP ROLE IF EXISTS {role}")
        await admin.close()


async def test_the_app_refuses_a_role_that_bypasses_row_level_security(
    settings: Settings, unsafe_roles: dict[str, str]
) -> None:
    for words, url in unsafe_roles.items():
        conn = await asyncpg.connect(url)
        try:
            found = await privileges.problem(conn)
        finally:
            await conn.close()
        assert found is not None, words
        assert found.startswith("DATABASE_URL: role "), found
        assert words in found, found
        app = create_app(dataclasses.replace(settings, database_url=url))
        refused: list[str] = []
        try:
            async with app.lifespan():
                pytest.fail(f"the app served through a role that is {words}")
        except* privileges.UnsafeRole as group:
            refused = [str(error) for error in group.exceptions]
        assert refused == [found]


async def test_the_app_role_is_accepted(settings: Settings, app_conn: asyncpg.Connection) -> None:
    assert await privileges.problem(app_conn) is None
    app = create_app(settings)
    async with app.lifespan():
        assert app.state.pool is not None


async def _serve(env: dict[str, str]) -> tuple[int, list[str]]:
    try:
        code, _, err = await finished(env, "serve")
    except TimeoutError:
        pytest.fail("the service started instead of refusing")
    plain = [line for line in err.splitlines() if not line.startswith("{")]
    return code, plain


async def test_serve_refuses_the_owner_role_in_one_line(db: postgres.Database) -> None:
    env = environment(db, "smtp://127.0.0.1:9", DATABASE_URL=db.owner)
    code, lines = await _serve(env)
    assert code == 2
    assert len(lines) == 1, lines
    assert lines[0].startswith("refusing to start: DATABASE_URL: role auth_owner owns ")


async def test_production_start_names_what_is_missing(db: postgres.Database) -> None:
    env = environment(
        db,
        "smtps://mailer:smtp-secret@mail.example.org",
        APP_ENV="production",
        ARGON2_MEMORY_KIB="19456",
        ARGON2_TIME_COST="2",
        METRICS_TOKEN="metrics-secret",
    )
    code, lines = await _serve(env)
    assert (code, len(lines)) == (2, 1), lines
    assert lines[0].startswith("configuration error: SIGNING_KEY_ENCRYPTION_KEY: ")
    assert "secret" not in lines[0]
    code, lines = await _serve({**env, "SIGNING_KEY_ENCRYPTION_KEY": KEY, "METRICS_TOKEN": ""})
    assert (code, lines) == (2, [lines[0]])
    assert lines[0].startswith("configuration error: METRICS_TOKEN: ")
